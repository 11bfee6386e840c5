// Data controls: field selection, hashing, schema drift, JSON strings, stream naming,
// custom streams and preview, each through the built CLIs (Airbyte and Singer) against the fake.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import {
  assertAirbyteMessage,
  assertSingerMessage,
  singerCatalogErrors,
  validateAirbyteDefinition,
} from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { sorted } from './keys.js';

type Json = Record<string, unknown>;
type Schema = { properties: Record<string, Json> };
type AirbyteStream = { name: string; json_schema: Schema; supported_sync_modes: string[] };
type SingerEntry = { tap_stream_id: string; schema: Schema; metadata: { breadcrumb: string[]; metadata: Json }[] };

const TOKEN = 'e2e-data-controls-token-4c2a91';
const SALT = 'e2e-salt-9f8e7d6c5b';
const sha = (value: string): string =>
  createHash('sha256')
    .update(SALT + value)
    .digest('hex');
const HEX64 = /^[0-9a-f]{64}$/;

let fake: FakeIntercom;
let admins: Json[];
let tagCount: number;

const CUSTOM_STREAMS = [
  { name: 'admin_list', path: '/admins', records_path: '$.admins[*]', metadata_path: '$.type', primary_key: 'id' },
  // Conversation search compares times exactly (contact search compares calendar days).
  {
    name: 'recent_conversations',
    method: 'POST',
    path: '/conversations/search',
    body: { query: { field: 'updated_at', operator: '>', value: '{state}' } },
    records_path: '$.conversations[*]',
    pagination: 'search',
    page_size: 25,
    primary_key: 'id',
    cursor_field: 'updated_at',
  },
  { name: 'raw_tags', path: '/tags' },
];

/** The main config: hashing, naming and custom streams; variants add drift and JSON-string modes. */
function controls(extra: Json = {}): Json {
  return {
    access_token: TOKEN,
    base_url: fake.url,
    hash_fields: {
      admins: ['email'],
      contacts: ['location.city'],
      conversation_parts: ['author.email'],
      admin_list: ['email'],
    },
    hash_salt: SALT,
    stream_prefix: 'ic_',
    stream_aliases: { contacts: 'people' },
    custom_streams: CUSTOM_STREAMS,
    ...extra,
  };
}

async function intercom<T>(path: string): Promise<T> {
  const response = await fetch(`${fake.url}${path}`, {
    headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.14' },
  });
  return (await response.json()) as T;
}

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 31,
    token: TOKEN,
    size: { contacts: 80, companies: 10, conversations: 20, tickets: 3, largeConversations: 0 },
    latencyMs: 1,
  });
  admins = (await intercom<{ admins: Json[] }>('/admins')).admins;
  tagCount = (await intercom<{ data: unknown[] }>('/tags')).data.length;
});
afterAll(async () => {
  await fake.close();
});

function expectNoClearValues(run: CliRun): void {
  const text = run.stdout + run.stderr;
  for (const admin of admins) expect(text).not.toContain(String(admin.email));
  expect(text).not.toContain(SALT);
}

const logs = (run: CliRun): string[] =>
  run.messages.filter((m) => m.type === 'LOG').map((m) => (m.log as { message: string }).message);

// ---------------------------------------------------------------------------------------------
// Airbyte

async function airbyteDiscover(config: Json): Promise<{ run: CliRun; streams: AirbyteStream[] }> {
  const { config: path } = writeJsonFiles({ config });
  const run = await runCli(BIN.airbyte, ['discover', '--config', path!]);
  expect(run.code, run.stderr).toBe(0);
  const catalog = run.messages.find((m) => m.type === 'CATALOG')!.catalog as { streams: AirbyteStream[] };
  return { run, streams: catalog.streams };
}

/** A configured catalog of the named discovered streams; `edit` changes a stream's json_schema first. */
function configured(streams: AirbyteStream[], names: string[], edit: (s: AirbyteStream) => void = () => {}): Json {
  return {
    streams: names.map((name) => {
      const stream = structuredClone(streams.find((s) => s.name === name)!);
      expect(stream, name).toBeDefined();
      edit(stream);
      return {
        stream,
        sync_mode: stream.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh',
        destination_sync_mode: 'append',
      };
    }),
  };
}

async function airbyteRead(config: Json, catalog: Json, state?: unknown): Promise<CliRun> {
  const files = writeJsonFiles({ config, catalog, ...(state ? { state } : {}) });
  const run = await runCli(BIN.airbyte, [
    'read',
    '--config',
    files.config!,
    '--catalog',
    files.catalog!,
    ...(state ? ['--state', files.state!] : []),
  ]);
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

const withoutJobTitle = (s: AirbyteStream): void => {
  if (s.name === 'ic_admins' || s.name === 'ic_admin_list') delete s.json_schema.properties.job_title;
};

describe('Airbyte', () => {
  let streams: AirbyteStream[];
  let first: CliRun;
  const READ = ['ic_admins', 'ic_people', 'ic_conversation_parts', 'ic_admin_list', 'ic_recent_conversations'];

  beforeAll(async () => {
    ({ streams } = await airbyteDiscover(controls()));
    first = await airbyteRead(controls(), configured(streams, READ, withoutJobTitle));
  });

  it('discover: prefixed and aliased names, hashed fields as strings, custom streams with an inferred schema', () => {
    const names = streams.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['ic_people', 'ic_admins', 'ic_admin_list', 'ic_recent_conversations', 'ic_raw_tags']),
    );
    expect(names.every((n) => n.startsWith('ic_'))).toBe(true);
    for (const s of streams) expect(validateAirbyteDefinition('AirbyteStream', s), s.name).toBeUndefined();
    const byName = new Map(streams.map((s) => [s.name, s]));
    expect(byName.get('ic_admins')!.json_schema.properties.email).toEqual({ type: ['null', 'string'] });
    expect((byName.get('ic_people')!.json_schema.properties.location!.properties as Json).city).toEqual({
      type: ['null', 'string'],
    });
    const custom = byName.get('ic_admin_list')!.json_schema;
    expect(custom.properties.email).toEqual({ type: ['null', 'string'] });
    expect(custom.properties.team_ids).toMatchObject({ type: ['null', 'array'] });
    expect(custom.properties._metadata).toEqual({ type: ['null', 'string'] });
    expect((custom as Json).additionalProperties).toBe(true);
    expect(byName.get('ic_recent_conversations')!.supported_sync_modes).toEqual(['full_refresh', 'incremental']);
  });

  it('runs every stream to COMPLETE under its output name, never the internal one', () => {
    expect(first.code, first.stderr).toBe(0);
    const named = first.messages.flatMap((m) => {
      if (m.type === 'RECORD') return [(m.record as { stream: string }).stream];
      if (m.type === 'STATE')
        return [(m.state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name];
      if (m.type === 'TRACE' && (m.trace as Json).type === 'STREAM_STATUS')
        return [((m.trace as Json).stream_status as { stream_descriptor: { name: string } }).stream_descriptor.name];
      return [];
    });
    expect(new Set(named)).toEqual(new Set(READ));
    for (const stream of READ) {
      const statuses = first.messages.filter(
        (m) =>
          m.type === 'TRACE' &&
          ((m.trace as Json).stream_status as { stream_descriptor?: { name: string } } | undefined)?.stream_descriptor
            ?.name === stream,
      );
      expect(((statuses.at(-1)!.trace as Json).stream_status as Json).status, stream).toBe('COMPLETE');
    }
  });

  it('field selection: a field left out of the configured json_schema is not sent', () => {
    const records = recordsOf(first, 'ic_admins');
    expect(records).toHaveLength(admins.length);
    for (const r of records) {
      expect(r).not.toHaveProperty('job_title');
      expect(r).toHaveProperty('id');
    }
  });

  it('hashing: SHA-256 of salt + value, nested paths included; no clear value or salt in any output', () => {
    const clear = new Map(admins.map((a) => [String(a.id), String(a.email)]));
    for (const r of recordsOf(first, 'ic_admins')) expect(r.email).toBe(sha(clear.get(String(r.id))!));
    const people = recordsOf(first, 'ic_people');
    expect(sorted(people.map((p) => String(p.id)))).toEqual(sorted(fake.groundTruth().contacts));
    const cities = people.map((p) => (p.location as Json | null)?.city).filter((c) => c !== null && c !== undefined);
    expect(cities.length).toBeGreaterThan(0);
    for (const city of cities) expect(city).toMatch(HEX64);
    const authors = recordsOf(first, 'ic_conversation_parts')
      .map((p) => (p.author as Json | null)?.email)
      .filter((e) => typeof e === 'string');
    expect(authors.length).toBeGreaterThan(0);
    for (const email of authors) expect(email).toMatch(HEX64);
    expectNoClearValues(first);
  });

  it('JSON strings (auto): custom_attributes stays a JSON string', () => {
    const person = recordsOf(first, 'ic_people')[0]!;
    expect(typeof person.custom_attributes).toBe('string');
    expect(person.location).toBeTypeOf('object');
  });

  it('schema drift (auto): a field the catalog schema lacks is kept and logged once', () => {
    const records = recordsOf(first, 'ic_admin_list');
    expect(records).toHaveLength(admins.length);
    expect(records.every((r) => typeof r.job_title === 'string' && r._metadata === 'admin.list')).toBe(true);
    const drift = logs(first).filter((l) => l.includes("'job_title'"));
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(/ic_admin_list.*kept/);
  });

  it('custom streams: search pagination, cursor state, and a resumed read with state under aliased names', async () => {
    const conversations = recordsOf(first, 'ic_recent_conversations');
    expect(sorted(conversations.map((c) => String(c.id)))).toEqual(sorted(fake.groundTruth().conversations));
    const state = lastStates(first) as { stream: { stream_descriptor: { name: string }; stream_state: Json } }[];
    const own = state.find((s) => s.stream.stream_descriptor.name === 'ic_recent_conversations')!;
    const cursor = Math.max(...conversations.map((c) => c.updated_at as number));
    expect(own.stream.stream_state.updated_at).toBe(cursor);
    expect(state.some((s) => s.stream.stream_descriptor.name === 'ic_people')).toBe(true);

    const changedContacts = fake.mutate({ stream: 'contacts', update: 3 }).updated;
    const changed = fake.mutate({ stream: 'conversations', update: 3 }).updated;
    // The boundary case, in the data: a conversation changed after the first sync in the very
    // second of its cursor. Only a query that includes the cursor's second (Intercom's `>` is
    // inclusive) delivers it.
    const atCursor = conversations.filter((c) => c.updated_at === cursor).map((c) => String(c.id));
    const sameSecondId = conversations
      .map((c) => String(c.id))
      .find((id) => !changed.includes(id) && !atCursor.includes(id))!;
    const sameSecond = fake.mutate({ stream: 'conversations', ids: [sameSecondId], at: cursor }).updated;
    expect(sameSecond).toEqual([sameSecondId]);
    const second = await airbyteRead(controls(), configured(streams, ['ic_people', 'ic_recent_conversations']), state);
    expect(second.code, second.stderr).toBe(0);
    expect(sorted(new Set(recordsOf(second, 'ic_recent_conversations').map((c) => String(c.id))))).toEqual(
      sorted(new Set([...changed, ...atCursor, sameSecondId])),
    );
    const people = recordsOf(second, 'ic_people').map((c) => String(c.id));
    for (const id of changedContacts) expect(people).toContain(id);
    expect(people.length).toBeLessThan(fake.groundTruth().contacts.length);
    expect(second.stdout + second.stderr).not.toMatch(/state has an entry/);
  });

  it('schema drift (block) and JSON strings (all): unknown fields dropped and logged once; nested values as JSON strings', async () => {
    const config = controls({ schema_drift: 'block', json_string_fields: 'all' });
    const { streams: discovered } = await airbyteDiscover(config);
    expect(discovered.find((s) => s.name === 'ic_people')!.json_schema.properties.location).toMatchObject({
      type: ['null', 'string'],
    });
    const run = await airbyteRead(config, configured(discovered, ['ic_admin_list', 'ic_people'], withoutJobTitle));
    expect(run.code, run.stderr).toBe(0);
    for (const r of recordsOf(run, 'ic_admin_list')) {
      expect(r).not.toHaveProperty('job_title');
      expect(typeof r.team_ids).toBe('string');
    }
    const drift = logs(run).filter((l) => l.includes("'job_title'"));
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(/dropped/);
    const person = recordsOf(run, 'ic_people').find((p) => p.location !== null)!;
    expect(typeof person.location).toBe('string');
    expect((JSON.parse(person.location as string) as Json).city).toMatch(HEX64);
  });

  it('JSON strings (none): custom_attributes stays an object, in records and schema', async () => {
    const config = controls({ json_string_fields: 'none' });
    const { streams: discovered } = await airbyteDiscover(config);
    expect(discovered.find((s) => s.name === 'ic_people')!.json_schema.properties.custom_attributes).toMatchObject({
      type: ['null', 'object'],
    });
    const run = await airbyteRead(config, configured(discovered, ['ic_people']));
    expect(run.code, run.stderr).toBe(0);
    const people = recordsOf(run, 'ic_people');
    expect(people.some((p) => p.custom_attributes !== null && typeof p.custom_attributes === 'object')).toBe(true);
    expect(people.every((p) => typeof p.custom_attributes !== 'string')).toBe(true);
  });

  it('a failing custom stream ends INCOMPLETE with an error naming it; the other streams complete', async () => {
    const config = controls({
      custom_streams: [...CUSTOM_STREAMS, { name: 'broken', path: '/no_such_endpoint', records_path: '$.data[*]' }],
    });
    const { run: discover, streams: discovered } = await airbyteDiscover(config);
    expect(logs(discover).some((l) => l.includes('Custom stream broken') && l.includes('/no_such_endpoint'))).toBe(
      true,
    );
    const run = await airbyteRead(config, configured(discovered, ['ic_tags', 'ic_broken']));
    expect(run.code).toBe(1);
    const error = run.messages.find((m) => m.type === 'TRACE' && (m.trace as Json).type === 'ERROR')!.trace as {
      error: { message: string; stream_descriptor: { name: string } };
    };
    expect(error.error.stream_descriptor.name).toBe('ic_broken');
    expect(error.error.message).toContain('ic_broken');
    expect(recordsOf(run, 'ic_tags')).toHaveLength(tagCount);
  });
});

// ---------------------------------------------------------------------------------------------
// Singer

async function singerDiscover(config: Json): Promise<{ streams: SingerEntry[] }> {
  const { config: path } = writeJsonFiles({ config });
  const run = await runCli(BIN.tap, ['--config', path!, '--discover']);
  expect(run.code, run.stderr).toBe(0);
  const catalog = JSON.parse(run.stdout) as { streams: SingerEntry[] };
  expect(singerCatalogErrors(catalog)).toBeUndefined();
  return catalog;
}

/** Selects streams; `deselect` marks field breadcrumbs selected: false; `dropFromSchema` removes fields from the catalog schema. */
function singerSelection(
  catalog: { streams: SingerEntry[] },
  names: string[],
  opts: { deselect?: Record<string, string[]>; dropFromSchema?: Record<string, string[]> } = {},
): Json {
  const copy = structuredClone(catalog);
  for (const s of copy.streams) {
    s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = names.includes(s.tap_stream_id);
    for (const field of opts.deselect?.[s.tap_stream_id] ?? [])
      s.metadata.find((m) => m.breadcrumb[1] === field)!.metadata.selected = false;
    for (const field of opts.dropFromSchema?.[s.tap_stream_id] ?? []) {
      delete s.schema.properties[field];
      s.metadata = s.metadata.filter((m) => m.breadcrumb[1] !== field);
    }
  }
  return copy as unknown as Json;
}

async function singerRead(config: Json, catalog: Json, state?: unknown): Promise<CliRun> {
  const files = writeJsonFiles({ config, catalog, ...(state ? { state } : {}) });
  const run = await runCli(BIN.tap, [
    '--config',
    files.config!,
    '--catalog',
    files.catalog!,
    ...(state ? ['--state', files.state!] : []),
  ]);
  for (const line of run.lines) assertSingerMessage(line);
  return run;
}

const schemasOf = (run: CliRun, stream: string): Schema[] =>
  run.messages.filter((m) => m.type === 'SCHEMA' && m.stream === stream).map((m) => m.schema as Schema);

describe('Singer', () => {
  let catalog: { streams: SingerEntry[] };
  let first: CliRun;
  const READ = ['ic_admins', 'ic_people', 'ic_admin_list', 'ic_recent_conversations'];

  beforeAll(async () => {
    catalog = await singerDiscover(controls());
    first = await singerRead(
      controls(),
      singerSelection(catalog, READ, {
        deselect: { ic_admins: ['job_title', 'id'] },
        dropFromSchema: { ic_admin_list: ['job_title'] },
      }),
    );
  });

  it('discover: prefixed and aliased tap_stream_ids, hashed fields as strings, inferred custom schemas', () => {
    const byId = new Map(catalog.streams.map((s) => [s.tap_stream_id, s]));
    expect([...byId.keys()]).toEqual(
      expect.arrayContaining(['ic_people', 'ic_admins', 'ic_admin_list', 'ic_raw_tags']),
    );
    expect(byId.has('contacts')).toBe(false);
    expect(byId.get('ic_admins')!.schema.properties.email).toEqual({ type: ['null', 'string'] });
    expect(byId.get('ic_admin_list')!.schema.properties.job_title).toEqual({ type: ['null', 'string'] });
    const pk = byId.get('ic_recent_conversations')!.metadata.find((m) => m.breadcrumb[1] === 'id')!;
    expect(pk.metadata.inclusion).toBe('automatic');
  });

  it('field selection: selected false drops a field from SCHEMA and RECORDs, but never the key', () => {
    expect(first.code, first.stderr).toBe(0);
    const [schema] = schemasOf(first, 'ic_admins');
    expect(schema!.properties).not.toHaveProperty('job_title');
    expect(schema!.properties).toHaveProperty('id');
    const records = recordsOf(first, 'ic_admins');
    expect(records).toHaveLength(admins.length);
    for (const r of records) {
      expect(r).not.toHaveProperty('job_title');
      expect(r).toHaveProperty('id');
    }
  });

  it('hashing: the same hashes as under Airbyte; no clear value or salt in any output', () => {
    const clear = new Map(admins.map((a) => [String(a.id), String(a.email)]));
    for (const r of recordsOf(first, 'ic_admins')) expect(r.email).toBe(sha(clear.get(String(r.id))!));
    for (const p of recordsOf(first, 'ic_people')) {
      const city = (p.location as Json | null)?.city;
      if (city !== null && city !== undefined) expect(city).toMatch(HEX64);
    }
    expectNoClearValues(first);
  });

  it('schema drift (auto): a widened SCHEMA with the new field precedes the first RECORD that has it; logged once', () => {
    const types = first.messages.filter((m) => m.stream === 'ic_admin_list').map((m) => m.type);
    expect(types.slice(0, 3)).toEqual(['SCHEMA', 'SCHEMA', 'RECORD']);
    const [initial, widened] = schemasOf(first, 'ic_admin_list');
    expect(initial!.properties).not.toHaveProperty('job_title');
    expect(widened!.properties.job_title).toEqual({ type: ['null', 'string'] });
    expect(recordsOf(first, 'ic_admin_list').every((r) => typeof r.job_title === 'string')).toBe(true);
    expect(first.stderr.match(/new field 'job_title'/g)).toHaveLength(1);
  });

  it('bookmarks use the aliased names, and a resumed run with them reads only what changed', async () => {
    const state = first.messages.filter((m) => m.type === 'STATE').at(-1)!.value as { bookmarks: Record<string, Json> };
    expect(Object.keys(state.bookmarks).sort()).toEqual([...READ].sort());
    const changedContacts = fake.mutate({ stream: 'contacts', update: 2 }).updated;
    const changed = fake.mutate({ stream: 'conversations', update: 2 }).updated;
    const cursor = state.bookmarks.ic_recent_conversations!.updated_at as number;
    // The boundary case, in the data: a conversation changed in the very second of the cursor.
    const sameSecondId = fake.groundTruth().conversations.find((id) => !changed.includes(id))!;
    expect(fake.mutate({ stream: 'conversations', ids: [sameSecondId], at: cursor }).updated).toEqual([sameSecondId]);
    const second = await singerRead(
      controls(),
      singerSelection(catalog, ['ic_people', 'ic_recent_conversations']),
      state,
    );
    expect(second.code, second.stderr).toBe(0);
    const delivered = recordsOf(second, 'ic_recent_conversations');
    for (const id of [...changed, sameSecondId]) expect(delivered.map((c) => String(c.id))).toContain(id);
    // Only what changed, and the record at the cursor (search `>` is inclusive).
    for (const c of delivered)
      if (!changed.includes(String(c.id)) && String(c.id) !== sameSecondId) expect(c.updated_at).toBe(cursor);
    const people = recordsOf(second, 'ic_people').map((c) => String(c.id));
    for (const id of changedContacts) expect(people).toContain(id);
    expect(people.length).toBeLessThan(fake.groundTruth().contacts.length);
  });

  it('schema drift (block) and JSON strings (all / none) change SCHEMA and RECORDs alike', async () => {
    const blockAll = controls({ schema_drift: 'block', json_string_fields: 'all' });
    const run = await singerRead(
      blockAll,
      singerSelection(await singerDiscover(blockAll), ['ic_admin_list', 'ic_people'], {
        dropFromSchema: { ic_admin_list: ['job_title'] },
      }),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(schemasOf(run, 'ic_admin_list')).toHaveLength(1);
    for (const r of recordsOf(run, 'ic_admin_list')) expect(r).not.toHaveProperty('job_title');
    expect(run.stderr.match(/'job_title'.*dropped/g)).toHaveLength(1);
    expect(schemasOf(run, 'ic_people')[0]!.properties.location).toMatchObject({ type: ['null', 'string'] });
    expect(recordsOf(run, 'ic_people').every((p) => p.location === null || typeof p.location === 'string')).toBe(true);

    const none = controls({ json_string_fields: 'none' });
    const objects = await singerRead(none, singerSelection(await singerDiscover(none), ['ic_people']));
    expect(objects.code, objects.stderr).toBe(0);
    expect(schemasOf(objects, 'ic_people')[0]!.properties.custom_attributes).toMatchObject({
      type: ['null', 'object'],
    });
    expect(
      recordsOf(objects, 'ic_people').some(
        (p) => p.custom_attributes !== null && typeof p.custom_attributes === 'object',
      ),
    ).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Preview (for people: pretty JSON)

describe('preview', () => {
  it('prints a few records of a stream after every data control, by its alias', async () => {
    const { config } = writeJsonFiles({ config: controls() });
    const run = await runCli(BIN.airbyte, ['preview', '--config', config!, '--stream', 'ic_people', '--limit', '3']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('\n  "records": [');
    const result = JSON.parse(run.stdout) as { stream: string; records: Json[] };
    expect(result.stream).toBe('ic_people');
    expect(result.records).toHaveLength(3);
    for (const r of result.records) {
      expect(typeof r.custom_attributes).toBe('string');
      const city = (r.location as Json | null)?.city;
      if (city !== null && city !== undefined) expect(city).toMatch(HEX64);
    }
  });

  it('suggests records paths for a custom stream without records_path', async () => {
    const { config } = writeJsonFiles({ config: controls() });
    const run = await runCli(BIN.airbyte, ['preview', '--config', config!, '--stream', 'raw_tags']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      stream: string;
      records: Json[];
      records_path_suggestions: { path: string; records: number }[];
    };
    expect(result.stream).toBe('ic_raw_tags');
    expect(result.records_path_suggestions[0]).toEqual({ path: '$.data[*]', records: tagCount });
  });

  it("shows a custom stream's records and refuses an unknown stream by name", async () => {
    const { config } = writeJsonFiles({ config: controls() });
    const run = await runCli(BIN.airbyte, ['preview', '--config', config!, '--stream', 'admin_list', '--limit', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { records: Json[] }).records.map((r) => r._metadata)).toEqual([
      'admin.list',
      'admin.list',
    ]);
    const unknown = await runCli(BIN.airbyte, ['preview', '--config', config!, '--stream', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--stream nope is not a stream of this config/);
  });
});
