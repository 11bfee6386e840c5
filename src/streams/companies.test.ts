import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import { companiesReader } from './companies.js';
import type { ReaderItem } from './types.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'companies-test-token-3';
const NOW = Date.UTC(2024, 5, 15) / 1000;
const client = () =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 0,
    maxRateLimitWaitMs: 1000,
    retryBaseDelayMs: 2,
  });

async function read(state?: JsonObject): Promise<{ items: ReaderItem[]; warnings: string[] }> {
  const config = parseSourceConfig({ access_token: TOKEN, lookback_window_minutes: 0 }, {});
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const items: ReaderItem[] = [];
  const ctx = { client: client(), config, logger, selected: new Set(['companies']), state, syncStartedAt: NOW };
  for await (const item of companiesReader.read(ctx)) items.push(item);
  return { items, warnings };
}

/**
 * A scroll of `pages` pages of 2 companies, total_count null, that expires (404) whenever a scroll
 * is asked for more pages than the number of scrolls opened so far: each restart gets one page further.
 */
function expiringScroll(pages: number, updatedAt: (index: number) => number): { opened: () => number } {
  let opened = 0;
  let served = 0;
  nock(BASE)
    .persist()
    .get('/companies/scroll')
    .query(true)
    .reply((uri) => {
      const param = new URL(uri, BASE).searchParams.get('scroll_param');
      if (!param) {
        opened++;
        served = 0;
      } else if (served >= opened) {
        return [
          404,
          { type: 'error.list', errors: [{ code: 'not_found', message: 'scroll_param not found or expired' }] },
        ];
      }
      const data =
        served < pages
          ? [0, 1].map((k) => ({ type: 'company', id: `co${served * 2 + k}`, updated_at: updatedAt(served * 2 + k) }))
          : [];
      served++;
      return [200, { type: 'list', data, pages: null, total_count: null, scroll_param: 'p' }];
    });
  return { opened: () => opened };
}

const companies = (items: ReaderItem[]) =>
  items.flatMap((i) => (i.kind === 'records' && i.stream === 'companies' ? i.records.map((r) => r.id) : []));

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('companies scroll walk', () => {
  it('restarts a scroll that keeps expiring while each restart brings new companies, and delivers each once', async () => {
    const scroll = expiringScroll(6, () => NOW - 100);
    const { items } = await read();
    expect(companies(items).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `co${i}`).sort());
    expect(scroll.opened()).toBe(7);
    expect(items.at(-1)).toEqual({ kind: 'checkpoint', state: { updated_at: NOW } });
  });

  it('counts companies it filters out (incremental) as progress: restarts do not give up on them', async () => {
    // Only the last page's companies changed since the cursor: every restart before it delivers nothing.
    expiringScroll(6, (i) => (i >= 10 ? NOW - 10 : NOW - 10_000));
    const { items } = await read({ updated_at: NOW - 60 });
    expect(companies(items).sort()).toEqual(['co10', 'co11']);
    expect(items.at(-1)).toEqual({ kind: 'checkpoint', state: { updated_at: NOW } });
  });
});
