import { describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { compileStreamPlans, discoveredStreams } from '../transform/stream-plans.js';
import { airbyteCatalog, parseConfiguredAirbyteCatalog, parseSingerCatalog, singerCatalog } from './catalog.js';

const config = (extra: JsonObject = {}) => parseSourceConfig({ access_token: 'catalog-test-token', ...extra }, {});
type Stream = { name: string; json_schema: { properties: Record<string, JsonObject> } };
const streamOf = (catalog: JsonObject, name: string): Stream =>
  (catalog.streams as Stream[]).find((s) => s.name === name)!;

describe('discover with data controls', () => {
  it('names streams with stream_prefix and stream_aliases, in both protocols', () => {
    const c = config({ stream_prefix: 'ic_', stream_aliases: { contacts: 'people' } });
    const names = (airbyteCatalog(discoveredStreams(c)).streams as Stream[]).map((s) => s.name);
    expect(names).toContain('ic_people');
    expect(names).toContain('ic_admins');
    expect(names).not.toContain('contacts');
    const singer = singerCatalog(discoveredStreams(c)).streams as { tap_stream_id: string; stream: string }[];
    expect(singer.find((s) => s.tap_stream_id === 'ic_people')?.stream).toBe('ic_people');
  });

  it('hashed fields and JSON-string modes change the schemas', () => {
    const hashed = streamOf(
      airbyteCatalog(discoveredStreams(config({ hash_fields: { contacts: ['email', 'location.city'] } }))),
      'contacts',
    );
    expect(hashed.json_schema.properties.email).toEqual({ type: ['null', 'string'] });
    expect((hashed.json_schema.properties.location!.properties as JsonObject).city).toEqual({
      type: ['null', 'string'],
    });
    expect(hashed.json_schema.properties.custom_attributes!.type).toEqual(['null', 'string']);
    const none = streamOf(airbyteCatalog(discoveredStreams(config({ json_string_fields: 'none' }))), 'contacts');
    expect(none.json_schema.properties.custom_attributes).toMatchObject({
      type: ['null', 'object'],
      additionalProperties: true,
    });
    const all = streamOf(airbyteCatalog(discoveredStreams(config({ json_string_fields: 'all' }))), 'contacts');
    expect(all.json_schema.properties.location!.type).toEqual(['null', 'string']);
    expect(all.json_schema.properties.location!.properties).toBeUndefined();
    expect(all.json_schema.properties.email!.type).toEqual(['null', 'string']);
    expect(all.json_schema.properties.updated_at).toEqual(
      streamOf(airbyteCatalog(), 'contacts').json_schema.properties.updated_at,
    );
  });

  it('refuses to hash a cursor and hash_fields for an unknown stream', () => {
    expect(() => discoveredStreams(config({ hash_fields: { contacts: ['updated_at'] } }))).toThrow(
      /hashes 'updated_at', the stream's cursor/,
    );
    expect(() => discoveredStreams(config({ hash_fields: { contact: ['email'] } }))).toThrow(
      /hash_fields names stream 'contact'/,
    );
  });
});

describe('field selection', () => {
  const airbyteEntry = (name: string, properties?: JsonObject, mode = 'full_refresh') => ({
    stream: {
      name,
      json_schema: properties === undefined ? {} : { type: 'object', properties },
      supported_sync_modes: ['full_refresh', 'incremental'],
    },
    sync_mode: mode,
    destination_sync_mode: 'append',
  });

  it('Airbyte: fields missing from the configured json_schema are dropped, never the key or cursor; no properties = all fields', () => {
    const c = config({ stream_aliases: { contacts: 'people' } });
    const [people, admins, tags] = parseConfiguredAirbyteCatalog(
      {
        streams: [
          airbyteEntry('people', { email: {} }, 'incremental'),
          airbyteEntry('admins'),
          airbyteEntry('tags', {}),
        ],
      },
      c,
    );
    expect(people!.name).toBe('contacts');
    expect(people!.excludedFields).toContain('name');
    expect(people!.excludedFields).not.toContain('email');
    expect(people!.excludedFields).not.toContain('id');
    expect(people!.excludedFields).not.toContain('updated_at');
    expect(admins!.excludedFields).toBeUndefined();
    expect(tags!.excludedFields).toBeUndefined();
    expect(() => parseConfiguredAirbyteCatalog({ streams: [airbyteEntry('contacts')] }, c)).toThrow(
      /stream 'contacts', which this connector does not have. Known streams: .*people/,
    );
  });

  it('Singer: selected false on a field breadcrumb drops it, except automatic fields', () => {
    const c = config();
    const catalog = singerCatalog(discoveredStreams(c)) as {
      streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: JsonObject }[] }[];
    };
    const admins = catalog.streams.find((s) => s.tap_stream_id === 'admins')!;
    admins.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = true;
    for (const field of ['email', 'id'])
      admins.metadata.find((m) => m.breadcrumb[1] === field)!.metadata.selected = false;
    const [selected] = parseSingerCatalog(catalog, c);
    expect(selected).toEqual({ name: 'admins', syncMode: 'full_refresh', excludedFields: ['email'] });
    const plan = compileStreamPlans(c, [selected!]).get('admins')!;
    expect(plan.schema.properties).not.toHaveProperty('email');
    expect(plan.schema.properties).toHaveProperty('id');
    expect(plan.records.apply({ id: '1', email: 'a@b.c', name: 'A' })).toEqual({ id: '1', name: 'A' });
  });

  it('a custom stream keeps the schema its catalog carries', () => {
    const c = config({
      custom_streams: [{ name: 'things', path: '/things', records_path: '$.data[*]', primary_key: 'id' }],
    });
    const [things] = parseConfiguredAirbyteCatalog(
      { streams: [airbyteEntry('things', { id: { type: 'string' }, label: { type: ['null', 'string'] } })] },
      c,
    );
    expect(things!.catalogSchema).toBeDefined();
    const plan = compileStreamPlans(c, [things!]).get('things')!;
    expect(Object.keys(plan.schema.properties as object).sort()).toEqual(['id', 'label']);
  });
});
