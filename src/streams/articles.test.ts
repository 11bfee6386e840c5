import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import { ARTICLES_PER_PAGE, articlesReader } from './articles.js';
import type { ReaderItem } from './types.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'articles-test-token-12';
const NOW = 1_718_000_000;
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

// 3 pages, newest first: article i was updated i hours before NOW.
const ARTICLES = Array.from({ length: ARTICLES_PER_PAGE * 2 + 10 }, (_, i) => ({
  type: 'article',
  id: String(9000 + i),
  updated_at: NOW - i * 3600,
}));
const TOTAL_PAGES = 3;

function servePages(pages: number[]): void {
  for (const page of pages) {
    nock(BASE)
      .get('/articles')
      .query({ page: String(page), per_page: String(ARTICLES_PER_PAGE) })
      .reply(200, {
        type: 'list',
        total_count: ARTICLES.length,
        pages: { type: 'pages', page, per_page: ARTICLES_PER_PAGE, total_pages: TOTAL_PAGES },
        data: ARTICLES.slice((page - 1) * ARTICLES_PER_PAGE, page * ARTICLES_PER_PAGE),
      });
  }
}

async function read(state?: JsonObject): Promise<ReaderItem[]> {
  const config = parseSourceConfig({ access_token: TOKEN, lookback_window_minutes: 0 }, {});
  const items: ReaderItem[] = [];
  for await (const item of articlesReader.read({
    client: client(),
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected: new Set(['articles']),
    state,
    syncStartedAt: NOW + 60,
  }))
    items.push(item);
  return items;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('articles reader', () => {
  it('reads every page on a full refresh and checkpoints once, at the end, at the sync start', async () => {
    servePages([1, 2, 3]);
    const items = await read();
    expect(nock.isDone()).toBe(true);
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(ARTICLES.length);
    const checkpoints = items.filter((i) => i.kind === 'checkpoint');
    expect(checkpoints).toEqual([{ kind: 'checkpoint', state: { updated_at: NOW + 60 } }]);
    expect(items.at(-1)!.kind).toBe('checkpoint');
  });

  it('stops after the first page whose articles are all older than the cursor', async () => {
    // Articles 0..20 are newer than the cursor: page 1 partly, page 2 not at all; page 3 is never asked for.
    servePages([1, 2]);
    const cursor = NOW - 20 * 3600;
    const items = await read({ updated_at: cursor });
    const ids = items.flatMap((i) => (i.kind === 'record' ? [i.record.id] : []));
    expect(ids).toEqual(ARTICLES.slice(0, 21).map((a) => a.id));
    expect(nock.isDone()).toBe(true);
  });

  it('keeps paging while a page has articles newer than the cursor', async () => {
    servePages([1, 2, 3]);
    const items = await read({ updated_at: NOW - (ARTICLES_PER_PAGE * 2 - 1) * 3600 });
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(ARTICLES_PER_PAGE * 2);
    expect(nock.isDone()).toBe(true);
  });

  it('never moves the cursor backwards', async () => {
    servePages([1]);
    const items = await read({ updated_at: NOW + 3600 });
    expect(items.at(-1)).toEqual({ kind: 'checkpoint', state: { updated_at: NOW + 3600 } });
  });
});
