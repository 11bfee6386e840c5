import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import type { CustomStreamDef } from '../config/custom-streams.js';
import { customReader, inferCustomSchema } from './custom.js';
import type { ReaderItem } from './types.js';

const BASE = 'https://api.intercom.io';
const NOW = 1_700_000_000;

const client = (): IntercomClient =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: 'custom-test-token-123',
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 1,
    maxRateLimitWaitMs: 1000,
    retryBaseDelayMs: 5,
  });

function setup(
  stream: JsonObject,
  extra: JsonObject = {},
): { def: CustomStreamDef; config: ReturnType<typeof parseSourceConfig> } {
  const config = parseSourceConfig(
    { access_token: 'custom-test-token-123', custom_streams: [{ name: 'things', ...stream }], ...extra },
    {},
  );
  return { def: config.customStreams[0]!, config };
}

async function read(stream: JsonObject, state?: JsonObject, extra: JsonObject = {}): Promise<ReaderItem[]> {
  const { def, config } = setup(stream, extra);
  const items: ReaderItem[] = [];
  for await (const item of customReader(def).read({
    client: client(),
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected: new Set(['things']),
    state,
    syncStartedAt: NOW,
  }))
    items.push(item);
  return items;
}

const records = (items: ReaderItem[]): JsonObject[] => items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('custom streams', () => {
  it('GET with macros in the query string, records and _metadata by JSONPath, extra headers', async () => {
    const scope = nock(BASE, { reqheaders: { 'intercom-version': 'Unstable' } })
      .get('/things')
      .query({ since: '2023-11-13', kind: 'a b' })
      .reply(200, { type: 'list', data: [{ id: '1' }, { id: '2' }], pages: { page: 1 } });
    const items = await read({
      path: '/things?since={now-1}&kind=a%20b',
      records_path: '$.data[*]',
      metadata_path: '$.pages',
      headers: { 'Intercom-Version': 'Unstable' },
      macro_date_format: 'yyyy-MM-dd',
    });
    scope.done();
    expect(records(items)).toEqual([
      { id: '1', _metadata: { page: 1 } },
      { id: '2', _metadata: { page: 1 } },
    ]);
  });

  it('cursor pagination follows pages.next.starting_after, then a same-host URL', async () => {
    const scope = nock(BASE)
      .get('/things')
      .query({ per_page: 2 })
      .reply(200, { data: [{ id: '1' }, { id: '2' }], pages: { next: { starting_after: 'c1' } }, total_count: 5 })
      .get('/things')
      .query({ per_page: 2, starting_after: 'c1' })
      .reply(200, { data: [{ id: '3' }, { id: '4' }], pages: { next: `${BASE}/things?cursor=u2` } })
      .get('/things')
      .query({ cursor: 'u2' })
      .reply(200, { data: [{ id: '5' }], pages: { next: null } });
    const items = await read({ path: '/things', records_path: '$.data[*]', pagination: 'cursor', page_size: 2 });
    scope.done();
    expect(records(items).map((r) => r.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(items).toContainEqual({ kind: 'estimate', stream: 'things', rows: 5 });
  });

  it('refuses to follow pages.next to another host (the token stays with Intercom)', async () => {
    nock(BASE)
      .get('/things')
      .reply(200, { data: [], pages: { next: 'https://evil.example.com/steal' } });
    await expect(read({ path: '/things', records_path: '$.data[*]', pagination: 'cursor' })).rejects.toThrow(
      /another host/,
    );
  });

  it('search pagination puts starting_after in the body; {state} resumes from the cursor; state is the max cursor', async () => {
    const bodies: unknown[] = [];
    const scope = nock(BASE)
      .post('/things/search', (b: JsonObject) => (bodies.push(b), true))
      .reply(200, {
        data: [
          { id: '1', updated_at: 150 },
          { id: '2', updated_at: 90 },
        ],
        pages: { next: { starting_after: 'x' } },
      })
      .post('/things/search', (b: JsonObject) => (bodies.push(b), true))
      .reply(200, { data: [{ id: '3', updated_at: 120 }], pages: {} });
    const items = await read(
      {
        method: 'POST',
        path: '/things/search',
        body: { query: { field: 'updated_at', operator: '>', value: '{state}' } },
        records_path: '$.data[*]',
        pagination: 'search',
        page_size: 2,
        cursor_field: 'updated_at',
        primary_key: 'id',
      },
      { updated_at: 100 },
    );
    scope.done();
    expect(bodies).toEqual([
      { query: { field: 'updated_at', operator: '>', value: 100 }, pagination: { per_page: 2 } },
      { query: { field: 'updated_at', operator: '>', value: 100 }, pagination: { per_page: 2, starting_after: 'x' } },
    ]);
    // 90 is before the saved cursor: skipped locally.
    expect(records(items).map((r) => r.id)).toEqual(['1', '3']);
    expect(items.at(-1)).toEqual({ kind: 'checkpoint', state: { updated_at: 150 } });
  });

  it('first sync: {state} is start_date (or 0)', async () => {
    const scope = nock(BASE).get('/things').query({ after: '1704067200' }).reply(200, { data: [] });
    await read({ path: '/things?after={state}', records_path: '$.data[*]', cursor_field: 'updated_at' }, undefined, {
      start_date: '2024-01-01T00:00:00Z',
    });
    scope.done();
    const zero = nock(BASE).get('/things').query({ after: '0' }).reply(200, { data: [] });
    const items = await read({ path: '/things?after={state}', records_path: '$.data[*]', cursor_field: 'updated_at' });
    zero.done();
    expect(items).toEqual([{ kind: 'checkpoint', state: {} }]);
  });

  it('page pagination stops at pages.total_pages', async () => {
    const scope = nock(BASE)
      .get('/things')
      .query({ page: 1, per_page: 2 })
      .reply(200, { data: [{ id: '1' }, { id: '2' }], pages: { total_pages: 2 } })
      .get('/things')
      .query({ page: 2, per_page: 2 })
      .reply(200, { data: [{ id: '3' }], pages: { total_pages: 2 } });
    expect(
      records(await read({ path: '/things', records_path: '$.data[*]', pagination: 'page', page_size: 2 })).map(
        (r) => r.id,
      ),
    ).toEqual(['1', '2', '3']);
    scope.done();
  });

  it('errors name the stream: no records_path, or a path that selects no objects', async () => {
    nock(BASE)
      .get('/things')
      .reply(200, { data: [1, 2] });
    await expect(read({ path: '/things', records_path: '$.data[*]' })).rejects.toThrow(
      /Custom stream things: records_path \$\.data\[\*\] selects number values/,
    );
    await expect(read({ path: '/things' })).rejects.toThrow(/Custom stream things has no records_path.*preview/);
  });

  it('infers a schema from a sample, with key, cursor and _metadata', () => {
    const { def } = setup({
      path: '/x',
      records_path: '$.items[*]',
      metadata_path: '$.type',
      primary_key: ['id'],
      cursor_field: 'changed',
    });
    const schema = inferCustomSchema(def, { type: 'list', items: [{ id: 'a', n: 1 }] });
    expect(schema.additionalProperties).toBe(true);
    expect(schema.properties).toEqual({
      id: { type: ['null', 'string'] },
      n: { type: ['null', 'integer'] },
      _metadata: { type: ['null', 'string'] },
      changed: {},
    });
  });
});
