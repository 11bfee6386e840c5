import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { IntercomApiError } from '../intercom/errors.js';
import { IntercomClient } from '../intercom/client.js';
import { activityLogsReader } from './activity-logs.js';
import { DAY } from './slicing.js';
import type { ReaderItem } from './types.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'activity-logs-test-token-1';
const NOW = Date.UTC(2024, 5, 15) / 1000;
const LOWER = NOW - 12 * DAY;

const client = () =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 4,
    maxRateLimitWaitMs: 1000,
    retryBaseDelayMs: 2,
  });

async function read(extra: JsonObject = {}, state?: JsonObject): Promise<{ items: ReaderItem[]; warnings: string[] }> {
  const config = parseSourceConfig(
    {
      access_token: TOKEN,
      start_date: new Date(LOWER * 1000).toISOString(),
      activity_logs_window_days: 5,
      max_concurrency: 1,
      ...extra,
    },
    {},
  );
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const items: ReaderItem[] = [];
  for await (const item of activityLogsReader.read({
    client: client(),
    config,
    logger,
    selected: new Set(['activity_logs']),
    state,
    syncStartedAt: NOW,
  }))
    items.push(item);
  return { items, warnings };
}

/** A fake GET /admins/activity_logs: inclusive bounds, 2 per page, 500 for windows wider than `maxDays`. */
function serve(
  logs: { id: string; created_at: number }[],
  maxDays: number,
  requests: string[],
  paging: 'cursor' | 'pages' = 'cursor',
): void {
  nock(BASE)
    .get('/me')
    .reply(200, { type: 'admin', id: '1', app: { type: 'app', created_at: NOW - 900 * DAY } });
  nock(BASE)
    .persist()
    .get('/admins/activity_logs')
    .query(true)
    .reply((uri) => {
      const q = new URL(uri, BASE).searchParams;
      requests.push(uri);
      const after = Number(q.get('created_at_after'));
      const before = Number(q.get('created_at_before'));
      if (before - after > maxDays * DAY)
        return [500, { type: 'error.list', errors: [{ code: 'server_error', message: 'narrower range please' }] }];
      const all = logs
        .filter((l) => l.created_at >= after && l.created_at <= before)
        .sort((a, b) => b.created_at - a.created_at);
      if (paging === 'pages') {
        // The OpenAPI example's shape: no next, page / per_page / total_pages (no starting_after parameter).
        const page = Number(q.get('page') ?? 1);
        const pages = {
          type: 'pages',
          next: null,
          page,
          per_page: 2,
          total_pages: Math.max(1, Math.ceil(all.length / 2)),
        };
        return [200, { type: 'activity_log.list', pages, activity_logs: all.slice((page - 1) * 2, page * 2) }];
      }
      const offset = Number(q.get('starting_after') ?? 0);
      const next = offset + 2 < all.length ? { per_page: 2, starting_after: String(offset + 2) } : null;
      return [
        200,
        { type: 'activity_log.list', pages: { type: 'pages', next }, activity_logs: all.slice(offset, offset + 2) },
      ];
    });
}

const records = (items: ReaderItem[]) => items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
const checkpoints = (items: ReaderItem[]) =>
  items.flatMap((i) => (i.kind === 'checkpoint' ? [i.state.created_at as number] : []));

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('activity_logs reader', () => {
  // On window boundaries (LOWER + 5 days), just inside the read window, and outside it.
  const logs = [
    { id: 'a', created_at: LOWER },
    { id: 'b', created_at: LOWER + 5 * DAY - 1 },
    { id: 'c', created_at: LOWER + 5 * DAY },
    { id: 'd', created_at: LOWER + 5 * DAY + 1 },
    { id: 'e', created_at: LOWER + 6 * DAY },
    { id: 'f', created_at: LOWER + 7 * DAY },
    { id: 'g', created_at: NOW - 1 },
    { id: 'too-old', created_at: LOWER - 1 },
    { id: 'too-new', created_at: NOW + 5 },
  ];

  it('reads every window with both bounds, follows pages, and checkpoints each completed window', async () => {
    const requests: string[] = [];
    serve(logs, 30, requests);
    const { items, warnings } = await read();
    expect(records(items).map((r) => r.id)).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd', 'e', 'f', 'g']));
    expect(records(items)).toHaveLength(7);
    expect(requests.every((u) => /created_at_after=\d+/.test(u) && /created_at_before=\d+/.test(u))).toBe(true);
    expect(requests.some((u) => /starting_after=/.test(u))).toBe(true);
    expect(checkpoints(items)).toEqual([LOWER + 5 * DAY, LOWER + 10 * DAY, NOW]);
    expect(warnings).toEqual([]);
    // A checkpoint only follows the records of the windows it covers.
    const firstCheckpoint = items.findIndex((i) => i.kind === 'checkpoint');
    expect(
      records(items.slice(0, firstCheckpoint))
        .map((r) => r.id)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('follows page numbers when Intercom pages as the OpenAPI example does (no next, total_pages)', async () => {
    const requests: string[] = [];
    serve(logs, 30, requests, 'pages');
    const { items } = await read();
    expect(
      records(items)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    // The second window holds c, d, e, f: its second page is asked for by number.
    expect(requests.some((u) => /[?&]page=2/.test(u))).toBe(true);
    expect(requests.some((u) => /starting_after=/.test(u))).toBe(false);
    expect(checkpoints(items)).toEqual([LOWER + 5 * DAY, LOWER + 10 * DAY, NOW]);
  });

  it('halves a window Intercom keeps refusing (500), and loses nothing', async () => {
    const requests: string[] = [];
    serve(logs, 3, requests);
    const { items, warnings } = await read();
    expect(
      records(items)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(warnings.filter((w) => /two halves/.test(w))).toHaveLength(2);
    expect(checkpoints(items).at(-1)).toBe(NOW);
  });

  it('reports the failure once the window cannot be halved further', async () => {
    const requests: string[] = [];
    serve(logs, -1, requests);
    const err = await read({ start_date: new Date((NOW - 3 * 3600) * 1000).toISOString() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntercomApiError);
    expect((err as IntercomApiError).failureType).toBe('transient_error');
    // 3 hours -> 1.5 h -> 45 min: three widths, two attempts each (one retry).
    expect(requests).toHaveLength(6);
  });

  it('starts an incremental read at the cursor minus the lookback, without asking /me', async () => {
    const requests: string[] = [];
    serve(logs, 30, requests);
    const cursor = LOWER + 6 * DAY + 100;
    const { items } = await read({ lookback_window_minutes: 0 }, { created_at: cursor });
    expect(
      records(items)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['f', 'g']);
    expect(checkpoints(items).at(-1)).toBe(NOW);
    expect(nock.pendingMocks()).toContain(`GET ${BASE}:443/me`);
  });
});
