#!/usr/bin/env node
// Derives schemas/streams/<stream>.json from Intercom's OpenAPI description plus the small
// override table below, so the stream schemas can be regenerated instead of hand-edited.
//
// A schema declares (1) every property of the stream's component, as deep as the spec describes
// it, (2) every field Intercom's own response examples show for that component (anywhere in a 200
// response of any endpoint: the real API sends them although the component omits them), typed
// from the example values, and (3) the 2.15 additions of both, since one schema serves both
// API versions: fields only 2.15 has are nullable and say so in their description.
// Every property has a type: SQL targets make no column for a property without one.
//
//   node scripts/gen-stream-schemas.mjs [--spec <2.14 yaml>] [--spec-2.15 <2.15 yaml>] [--check]
//
// --check writes nothing and exits 1 when a file on disk differs from what would be generated.
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(repoRoot, 'schemas', 'streams');
const API_VERSION = '2.14';
const NEXT_VERSION = '2.15';
const specPath = (version) => path.resolve(repoRoot, 'spec', 'intercom-openapi', version, 'api.intercom.io.yaml');

// Objects are declared as deep as the spec describes them. Only a component that contains itself
// (a recursive $ref) stops the descent, where it recurs; this bound is a guard against a spec
// that nests absurdly deep, not a pruning rule (the deepest stream object today is far above it).
const MAX_OBJECT_DEPTH = 12;
/** Where neither the spec nor an example says what a value is: any JSON value, still a typed column. */
const ANY_TYPES = ['null', 'object', 'array', 'string', 'number', 'boolean'];
/** A field whose examples are all null: a string column, the type SQL targets can always create. */
const NULL_ONLY_TYPE = ['null', 'string'];
const anySchema = () => ({ type: ANY_TYPES, additionalProperties: true });

const str = (description) => ({ type: 'string', description });
const int = (description) => ({ type: 'integer', description });
const jsonString = (what) => ({
  type: ['null', 'string'],
  description: `${what}, encoded as a JSON string so that new attributes do not change the table shape.`,
});

/**
 * The stream table (src/streams/catalog.ts) gives each stream's facts: its component and API
 * version, the list its records come from (`source`: `{method, path, items}`, whose item schema
 * must be `component`, checked so a spec change is noticed), its primary key, cursor and the key
 * joining it to its parent. Key, cursor and parent key keep their base type (never nullable) and
 * the key fields are required; every other field is nullable because the real API omits or nulls
 * fields the spec calls required.
 *
 * Per stream, what the schema adds to or changes in the OpenAPI component:
 * - description: replaces the generated one.
 * - jsonStrings: object fields emitted as JSON strings. exclude: sub-lists that are streams.
 * - anyValue: nested fields (dotted paths) whose type the spec gets wrong; they accept any value.
 * - extra: fields the connector adds (join keys, hashes); `replace` marks a component field
 *   whose meaning the connector overrides.
 */
const SCHEMA_OVERRIDES = {
  team_admin: {
    description: 'Junction of teams and admins, derived from `team.admin_ids` of GET /teams (ids become strings).',
    extra: {
      team_id: str('The `id` of the team.'),
      admin_id: str('The `id` of the admin (an integer in `team.admin_ids`, sent as a string).'),
    },
  },
  contacts: {
    jsonStrings: { custom_attributes: 'The custom attributes of the contact' },
  },
  contact_tag: {
    description:
      'Junction of contacts and tags, derived from `contact.tags.data` (POST /contacts/search) and GET /contacts/{id}/tags when `has_more` is true.',
    extra: {
      contact_id: str('The `id` of the contact.'),
      tag_id: str('The `id` of the tag.'),
      updated_at: int('`updated_at` of the contact this row was read from (the incremental cursor).'),
    },
  },
  contact_company: {
    description:
      'Junction of contacts and companies, derived from `contact.companies.data` (POST /contacts/search) and GET /contacts/{id}/companies when `has_more` is true.',
    extra: {
      contact_id: str('The `id` of the contact.'),
      company_id: str('The Intercom `id` of the company.'),
      updated_at: int('`updated_at` of the contact this row was read from (the incremental cursor).'),
    },
  },
  companies: {
    jsonStrings: { custom_attributes: 'The custom attributes of the company' },
  },
  company_tag: {
    description: 'Junction of companies and tags, derived from `company.tags.tags` (GET /companies/scroll).',
    extra: {
      company_id: str('The Intercom `id` of the company.'),
      tag_id: str('The `id` of the tag.'),
      updated_at: int('`updated_at` of the company this row was read from (the incremental cursor).'),
    },
  },
  company_segment: {
    description:
      'Junction of companies and segments, derived from `company.segments.segments` (GET /companies/scroll).',
    extra: {
      company_id: str('The Intercom `id` of the company.'),
      segment_id: str('The `id` of the segment.'),
      updated_at: int('`updated_at` of the company this row was read from (the incremental cursor).'),
    },
  },
  conversations: {
    jsonStrings: { custom_attributes: 'The custom attributes of the conversation' },
    // conversation_list_item has no conversation_parts; listed in case the source changes to `conversation`.
    exclude: ['conversation_parts'],
  },
  conversation_tag: {
    description:
      'Junction of conversations and tags, derived from `conversation.tags.tags` (POST /conversations/search).',
    extra: {
      conversation_id: str('The `id` of the conversation.'),
      tag_id: str('The `id` of the tag.'),
      updated_at: int('`updated_at` of the conversation this row was read from (the incremental cursor).'),
    },
  },
  conversation_parts: {
    extra: { conversation_id: str('The `id` of the conversation the part belongs to.') },
  },
  email_address_header: {
    description:
      'One email address header (from, to, cc, ...) of a conversation part: `conversation_part.email_message_metadata.email_address_headers[]` of GET /conversations/{conversation_id}, component `email_address_header`, with the position in that list.',
    extra: {
      conversation_id: str('The `id` of the conversation.'),
      conversation_part_id: str('The `id` of the conversation part.'),
      index: int('Position (0-based) of the header in `email_message_metadata.email_address_headers`.'),
      updated_at: int('`updated_at` of the conversation part this row was read from (the incremental cursor).'),
    },
  },
  tickets: {
    jsonStrings: { ticket_attributes: 'The attributes of the ticket' },
    exclude: ['ticket_parts'],
  },
  ticket_parts: {
    extra: {
      ticket_id: str(
        "The `id` of the ticket the part belongs to (the ticket's `id`, not its `ticket_id` display number).",
      ),
    },
  },
  subscription_types: {
    extra: {
      name: { type: ['null', 'string'], description: 'Copied from `default_translation.name`.' },
      description: { type: ['null', 'string'], description: 'Copied from `default_translation.description`.' },
    },
  },
  activity_logs: {
    // Typed object, described as "structure varies by activity type"; the spec's own examples
    // send strings (app_name_change, message_state_change).
    anyValue: ['metadata.before', 'metadata.after'],
  },
  events: {
    // The spec declares GET /events as data_event_summary; the real response is
    // {type: "event.list", events: [data_event], pages} (component data_event_list).
    description:
      'Items of `events` in the response of GET /events?type=user (per contact; the real response is `data_event_list`, although the spec declares `data_event_summary`), component `data_event`, with `id` replaced by a stable hash.',
    extra: {
      id: {
        type: 'string',
        description:
          'Primary key: a stable hash of the event computed by the connector. (In the spec, `data_event.id` is the write-side "identifier for a lead or a user", not an event id.)',
      },
    },
    replace: ['id'],
  },
  notes: {
    extra: { contact_id: str('The `id` of the contact the note is about (the contact whose notes were listed).') },
  },
  news_items: {
    // GET /news/news_items declares paginated_response, whose items are news_item or newsfeed.
    description:
      'Items of `data` in the response of GET /news/news_items (Intercom API 2.14, declared as `paginated_response`), component `news_item`.',
  },
  newsfeeds: {
    description:
      'Items of `data` in the response of GET /news/newsfeeds (Intercom API 2.14, declared as `paginated_response`), component `newsfeed`.',
  },
  // Endpoints that exist from API 2.15 on: described by the 2.15 spec (read with Intercom-Version 2.15).
  handling_events: {
    description:
      'Items of `handling_events` in the response of GET /conversations/{id}/handling_events (Intercom API 2.15, asked with that version), component `handling_event`: when a teammate paused or resumed handling a conversation. Read for each conversation new or changed in the read window.',
    extra: {
      conversation_id: str('The `id` of the conversation.'),
      index: int("Position of the event in the conversation's list (the list only grows, in time order)."),
      updated_at: int('`updated_at` of the conversation this row was read with (the incremental cursor).'),
    },
  },
  content_engagement: {
    description:
      'One row per CSV row of the Content Data Export (POST /export/content/data, GET /download/content/data/{job_identifier}): outbound message deliveries (receipts) and engagement, component `data_export_csv`, with the file it came from as `statistic`. A column the docs do not name is kept as text under its header.',
    extra: {
      statistic: {
        type: ['null', 'string'],
        description:
          'The file the row came from, without its timestamp: `receipts` for `receipts_YYYYMMDD_hhmmss.csv` (one file per statistic).',
      },
      _row_id: str(
        'Primary key: `receipts:<receipt_id>` for a receipt (a later export with more first_* times replaces it), else `<statistic>:<SHA-256 of the row>`.',
      ),
      _time: int(
        'Send time (`received_at`) in Unix seconds, else the start of the exported window of send dates (the incremental cursor).',
      ),
    },
  },
};

/**
 * The stream table, loaded from its TypeScript source (it imports types only, so stripping them is
 * all it takes; no build needed).
 */
async function loadStreamTable() {
  const ts = (await import('typescript')).default;
  const source = readFileSync(path.join(repoRoot, 'src', 'streams', 'catalog.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return (await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`)).STREAMS;
}

/** One stream's generator definition: the table's facts plus the schema overrides. */
function definitionOf(entry) {
  const override = SCHEMA_OVERRIDES[entry.name] ?? {};
  const noSource = entry.schema.endpointDeclaresOther === true;
  const parentKey = entry.parent?.key && !entry.primaryKey.includes(entry.parent.key) ? entry.parent.key : undefined;
  return {
    ...override,
    apiVersion: entry.schema.apiVersion,
    ...(entry.schema.component ? { component: entry.schema.component } : {}),
    ...(entry.endpoint && !noSource
      ? {
          source: {
            method: entry.endpoint.method.toLowerCase(),
            path: entry.endpoint.path,
            items: entry.endpoint.recordsKey,
          },
        }
      : {}),
    primaryKey: entry.primaryKey,
    ...(entry.cursor && !entry.cursorNullable ? { cursor: entry.cursor } : {}),
    ...(parentKey ? { parentKey } : {}),
  };
}

async function main() {
  const table = await loadStreamTable();
  const unknownOverrides = Object.keys(SCHEMA_OVERRIDES).filter((name) => !table.some((s) => s.name === name));
  if (unknownOverrides.length)
    throw new Error(`SCHEMA_OVERRIDES names streams the table does not have: ${unknownOverrides.join(', ')}`);
  const STREAMS = Object.fromEntries(table.map((entry) => [entry.name, definitionOf(entry)]));
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const arg = (name, fallback) => (argv.includes(name) ? path.resolve(argv[argv.indexOf(name) + 1]) : fallback);
  const spec = loadSpec(arg('--spec', specPath(API_VERSION)));
  const next = loadSpec(arg('--spec-2.15', specPath(NEXT_VERSION)));

  const outputs = new Map();
  for (const [stream, def] of Object.entries(STREAMS)) {
    // A stream whose endpoint exists only from 2.15 on (brands, emails) is built from that spec alone.
    const schema =
      def.apiVersion === NEXT_VERSION ? buildStreamSchema(next, stream, def) : buildStreamSchema(spec, stream, def);
    if (def.apiVersion !== NEXT_VERSION) mergeVersion(schema, buildStreamSchema(next, stream, def), NEXT_VERSION);
    outputs.set(`${stream}.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }

  const stale = [];
  for (const [file, text] of outputs) {
    const target = path.join(outDir, file);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === text) continue;
    stale.push(file);
    if (!check) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(target, text);
    }
  }
  const unknown = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.json') && !outputs.has(f)) : [];
  if (unknown.length) console.warn(`not generated by this script (left alone): ${unknown.join(', ')}`);

  if (check) {
    if (stale.length) {
      console.error(`stream schemas out of date: ${stale.join(', ')}\nrun: node scripts/gen-stream-schemas.mjs`);
      process.exit(1);
    }
    console.log(`${outputs.size} stream schemas up to date`);
  } else {
    console.log(`${outputs.size} stream schemas, ${stale.length} written`);
  }
}

function loadSpec(file) {
  const spec = parse(readFileSync(file, 'utf8'));
  spec.examplesByComponent = collectExamples(spec);
  return spec;
}

/**
 * Every example value of every component: the `example`/`examples` of each 200 response of every
 * operation, walked alongside the response schema, so a value found where the schema says
 * `$ref: contact` counts as an example of `contact` (however deep in the response it sits).
 */
function collectExamples(spec) {
  const resolver = new Resolver(spec);
  const byComponent = new Map();
  const walk = (node, value, depth) => {
    if (!node || value === null || typeof value !== 'object' || depth > 40) return;
    const shape = resolver.shape(node);
    // A response may extend a component inline (allOf: [contact] plus properties): its value is a
    // contact too, and the added properties document the kind of those fields.
    for (const ref of [shape.ref, ...shape.allOfRefs].filter(Boolean)) {
      if (Array.isArray(value)) break;
      if (!byComponent.has(ref)) byComponent.set(ref, []);
      byComponent.get(ref).push(value);
      if (ref !== shape.ref) noteExtensions(spec, resolver, ref, node);
    }
    if (Array.isArray(value)) {
      if (shape.items) for (const item of value) walk(shape.items, item, depth + 1);
      return;
    }
    for (const [key, sub] of Object.entries(value)) {
      const child = shape.properties.get(key);
      if (child) walk(child, sub, depth + 1);
    }
  };
  for (const operations of Object.values(spec.paths)) {
    for (const op of Object.values(operations)) {
      const content = op?.responses?.['200']?.content?.['application/json'];
      if (!content?.schema) continue;
      for (const example of responseExamples(content)) walk(content.schema, example, 0);
    }
  }
  return byComponent;
}

/** Properties an inline `allOf: [component, {properties}]` adds to a component: spec.extensions[component]. */
function noteExtensions(spec, resolver, ref, node) {
  const own = resolver.shape({ $ref: `#/components/schemas/${ref}` }).properties;
  const added = resolver.deref(node).node.properties ?? {};
  spec.extensions ??= new Map();
  if (!spec.extensions.has(ref)) spec.extensions.set(ref, new Map());
  for (const [name, child] of Object.entries(added)) if (!own.has(name)) spec.extensions.get(ref).set(name, child);
}

/** The example values of one response body (`examples` map or single `example`). */
function responseExamples(content) {
  const values = Object.values(content.examples ?? {}).map((e) => e?.value);
  if (content.example !== undefined) values.push(content.example);
  return values.filter((v) => v !== undefined);
}

/**
 * Adds what only the next API version has to a schema built from the base version: new properties
 * (nullable, marked in their description) at any depth, and any type the next version adds.
 */
function mergeVersion(base, next, version) {
  if (!next || typeof next !== 'object') return;
  if (next.type && base.type) {
    const types = new Set([...[base.type].flat(), ...[next.type].flat()]);
    const sorted = TYPE_ORDER.filter((t) => types.has(t));
    base.type = sorted.length === 1 ? sorted[0] : sorted;
  }
  if (next.properties) {
    base.properties ??= {};
    for (const [name, sub] of Object.entries(next.properties)) {
      if (base.properties[name]) {
        mergeVersion(base.properties[name], sub, version);
      } else {
        const added = structuredClone(sub);
        added.type = nullableType(added.type);
        added.description = `${added.description ? `${added.description} ` : ''}(Intercom API ${version} only.)`;
        base.properties[name] = added;
      }
    }
  }
  if (next.items && base.items) mergeVersion(base.items, next.items, version);
}

function nullableType(type) {
  const types = new Set([type ?? ANY_TYPES].flat());
  types.add('null');
  return TYPE_ORDER.filter((t) => types.has(t));
}

function buildStreamSchema(spec, stream, def) {
  const required = [...def.primaryKey, ...(def.parentKey ? [def.parentKey] : [])];
  const keys = new Set([...required, ...(def.cursor ? [def.cursor] : [])]);
  const properties = {};
  let description = def.description;
  if (def.component) description = addComponentProperties(spec, stream, def, { keys, properties, description });
  for (const [name, schema] of Object.entries(def.extra ?? {})) {
    if (def.replace?.includes(name)) continue;
    if (properties[name])
      throw new Error(`${stream}: extra field ${name} collides with the component; list it in replace`);
    properties[name] = schema;
  }
  for (const key of keys) {
    if (!properties[key]) throw new Error(`${stream}: key field ${key} missing`);
    const type = properties[key].type;
    if (Array.isArray(type) && type.includes('null')) {
      throw new Error(`${stream}: key field ${key} must not be nullable`);
    }
  }
  if (!description) throw new Error(`${stream}: no description`);

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: stream,
    description,
    type: 'object',
    additionalProperties: true,
    required,
    properties,
  };
}

/** The description a stream read from an endpoint gets by default (after checking the endpoint lists the component). */
function sourceDescription(spec, stream, def) {
  const item = sourceItemRef(spec, def.source);
  const what = `${def.source.method.toUpperCase()} ${def.source.path}`;
  if (item !== def.component) throw new Error(`${stream}: ${what} lists ${item}, not ${def.component}`);
  return `Items of \`${def.source.items.join('.')}\` in the response of ${what} (Intercom API ${def.apiVersion ?? API_VERSION}), component \`${def.component}\`.`;
}

/**
 * Adds the component's properties (and the fields only its examples show) to `out.properties`;
 * returns the stream's description (naming the fields excluded as streams of their own).
 */
function addComponentProperties(spec, stream, def, out) {
  const { keys, properties } = out;
  let description = out.description;
  const component = spec.components.schemas[def.component];
  if (!component) throw new Error(`${stream}: no component ${def.component}`);
  if (def.source) {
    const fromSource = sourceDescription(spec, stream, def);
    description ??= fromSource;
  }
  const ctx = {
    resolver: new Resolver(spec),
    anyValue: new Set(def.anyValue ?? []),
    used: new Set(),
    examples: spec.examplesByComponent,
    extensions: spec.extensions ?? new Map(),
    refs: [],
  };
  const shape = ctx.resolver.shape(component);
  const skip = new Set(def.exclude ?? []);
  for (const [name, child] of shape.properties) {
    if (skip.has(name)) continue;
    if (def.replace?.includes(name)) {
      properties[name] = def.extra[name];
    } else if (def.jsonStrings && name in def.jsonStrings) {
      properties[name] = jsonString(def.jsonStrings[name]);
    } else {
      const examples = examplesOf(componentExamples(ctx, def.component), name);
      properties[name] = emit(ctx, child, name, 1, { nullable: !keys.has(name) }, examples);
    }
  }
  for (const [name, values] of extraExampleFields(shape, componentExamples(ctx, def.component))) {
    if (skip.has(name) || def.replace?.includes(name) || def.extra?.[name]) continue;
    properties[name] = exampleField(ctx, def.component, values, name, 1);
  }
  for (const p of ctx.anyValue) {
    if (!ctx.used.has(p)) throw new Error(`${stream}: anyValue ${p} matches no field`);
  }
  for (const name of def.exclude ?? []) {
    if (!shape.properties.has(name)) continue;
    description += ` Without \`${name}\`, which is a stream of its own.`;
  }
  return description;
}

function sourceItemRef(spec, { method, path: p, items }) {
  const op = spec.paths[p]?.[method];
  if (!op) throw new Error(`no operation ${method} ${p}`);
  const resolver = new Resolver(spec);
  let node = op.responses?.['200']?.content?.['application/json']?.schema;
  for (const key of items) {
    node = node && resolver.shape(node).properties.get(key);
  }
  const item = node && resolver.shape(node).items;
  if (!item) throw new Error(`${method} ${p}: no list at ${items.join('.')}`);
  return resolver.deref(item).ref;
}

/**
 * Turns an OpenAPI schema into a "shape": $ref, allOf, anyOf and oneOf resolved into one set of
 * base types, ordered properties, items, nullability and a description. Properties are
 * resolved lazily, so recursive components are fine as long as the caller stops descending.
 */
class Resolver {
  constructor(spec) {
    this.schemas = spec.components.schemas;
  }

  deref(node) {
    let ref;
    while (node && node.$ref) {
      ref = node.$ref.replace('#/components/schemas/', '');
      node = this.schemas[ref];
      if (!node) throw new Error(`unresolved $ref ${ref}`);
    }
    return { node, ref };
  }

  shape(input) {
    const { node, ref } = this.deref(input);
    const shape = {
      ref,
      types: new Set(),
      properties: new Map(),
      items: undefined,
      nullable: node.nullable === true || (Array.isArray(node.enum) && node.enum.includes(null)),
      description: input.description ?? node.description,
      format: node.format,
    };
    if (node.type) shape.types.add(node.type);
    if (node.properties) {
      shape.types.add('object');
      for (const [name, child] of Object.entries(node.properties)) shape.properties.set(name, child);
    }
    if (node.items) shape.items = node.items;
    // allOf: every branch applies, so merge them. anyOf/oneOf: any branch may apply, so the
    // value may have any of their types and properties; a nullable branch makes it nullable.
    shape.allOfRefs = [];
    for (const branch of node.allOf ?? []) {
      const merged = this.shape(branch);
      if (merged.ref) shape.allOfRefs.push(merged.ref);
      this.merge(shape, merged, false);
    }
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) this.merge(shape, this.shape(branch), true);
    if (shape.types.size === 0 && shape.properties.size > 0) shape.types.add('object');
    return shape;
  }

  merge(target, branch, alternative) {
    for (const t of branch.types) target.types.add(t);
    for (const [name, child] of branch.properties) if (!target.properties.has(name)) target.properties.set(name, child);
    target.items ??= branch.items;
    target.format ??= branch.format;
    if (alternative && branch.nullable) target.nullable = true;
  }
}

const TYPE_ORDER = ['null', 'object', 'array', 'string', 'number', 'integer', 'boolean'];

function componentExamples(ctx, ref) {
  return ref ? (ctx.examples.get(ref) ?? []) : [];
}

/** The values of one field in a list of example objects (absent ones left out). */
function examplesOf(values, name) {
  return values
    .filter(isPlainObject)
    .map((v) => v[name])
    .filter((v) => v !== undefined);
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Fields the example objects have that the shape does not declare, with their example values. */
function extraExampleFields(shape, values) {
  const extra = new Map();
  for (const value of values.filter(isPlainObject)) {
    for (const [name, sub] of Object.entries(value)) {
      if (shape.properties.has(name)) continue;
      if (!extra.has(name)) extra.set(name, []);
      extra.get(name).push(sub);
    }
  }
  return extra;
}

/** The JSON type names of example values (integer folded into number when both occur). */
function exampleTypes(values) {
  const types = new Set();
  for (const v of values) {
    if (v === null) types.add('null');
    else if (Array.isArray(v)) types.add('array');
    else if (typeof v === 'object') types.add('object');
    else if (typeof v === 'number') types.add(Number.isInteger(v) ? 'integer' : 'number');
    else types.add(typeof v);
  }
  if (types.has('number')) types.delete('integer');
  return types;
}

/**
 * The schema of a field known only from examples: typed from the values, nullable; a field whose
 * examples are all null is a nullable string (documented in the README). Keep the words "Only null
 * in the examples": the connector (PROVISIONAL_MARK in src/transform/plan.ts) follows such
 * top-level fields and re-types them from the first real value.
 */
function fromExamples(values, path, depth = 1) {
  const types = exampleTypes(values);
  const described = "Not in the OpenAPI component; Intercom's response examples show it.";
  if ([...types].every((t) => t === 'null'))
    return { type: NULL_ONLY_TYPE, description: `${described} Only null in the examples: typed as a nullable string.` };
  types.add('null');
  const out = { type: TYPE_ORDER.filter((t) => types.has(t)), description: described };
  if (types.has('object')) {
    const objects = values.filter(isPlainObject);
    const names = [...new Set(objects.flatMap((o) => Object.keys(o)))];
    if (names.length > 0 && depth < MAX_OBJECT_DEPTH) {
      out.properties = Object.fromEntries(
        names.map((n) => [n, stripDescription(fromExamples(examplesOf(objects, n), `${path}.${n}`, depth + 1))]),
      );
    }
    out.additionalProperties = true;
  }
  if (types.has('array')) {
    const items = values.filter(Array.isArray).flat();
    out.items = items.length ? stripDescription(fromExamples(items, `${path}[]`, depth)) : anySchema();
  }
  return out;
}

/**
 * A field the component lacks but examples show: typed as a response that extends the component
 * inline documents it, else from the example values.
 */
function exampleField(ctx, ref, values, path, depth) {
  const documented = ref && ctx.extensions.get(ref)?.get(path.split('.').pop());
  if (!documented) return fromExamples(values, path, depth);
  const out = emit(ctx, documented, path, depth, { nullable: true }, values);
  out.description = `${out.description ? `${out.description} ` : ''}(Not in the \`${ref}\` component; responses that extend it declare it.)`;
  return out;
}

function stripDescription(schema) {
  const { description: _ignored, ...rest } = schema;
  return rest;
}

function emit(ctx, shapeOrNode, path, depth, { nullable }, examples = []) {
  const shape = shapeOrNode.types ? shapeOrNode : ctx.resolver.shape(shapeOrNode);
  const values = [...examples, ...componentExamples(ctx, shape.ref)];
  if (ctx.anyValue.has(path)) {
    ctx.used.add(path);
    const spec = shape.description ? `${cleanDescription(shape.description)} ` : '';
    // Typed with what the spec says plus what its examples send, so it is still a column.
    const types = new Set([...shape.types, ...exampleTypes(values), 'null']);
    return {
      type: TYPE_ORDER.filter((t) => types.has(t)),
      description: `${spec}The spec types it ${[...shape.types].join('|')}; its examples disagree, so both are allowed.`,
      ...(types.has('object') ? { additionalProperties: true } : {}),
    };
  }
  const types = new Set(shape.types);
  // An untyped spec node: the examples say what it is, else any JSON value.
  if (types.size === 0) for (const t of values.length ? exampleTypes(values) : ANY_TYPES) types.add(t);
  if (types.has('integer') && types.has('number')) types.delete('integer');
  if (nullable || shape.nullable) types.add('null');
  const sorted = TYPE_ORDER.filter((t) => types.has(t));
  const out = {};
  if (sorted.length === 1) out.type = sorted[0];
  else if (sorted.length > 1) out.type = sorted;
  if (shape.description) out.description = cleanDescription(shape.description);
  // Timestamps are Unix seconds even where the spec says date-time; only real string dates
  // keep their format. uri/email/uuid are dropped: real data breaks them and no destination
  // types columns by them.
  if (shape.format === 'date-time' && types.has('string') && !types.has('integer')) out.format = 'date-time';

  if (types.has('object')) {
    // A component inside itself (recursion) stays an opaque object where it recurs.
    const recursive = shape.ref && ctx.refs.includes(shape.ref);
    const extra = recursive ? new Map() : extraExampleFields(shape, values);
    if (!recursive && depth < MAX_OBJECT_DEPTH && shape.properties.size + extra.size > 0) {
      if (depth + 1 >= MAX_OBJECT_DEPTH)
        throw new Error(
          `${path}: nested deeper than ${MAX_OBJECT_DEPTH}; raise MAX_OBJECT_DEPTH or make it a JSON string`,
        );
      out.properties = {};
      if (shape.ref) ctx.refs.push(shape.ref);
      for (const [name, child] of shape.properties) {
        out.properties[name] = emit(
          ctx,
          child,
          `${path}.${name}`,
          depth + 1,
          { nullable: true },
          examplesOf(values, name),
        );
      }
      if (shape.ref) ctx.refs.pop();
      for (const [name, sub] of extra)
        out.properties[name] = exampleField(ctx, shape.ref, sub, `${path}.${name}`, depth + 1);
    }
    out.additionalProperties = true;
  }
  if (types.has('array')) {
    // Array items keep the spec's nullability: nothing suggests the API puts nulls in lists.
    const items = values.filter(Array.isArray).flat();
    out.items = shape.items
      ? emit(ctx, shape.items, `${path}[]`, depth, { nullable: false }, items)
      : items.length
        ? stripDescription(fromExamples(items, `${path}[]`, depth))
        : anySchema();
  }
  return out;
}

function cleanDescription(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
