// The stream schemas against draft-07, against Intercom's OpenAPI description (2.14) and
// against the generated TypeScript types.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { STREAMS, keyFieldsOf } from '../src/streams/catalog.js';

// JSON Schema and OpenAPI documents are walked generically; `any` keeps the walking code readable
// where every access is checked by the assertions that follow.
type Json = Record<string, any>;

// ajv-formats is CommonJS: under NodeNext its types put the plugin on `.default`, at run time
// the default import is the plugin itself (which also carries `.default`).
const addFormats: (ajv: Ajv) => Ajv =
  (ajvFormats as unknown as { default?: (ajv: Ajv) => Ajv }).default ?? (ajvFormats as unknown as (ajv: Ajv) => Ajv);

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const streamsDir = new URL('../schemas/streams/', import.meta.url);
const specUrl = new URL('../spec/intercom-openapi/2.14/api.intercom.io.yaml', import.meta.url);

const schemas: Record<string, Json> = Object.fromEntries(
  readdirSync(streamsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(new URL(f, streamsDir), 'utf8'))]),
);

interface Mapping {
  component: string;
  /** The list in a 200 response whose items are this component, `METHOD /path items.path`. */
  listedBy?: string;
  jsonStrings?: string[];
  excluded?: string[];
  /** Fields the connector adds; [name, base type]. */
  added?: [string, string][];
  /** Nested fields that accept any value because the spec's type is wrong. */
  anyValue?: string[];
  /** The API version whose spec describes the endpoint (default 2.14). */
  version?: '2.15';
}

// What the stream table says of each stream (component, the list its records come from, API version),
// to be checked against the spec below; the fields each schema adds or changes are written here
// independently of scripts/gen-stream-schemas.mjs, from the brief and the spec.
const SCHEMA_CHANGES: Record<string, Omit<Mapping, 'component' | 'listedBy' | 'version'>> = {
  contacts: { jsonStrings: ['custom_attributes'] },
  companies: { jsonStrings: ['custom_attributes'] },
  conversations: {
    jsonStrings: ['custom_attributes'],
  },
  conversation_parts: {
    added: [['conversation_id', 'string']],
  },
  email_address_header: {
    added: [
      ['conversation_id', 'string'],
      ['conversation_part_id', 'string'],
      ['index', 'integer'],
    ],
  },
  tickets: {
    jsonStrings: ['ticket_attributes'],
    excluded: ['ticket_parts'],
  },
  ticket_parts: {
    added: [['ticket_id', 'string']],
  },
  subscription_types: {
    added: [
      ['name', 'string'],
      ['description', 'string'],
    ],
  },
  activity_logs: {
    // "Structure varies by activity type": typed object, but the examples send strings.
    anyValue: ['metadata.before', 'metadata.after'],
  },
  notes: { added: [['contact_id', 'string']] },
  handling_events: {
    added: [
      ['conversation_id', 'string'],
      ['index', 'integer'],
      ['updated_at', 'integer'],
    ],
  },
  // Rows of the CSVs in the content export's archive (not a JSON list).
  content_engagement: {
    added: [
      ['statistic', 'string'],
      ['_row_id', 'string'],
      ['_time', 'integer'],
    ],
  },
};

const MAPPED: Record<string, Mapping> = Object.fromEntries(
  STREAMS.filter((s) => s.schema.component).map((s) => [
    s.name,
    {
      component: s.schema.component!,
      ...(s.endpoint && !s.schema.endpointDeclaresOther
        ? { listedBy: `${s.endpoint.method} ${s.endpoint.path} ${s.endpoint.recordsKey.join('.')}` }
        : {}),
      ...(s.schema.apiVersion === '2.15' ? { version: '2.15' as const } : {}),
      ...SCHEMA_CHANGES[s.name],
    },
  ]),
);

/** Junction streams (a row per pair) with their key fields. */
const JUNCTIONS: Record<string, string[]> = Object.fromEntries(
  STREAMS.filter((s) => s.parent?.junction).map((s) => [s.name, [...s.primaryKey]]),
);

// Junctions derived from an incremental parent carry the parent's updated_at as their cursor.
const INCREMENTAL_JUNCTIONS = new Set<string>(STREAMS.filter((s) => s.parent?.junction && s.cursor).map((s) => s.name));

// Fields that must exist and not be nullable: primary key, cursor, join key to the parent.
const KEYS: Record<string, string[]> = Object.fromEntries(STREAMS.map((s) => [s.name, keyFieldsOf(s)]));

const OPENAPI_ONLY = [
  'nullable',
  'example',
  'examples',
  'readOnly',
  'writeOnly',
  'discriminator',
  'xml',
  'externalDocs',
  'deprecated',
];

function typesOf(schema: Json): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function baseTypes(schema: Json): string[] {
  return typesOf(schema)
    .filter((t) => t !== 'null')
    .sort();
}

/** Calls visit for the schema and every schema nested in it, with a readable path. */
function walk(schema: Json, visit: (node: Json, path: string) => void, path = ''): void {
  visit(schema, path || '(root)');
  for (const [name, child] of Object.entries<Json>(schema.properties ?? {})) walk(child, visit, `${path}.${name}`);
  if (schema.items) walk(schema.items, visit, `${path}[]`);
}

describe('stream schema files', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  addFormats(ajv);

  it('covers every stream', () => {
    expect(Object.keys(schemas).sort()).toEqual([...Object.keys(MAPPED), ...Object.keys(JUNCTIONS)].sort());
  });

  it.each(Object.keys(schemas))('%s is a strict draft-07 schema that allows extra properties', (stream) => {
    const schema = schemas[stream];
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(true);
    expect(schema.title).toBe(stream);
    expect(typeof schema.description).toBe('string');
    expect(schema.description.length).toBeGreaterThan(20);
    const validate = ajv.compile(schema);
    expect(
      validate({
        ...Object.fromEntries((schema.required ?? []).map((k: string) => [k, sample(schema.properties[k])])),
        unknown_field: { x: 1 },
      }),
    ).toBe(true);
  });

  it.each(Object.keys(schemas))('%s has no OpenAPI-only keywords, enums or timestamp formats', (stream) => {
    const problems: string[] = [];
    walk(schemas[stream], (node, path) => {
      for (const key of Object.keys(node)) {
        if (OPENAPI_ONLY.includes(key) || key.startsWith('x-') || key === 'enum' || key === '$ref')
          problems.push(`${path}: ${key}`);
      }
      if (node.format !== undefined && typesOf(node).some((t) => t !== 'string' && t !== 'null')) {
        problems.push(`${path}: format ${node.format} on ${typesOf(node)}`);
      }
      if (typesOf(node).includes('object') && node.additionalProperties !== true)
        problems.push(`${path}: closed object`);
      if (node.properties && !typesOf(node).includes('object'))
        problems.push(`${path}: properties without type object`);
    });
    expect(problems).toEqual([]);
  });

  it.each(Object.keys(KEYS))('%s has its key fields, not nullable and required', (stream) => {
    const schema = schemas[stream];
    for (const key of KEYS[stream]) {
      expect(schema.properties[key], key).toBeDefined();
      expect(typesOf(schema.properties[key]), key).not.toContain('null');
      expect(typesOf(schema.properties[key]), key).toHaveLength(1);
    }
    // The cursor is never required: a record may lack it (it is emitted and holds the state).
    const cursor = STREAMS.find((s) => s.name === stream)?.cursor;
    expect([...(schema.required ?? [])].sort()).toEqual(KEYS[stream].filter((k) => k !== cursor).sort());
  });

  it.each(Object.keys(KEYS))('%s makes every other top-level field nullable', (stream) => {
    const schema = schemas[stream];
    const notNullable = Object.entries<Json>(schema.properties)
      .filter(([name, prop]) => !KEYS[stream].includes(name) && !typesOf(prop).includes('null'))
      .map(([name]) => name);
    expect(notNullable).toEqual([]);
  });

  it.each(Object.entries(JUNCTIONS))(
    'junction %s has exactly its string keys (and the parent cursor)',
    (stream, keys) => {
      const schema = schemas[stream];
      const expected = INCREMENTAL_JUNCTIONS.has(stream) ? [...keys, 'updated_at'] : keys;
      expect(Object.keys(schema.properties).sort()).toEqual([...expected].sort());
      for (const key of keys) expect(schema.properties[key].type).toBe('string');
      if (INCREMENTAL_JUNCTIONS.has(stream)) expect(schema.properties.updated_at.type).toBe('integer');
    },
  );

  it('stores custom_attributes and ticket_attributes as JSON strings', () => {
    const jsonFields = Object.entries(MAPPED).flatMap(([stream, m]) => (m.jsonStrings ?? []).map((f) => [stream, f]));
    expect(jsonFields).toEqual([
      ['contacts', 'custom_attributes'],
      ['companies', 'custom_attributes'],
      ['conversations', 'custom_attributes'],
      ['tickets', 'ticket_attributes'],
    ]);
    for (const [stream, field] of jsonFields) {
      expect(schemas[stream].properties[field].type, `${stream}.${field}`).toEqual(['null', 'string']);
      expect(schemas[stream].properties[field].properties).toBeUndefined();
    }
  });

  it('keeps sub-lists that are streams of their own out of their parents', () => {
    expect(schemas.conversations.properties.conversation_parts).toBeUndefined();
    expect(schemas.tickets.properties.ticket_parts).toBeUndefined();
  });

  it('keeps ticket type attributes and states as objects', () => {
    expect(baseTypes(schemas.ticket_types.properties.ticket_type_attributes)).toEqual(['object']);
    expect(baseTypes(schemas.ticket_types.properties.ticket_states)).toEqual(['object']);
  });

  it.each(Object.keys(schemas))('%s gives every property, at every depth, a type', (stream) => {
    const untyped: string[] = [];
    walk(schemas[stream], (node, path) => {
      if (typesOf(node).length === 0) untyped.push(path);
    });
    expect(untyped).toEqual([]);
  });

  it('declares the fields the component omits but Intercom sends, typed', () => {
    const p = (stream: string, ...path: string[]): Json =>
      path.reduce((node: Json, key) => node?.properties?.[key], schemas[stream]);
    for (const field of ['utm_campaign', 'utm_content', 'utm_medium', 'utm_source', 'utm_term', 'referrer'])
      expect(p('contacts', field)?.type, field).toEqual(['null', 'string']);
    expect(p('contacts', 'enabled_push_messaging')?.type).toEqual(['null', 'boolean']);
    expect(baseTypes(p('contacts', 'opted_in_subscription_types'))).toEqual(['object']);
    expect(baseTypes(p('contacts', 'opted_out_subscription_types', 'data'))).toEqual(['array']);
    expect(baseTypes(p('conversations', 'topics'))).toEqual(['object']);
    expect(p('conversations', 'ticket')?.type).toEqual(['null', 'string']);
    expect(p('ticket_types', 'is_internal')?.type).toEqual(['null', 'boolean']);
    // 2.15 additions, nullable since 2.14 responses lack them.
    expect(baseTypes(p('conversations', 'company'))).toEqual(['object']);
    expect(p('conversations', 'company')?.description).toMatch(/2\.15 only/);
    expect(p('conversation_parts', 'email_message_metadata', 'message_id')?.type).toEqual(['null', 'string']);
    expect(p('activity_logs', 'metadata', 'mode')?.type).toEqual(['null', 'string']);
  });

  it("README's table of fields beyond the components names every added top-level field of its stream", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Fields beyond the OpenAPI components'),
      readme.indexOf('### How the streams join'),
    );
    const missing: string[] = [];
    for (const [stream, schema] of Object.entries(schemas)) {
      const row = section.split('\n').find((line) => line.startsWith(`| ${stream} |`)) ?? '';
      for (const [name, prop] of Object.entries<Json>(schema.properties)) {
        const added = /Not in the OpenAPI component|Not in the `|2\.15 only/.test(prop.description ?? '');
        if (added && !row.includes(`\`${name}\``)) missing.push(`${stream}.${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('types activity_type as a plain string', () => {
    expect(schemas.activity_logs.properties.activity_type).toMatchObject({ type: ['null', 'string'] });
    expect(schemas.activity_logs.properties.activity_type.enum).toBeUndefined();
  });
});

describe('agreement with the OpenAPI description (2.14; 2.15 for endpoints new in it)', () => {
  let spec: Json;
  const specs: Record<string, Json> = {};
  beforeAll(() => {
    specs['2.14'] = parse(readFileSync(specUrl, 'utf8'));
    specs['2.15'] = parse(
      readFileSync(new URL('../spec/intercom-openapi/2.15/api.intercom.io.yaml', import.meta.url), 'utf8'),
    );
    spec = specs['2.14'];
  });
  /** The helpers below read `spec`: point it at the version that describes the stream's endpoint. */
  const useSpecOf = (mapping: Mapping): void => {
    spec = specs[mapping.version ?? '2.14']!;
  };

  const deref = (node: Json): Json => {
    let n = node;
    while (n?.$ref) n = spec.components.schemas[n.$ref.replace('#/components/schemas/', '')];
    return n;
  };
  const refName = (node: Json): string | undefined => {
    let n = node;
    let name: string | undefined;
    while (n?.$ref) {
      const ref: string = n.$ref.replace('#/components/schemas/', '');
      name = ref;
      n = spec.components.schemas[ref];
    }
    return name;
  };
  /** Property schemas after $ref/allOf/anyOf/oneOf, first definition wins. */
  const propsOf = (node: Json): Record<string, Json> => {
    const n = deref(node);
    const out: Record<string, Json> = {};
    for (const branch of [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])]) {
      for (const [k, v] of Object.entries(propsOf(branch))) out[k] ??= v;
    }
    return { ...out, ...(n.properties ?? {}) };
  };
  const typeSet = (node: Json): Set<string> => {
    const n = deref(node);
    const set = new Set<string>();
    if (n.type) set.add(n.type);
    if (n.properties) set.add('object');
    for (const branch of [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])])
      for (const t of typeSet(branch)) set.add(t);
    if (set.has('number')) set.delete('integer');
    return set;
  };
  const itemsOf = (node: Json): Json | undefined => {
    const n = deref(node);
    if (n.items) return n.items;
    for (const branch of [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])]) {
      const items = itemsOf(branch);
      if (items) return items;
    }
    return undefined;
  };

  /** Differences between a stream schema node and an OpenAPI node, recursively. */
  function compare(streamNode: Json, apiNode: Json, path: string, out: string[], anyValue: string[]): void {
    if (anyValue.includes(path)) {
      // Typed with the spec's type and what the examples send, so a SQL target still has a column.
      const declared = [...typeSet(apiNode)];
      if (!declared.every((t) => typesOf(streamNode).includes(t)) || baseTypes(streamNode).length < 2)
        out.push(`${path}: should accept the spec's type and the examples' types`);
      return;
    }
    const want = [...typeSet(apiNode)].sort();
    const got = baseTypes(streamNode);
    if (want.join() !== got.join())
      out.push(`${path}: stream ${got.join('|') || 'any'}, spec ${want.join('|') || 'any'}`);
    if (streamNode.properties) {
      const apiProps = propsOf(apiNode);
      for (const [name, child] of Object.entries<Json>(streamNode.properties)) {
        if (apiProps[name]) compare(child, apiProps[name], `${path}.${name}`, out, anyValue);
      }
      for (const name of Object.keys(apiProps)) {
        if (!(name in streamNode.properties)) out.push(`${path}.${name}: missing`);
      }
    }
    const apiItems = itemsOf(apiNode);
    if (streamNode.items && apiItems) compare(streamNode.items, apiItems, `${path}[]`, out, anyValue);
  }

  it.each(Object.entries(MAPPED).map(([stream, m]) => [stream, m.component, m] as const))(
    '%s agrees with component %s',
    (stream, _component, mapping) => {
      useSpecOf(mapping);
      const schema = schemas[stream];
      const component = spec.components.schemas[mapping.component];
      expect(component, mapping.component).toBeDefined();
      const apiProps = propsOf(component);
      const skip = new Set([...(mapping.jsonStrings ?? []), ...(mapping.excluded ?? [])]);
      const problems: string[] = [];
      for (const name of Object.keys(apiProps)) {
        if (skip.has(name)) continue;
        if (!schema.properties[name]) problems.push(`${name}: missing`);
        else compare(schema.properties[name], apiProps[name], name, problems, mapping.anyValue ?? []);
      }
      for (const name of mapping.excluded ?? []) {
        expect(apiProps[name], `${mapping.component}.${name} (excluded sub-list)`).toBeDefined();
      }
      for (const [name, type] of mapping.added ?? []) {
        expect(apiProps[name], `${name} is added by the connector`).toBeUndefined();
        expect(baseTypes(schema.properties[name] ?? {}), name).toEqual([type]);
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(Object.entries(MAPPED).filter(([, m]) => m.listedBy))(
    '%s: the endpoint lists items of that component',
    (_stream, mapping) => {
      useSpecOf(mapping);
      const [method, path, itemsPath] = mapping.listedBy!.split(' ');
      const response = spec.paths[path][method.toLowerCase()].responses['200'].content['application/json'].schema;
      let node: Json = response;
      for (const key of itemsPath.split('.')) node = propsOf(node)[key];
      expect(refName(itemsOf(node)!)).toBe(mapping.component);
    },
  );

  it('still declares the wrong summary shape for GET /events (the reason events map to data_event)', () => {
    spec = specs['2.14']!;
    const response = spec.paths['/events'].get.responses['200'].content['application/json'].schema;
    expect(refName(response)).toBe('data_event_summary');
    expect(refName(itemsOf(spec.components.schemas.data_event_list.properties.events)!)).toBe('data_event');
  });

  // The spec's own response examples, turned into records the way the connector does, must pass.
  it.each(Object.entries(MAPPED).filter(([, m]) => m.listedBy))(
    '%s accepts the records of the spec examples',
    (stream, mapping) => {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true, validateFormats: false });
      const validate = ajv.compile(schemas[stream]);
      useSpecOf(mapping);
      const [method, path, itemsPath] = mapping.listedBy!.split(' ');
      const examples =
        spec.paths[path][method.toLowerCase()].responses['200'].content['application/json'].examples ?? {};
      const records: Json[] = [];
      for (const example of Object.values<Json>(examples)) {
        // Walks an example payload of unknown shape by a dotted path.
        let items: any = example.value;
        for (const key of itemsPath.split('.')) items = items?.[key];
        for (const item of items ?? []) records.push(toRecord(stream, mapping, item));
      }
      const failures = records
        .filter((r): boolean => !validate(r))
        .map((r) => `${r.id}: ${ajv.errorsText(validate.errors)}`)
        .filter((f) => !KNOWN_EXAMPLE_MISMATCHES[stream]?.test(f));
      expect(failures).toEqual([]);
    },
  );
});

describe.each(['2.14', '2.15'])('every field of the response examples (%s) is declared', (version) => {
  let spec: Json;
  beforeAll(() => {
    spec = parse(
      readFileSync(new URL(`../spec/intercom-openapi/${version}/api.intercom.io.yaml`, import.meta.url), 'utf8'),
    );
  });
  const examplesOf = (method: string, path: string): Json[] => {
    const content = spec.paths[path]?.[method]?.responses?.['200']?.content?.['application/json'] ?? {};
    return [
      ...Object.values<Json>(content.examples ?? {}).map((e) => e.value),
      ...(content.example !== undefined ? [content.example] : []),
    ];
  };

  // Endpoints the connector reads, with where the records sit in the response.
  it.each(Object.entries(MAPPED).filter(([, m]) => m.listedBy))('%s: the endpoint it reads', (stream, mapping) => {
    const [method, path, itemsPath] = mapping.listedBy!.split(' ');
    const missing: string[] = [];
    for (const example of examplesOf(method.toLowerCase(), path)) {
      let items: any = example;
      for (const key of itemsPath.split('.')) items = items?.[key];
      for (const item of Array.isArray(items) ? items : [])
        undeclared(schemas[stream], toRecord(stream, mapping, item), '', missing);
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  // Any endpoint answering with the bare component (GET /contacts/{id}, ...): the same object.
  it.each(Object.entries(MAPPED))('%s: every endpoint answering with its component', (stream, mapping) => {
    const missing: string[] = [];
    let seen = 0;
    for (const [path, operations] of Object.entries<Json>(spec.paths)) {
      for (const [method, op] of Object.entries<Json>(operations)) {
        const ref = op?.responses?.['200']?.content?.['application/json']?.schema?.$ref;
        if (ref !== `#/components/schemas/${mapping.component}`) continue;
        for (const example of examplesOf(method, path)) {
          seen += 1;
          undeclared(schemas[stream], toRecord(stream, mapping, example), '', missing);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
    if (['contacts', 'companies', 'tickets', 'notes', 'admins', 'teams', 'segments', 'tags'].includes(stream))
      expect(seen, 'examples found').toBeGreaterThan(0);
  });
});

/** Paths of `value` (an example record) that `schema` does not declare. */
function undeclared(schema: Json, value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) undeclared(schema.items ?? {}, item, `${path}[]`, out);
    return;
  }
  for (const [key, sub] of Object.entries(value)) {
    const child = schema.properties?.[key];
    if (!child || typesOf(child).length === 0) out.push(`${path}.${key}`);
    else if (!(typeof sub === 'object' && typesOf(child).every((t) => t === 'string' || t === 'null')))
      undeclared(child, sub, `${path}.${key}`, out);
  }
}

// The spec's examples contradict its own schemas here; the schema (and the real API) wins.
const KNOWN_EXAMPLE_MISMATCHES: Record<string, RegExp> = {
  // conversation_part.id is a string; the example uses 1, 2, 3, 4.
  conversation_parts: /^\d+: data\/id must be string$/,
};

function toRecord(stream: string, mapping: Mapping, item: Json): Json {
  const record: Json = { ...item };
  for (const field of mapping.jsonStrings ?? []) {
    if (record[field] !== undefined && record[field] !== null) record[field] = JSON.stringify(record[field]);
  }
  for (const field of mapping.excluded ?? []) delete record[field];
  for (const [name, type] of mapping.added ?? []) record[name] ??= type === 'integer' ? 0 : `${stream}-parent`;
  return record;
}

function sample(schema: Json): unknown {
  const type = baseTypes(schema)[0];
  return type === 'integer' ? 1 : type === 'string' ? 'x' : type === 'boolean' ? true : {};
}

describe('generated code', () => {
  it('schemas/streams is what scripts/gen-stream-schemas.mjs derives from the spec', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/gen-stream-schemas.mjs', '--check', '--spec', fileURLToPath(specUrl)], {
        cwd: repoRoot,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  it('src/generated is up to date (node scripts/gen-types.mjs --check exits 0)', () => {
    let output = '';
    let status = 0;
    try {
      output = execFileSync(process.execPath, ['scripts/gen-types.mjs', '--check'], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      status = e.status;
      output = e.stderr;
    }
    expect(output, output).toMatch(/up to date/);
    expect(status).toBe(0);
  });
});
