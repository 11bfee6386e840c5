import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import { MissingPermissionError, namingPermissions, permissionFor } from './permissions.js';
import type { Reader, ReaderItem } from './types.js';
import { streamDefinition } from './catalog.js';
import { listReader } from './list-reader.js';
import { READERS } from './registry.js';

/** The reader the connector runs for a stream (a table entry's generic list reader, or code). */
const readerOf = (stream: string): Reader => READERS.find((r) => r.streams[0]?.name === stream)!;
const callsReader = readerOf('calls');
const newsItemsReader = readerOf('news_items');
const internalArticlesReader = readerOf('internal_articles');
const brandsReader = readerOf('brands');
const emailsReader = readerOf('emails');

const BASE = 'https://api.intercom.io';
const TOKEN = 'workspace-lists-token-77';
const client = () =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 1,
    maxRateLimitWaitMs: 1000,
    retryBaseDelayMs: 2,
  });

async function read(reader: Reader, apiVersion = '2.14'): Promise<JsonObject[]> {
  const config = parseSourceConfig({ access_token: TOKEN, api_version: apiVersion }, {});
  const records: JsonObject[] = [];
  const selected = new Set(reader.streams.map((s) => s.name));
  for await (const item of reader.read({
    client: client(),
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected,
    state: undefined,
    syncStartedAt: 1_718_000_000,
  }) as AsyncGenerator<ReaderItem>) {
    if (item.kind === 'records') records.push(...item.records);
    if (item.kind === 'record') records.push(item.record);
  }
  return records;
}

const ids = (records: JsonObject[]) => records.map((r) => r.id);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('paged workspace lists', () => {
  it('follows page numbers up to pages.total_pages (calls: 25 per page, the documented maximum)', async () => {
    const calls = Array.from({ length: 60 }, (_, i) => ({ type: 'call', id: String(i) }));
    for (const page of [1, 2, 3]) {
      nock(BASE)
        .get('/calls')
        .query({ page: String(page), per_page: '25' })
        .reply(200, {
          type: 'list',
          total_count: 60,
          pages: { type: 'pages', page, per_page: 25, total_pages: 3 },
          data: calls.slice((page - 1) * 25, page * 25),
        });
    }
    expect(ids(await read(callsReader))).toEqual(calls.map((c) => c.id));
    expect(nock.isDone()).toBe(true);
  });

  it('stops, without duplicates, when an endpoint ignores the page parameter and answers page 1 again', async () => {
    const page = { type: 'list', data: Array.from({ length: 10 }, (_, i) => ({ type: 'news-item', id: String(i) })) };
    // No total_pages, full pages: only the repeat shows that the walk makes no progress.
    nock(BASE).get('/news/news_items').query(true).times(2).reply(200, page);
    expect(ids(await read(newsItemsReader))).toEqual(page.data.map((x) => x.id));
    expect(nock.isDone()).toBe(true);
  });

  it('ends on a short page when there is no pages object', async () => {
    nock(BASE)
      .get('/internal_articles')
      .query({ page: '1', per_page: '25' })
      .reply(200, { type: 'list', data: [{ id: 'a' }, { id: 'b' }] });
    expect(ids(await read(internalArticlesReader))).toEqual(['a', 'b']);
  });

  it('fails with a clear message when the records array is missing', async () => {
    nock(BASE).get('/ai/x').query(true).reply(200, { type: 'list', items: [] });
    const def = streamDefinition('ai_external_pages')!;
    await expect(read(listReader({ ...def, endpoint: { ...def.endpoint!, path: '/ai/x' } }))).rejects.toThrow(
      /no 'data' array/,
    );
  });
});

describe('lists new in API 2.15', () => {
  it('asks /brands with Intercom-Version 2.15 even when api_version is 2.14', async () => {
    nock(BASE, { reqheaders: { 'intercom-version': '2.15' } })
      .get('/brands')
      .reply(200, { type: 'list', data: [{ type: 'brand', id: 'b1' }] });
    expect(ids(await read(brandsReader))).toEqual(['b1']);
  });

  it('keeps a newer configured version', async () => {
    nock(BASE, { reqheaders: { 'intercom-version': '2.15' } })
      .get('/emails')
      .reply(200, { type: 'list', data: [{ type: 'email_setting', id: 'e1' }] });
    expect(ids(await read(emailsReader, '2.15'))).toEqual(['e1']);
  });
});

describe('permissions of the workspace lists', () => {
  it.each([
    ['GET /ticket_states', 'Read tickets'],
    ['GET /away_status_reasons', 'Read admins'],
    ['GET /news/news_items', 'Read and List news items and newsfeeds'],
    ['GET /news/newsfeeds', 'Read and List news items and newsfeeds'],
    ['GET /internal_articles', 'Read and List articles'],
    ['GET /calls', 'Read conversations'],
    ['GET /ai/external_pages', 'Read content data'],
  ])('%s needs "%s"', (endpoint, permission) => {
    expect(permissionFor(endpoint)).toBe(permission);
  });

  it('turns a 403 into a MissingPermissionError naming the permission and the stream', async () => {
    nock(BASE)
      .get('/calls')
      .query(true)
      .reply(403, {
        type: 'error.list',
        errors: [{ code: 'api_plan_restricted', message: 'Active subscription needed.' }],
      });
    const error = await read(namingPermissions(callsReader)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MissingPermissionError);
    expect((error as Error).message).toMatch(/"Read conversations".*calls cannot be read/);
  });
});
