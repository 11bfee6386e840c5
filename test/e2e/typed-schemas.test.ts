import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertSingerMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, runCli, writeJsonFiles } from '../helpers/run-cli.js';

/**
 * What a SQL target keeps of a Singer sync: a full sync of every stream, then every SCHEMA checked
 * for untyped properties, and every record checked against the columns a SQL target would make of
 * the SCHEMA in force when the record came (the way pipelinewise-target-postgres flattens them).
 * The fake sends the fields only Intercom's examples show as null on the first records and with
 * values later.
 */
const TOKEN = 'e2e-typed-schemas-token-3f2e1d0c9b';

// JSON Schemas and records are walked generically here.
type Json = Record<string, any>;

let fake: FakeIntercom;
let run: CliRun;
let streams: string[];

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 97,
    token: TOKEN,
    size: { contacts: 120, companies: 12, conversations: 30, tickets: 10, largeConversations: 0, largeTickets: 0 },
    latencyMs: 0,
  });
  // Time slices (a workspace this small is otherwise one search walk, in Intercom's order): contacts
  // arrive oldest first, so the example-only fields are null before they have values.
  const { config } = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, max_concurrency: 3, slice_days: 30 },
  });
  const discovered = await runCli(BIN.tap, ['--config', config!, '--discover']);
  expect(discovered.code, discovered.stderr).toBe(0);
  const catalog = JSON.parse(discovered.stdout) as {
    streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Json }[] }[];
  };
  streams = catalog.streams.map((s) => s.tap_stream_id);
  for (const s of catalog.streams) s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = true;
  const { catalog: catalogPath } = writeJsonFiles({ catalog });
  // Every offered reporting dataset is selected too: its export jobs are polled every few ms here.
  run = await runCli(BIN.tap, ['--config', config!, '--catalog', catalogPath!], {
    timeoutMs: 120_000,
    env: { INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS: '5' },
  });
}, 180_000);
afterAll(async () => {
  await fake.close();
});

const typesOf = (schema: Json | undefined): string[] =>
  schema?.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const jsonType = (v: unknown): string =>
  Array.isArray(v)
    ? 'array'
    : v === null
      ? 'null'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'integer'
          : 'number'
        : typeof v;

/** Paths of properties (at any depth, array items too) that have no type. */
function untyped(schema: Json, path: string, out: string[]): void {
  for (const [name, sub] of Object.entries<Json>(schema.properties ?? {})) {
    if (typesOf(sub).length === 0) out.push(`${path}.${name}`);
    untyped(sub, `${path}.${name}`, out);
  }
  if (isObject(schema.items)) {
    if (typesOf(schema.items).length === 0) out.push(`${path}[]`);
    untyped(schema.items, `${path}[]`, out);
  }
}

/**
 * The columns a SQL target makes of a schema: a property with a type is a column; an object with
 * declared properties is flattened into `parent__child` columns while `level < maxLevel` (else one
 * JSON column); a property without a type gets no column.
 */
function columns(
  schema: Json,
  maxLevel: number,
  prefix = '',
  level = 0,
  out = new Map<string, string[]>(),
): Map<string, string[]> {
  for (const [name, sub] of Object.entries<Json>(schema.properties ?? {})) {
    const types = typesOf(sub);
    if (
      types.includes('object') &&
      isObject(sub.properties) &&
      Object.keys(sub.properties).length > 0 &&
      level < maxLevel
    )
      columns(sub, maxLevel, `${prefix}${name}__`, level + 1, out);
    else if (types.length > 0) out.set(`${prefix}${name}`, types);
  }
  return out;
}

/** The record's non-null values as a SQL target flattens them (objects while level < maxLevel). */
function flatValues(
  record: Json,
  maxLevel: number,
  prefix = '',
  level = 0,
  out: [string, unknown][] = [],
): [string, unknown][] {
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue;
    // Flattened, an empty object has no columns and carries no value.
    if (isObject(value) && level < maxLevel) flatValues(value, maxLevel, `${prefix}${key}__`, level + 1, out);
    else out.push([`${prefix}${key}`, value]);
  }
  return out;
}

const accepts = (types: string[], value: unknown): boolean => {
  const t = jsonType(value);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
};

/** Values a SQL target would drop or reject: no column, or a column of another type. */
function lostValues(maxLevel: number): string[] {
  const current = new Map<string, Map<string, string[]>>();
  const lost = new Set<string>();
  for (const m of run.messages) {
    if (m.type === 'SCHEMA') current.set(m.stream as string, columns(m.schema as Json, maxLevel));
    if (m.type !== 'RECORD') continue;
    const cols = current.get(m.stream as string)!;
    for (const [column, value] of flatValues(m.record as Json, maxLevel)) {
      const types = cols.get(column);
      // A nested object flattened by the record but kept whole by the schema lands in its JSON column.
      const parent = [...cols.keys()].find((c) => column.startsWith(`${c}__`) && accepts(cols.get(c)!, {}));
      if (!types && parent) continue;
      if (!types) lost.add(`${m.stream as string}.${column}: no column`);
      else if (!accepts(types, value))
        lost.add(`${m.stream as string}.${column}: ${jsonType(value)} in a ${types.join('|')} column`);
    }
  }
  return [...lost].sort();
}

const lastSchema = (stream: string): Json =>
  run.messages.filter((m) => m.type === 'SCHEMA' && m.stream === stream).at(-1)!.schema as Json;
const recordsOf = (stream: string): Json[] =>
  run.messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => m.record as Json);

describe('a full Singer sync of every stream, as a SQL target sees it', () => {
  it('completes, every line a valid Singer message, every stream with records', () => {
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    for (const line of run.lines) assertSingerMessage(line);
    const empty = streams.filter((s) => recordsOf(s).length === 0);
    // Streams the fake leaves empty by design are named here so a new one is noticed.
    expect(empty).toEqual([]);
  });

  it('every property of every SCHEMA, top-level and nested, has a type', () => {
    const problems: string[] = [];
    for (const m of run.messages.filter((x) => x.type === 'SCHEMA'))
      untyped(m.schema as Json, m.stream as string, problems);
    expect(problems).toEqual([]);
  });

  it('the fake sends the example-only fields as null first and with values later', () => {
    const contacts = recordsOf('contacts');
    for (const field of ['utm_campaign', 'utm_source', 'utm_medium', 'referrer', 'opted_in_subscription_types']) {
      const firstSet = contacts.findIndex((c) => c[field] !== null && c[field] !== undefined);
      expect(firstSet, field).toBeGreaterThan(0);
      expect(contacts[0]![field], field).toBeNull();
    }
    const types = recordsOf('ticket_types');
    expect(types.some((t) => t.is_internal === null)).toBe(true);
    expect(types.some((t) => typeof t.is_internal === 'boolean')).toBe(true);
  });

  it('the final SCHEMA of each stream types those fields', () => {
    const contacts = lastSchema('contacts').properties;
    for (const field of ['utm_campaign', 'utm_content', 'utm_medium', 'utm_source', 'utm_term', 'referrer'])
      expect(contacts[field].type, field).toEqual(['null', 'string']);
    expect(contacts.enabled_push_messaging.type).toEqual(['null', 'boolean']);
    expect(typesOf(contacts.opted_in_subscription_types)).toContain('object');
    expect(typesOf(lastSchema('conversations').properties.topics)).toContain('object');
    expect(typesOf(lastSchema('conversations').properties.ticket)).toContain('string');
    expect(lastSchema('ticket_types').properties.is_internal.type).toEqual(['null', 'boolean']);
  });

  it.each([0, 1, 10])('every non-null value has a column of its type (objects flattened to level %i)', (maxLevel) => {
    expect(lostValues(maxLevel)).toEqual([]);
  });

  it("Airbyte's catalog (discover) types every property the same way", async () => {
    const { config } = writeJsonFiles({ config: { access_token: TOKEN, base_url: fake.url } });
    const discovered = await runCli(BIN.airbyte, ['discover', '--config', config!]);
    expect(discovered.code, discovered.stderr).toBe(0);
    const catalog = discovered.messages.find((m) => m.type === 'CATALOG')!.catalog as {
      streams: { name: string; json_schema: Json }[];
    };
    expect(catalog.streams.map((s) => s.name).sort()).toEqual([...streams].sort());
    const problems: string[] = [];
    for (const stream of catalog.streams) untyped(stream.json_schema, stream.name, problems);
    expect(problems).toEqual([]);
    const contacts = catalog.streams.find((s) => s.name === 'contacts')!.json_schema.properties;
    expect(contacts.utm_campaign.type).toEqual(['null', 'string']);
    expect(contacts.enabled_push_messaging.type).toEqual(['null', 'boolean']);
  });

  it('the SQL check does catch a value without a column', () => {
    // The check itself: a schema without utm_campaign's type would lose those values.
    const contacts = structuredClone(lastSchema('contacts'));
    contacts.properties.utm_campaign = {};
    const cols = columns(contacts, 0);
    const record = recordsOf('contacts').find((c) => typeof c.utm_campaign === 'string')!;
    expect(
      flatValues(record, 0)
        .filter(([c]) => !cols.has(c))
        .map(([c]) => c),
    ).toEqual(['utm_campaign']);
  });
});
