import nock from 'nock';
import { Readable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../../config/source-config.js';
import type { JsonObject } from '../../core/events.js';
import { IntercomClient } from '../../intercom/client.js';
import { settleCleanups } from '../../util/cleanups.js';
import type { ReaderItem } from '../types.js';
import { engagementReader, engagementStart } from './engagement.js';
import { engagementRecords, statisticOfFile } from './engagement-csv.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'engagement-test-token-77';
const DAY = 86_400;
const NOW = 1_718_000_000;

const client = () =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 1,
    maxRateLimitWaitMs: 1,
    retryBaseDelayMs: 1,
  });
const config = (extra: Record<string, unknown> = {}) =>
  parseSourceConfig({ access_token: TOKEN, start_date: new Date((NOW - 10 * DAY) * 1000).toISOString(), ...extra }, {});

async function read(
  opts: { state?: JsonObject; extra?: Record<string, unknown>; signal?: AbortSignal } = {},
): Promise<{ items: ReaderItem[]; error?: unknown }> {
  const items: ReaderItem[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  try {
    for await (const item of engagementReader.read({
      client: client(),
      config: config(opts.extra),
      logger,
      selected: new Set(['content_engagement']),
      state: opts.state,
      syncStartedAt: NOW,
      signal: opts.signal,
    }))
      items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items };
}

beforeAll(() => {
  nock.disableNetConnect();
  process.env.INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS = '1';
});
afterEach(() => nock.cleanAll());

describe('engagement CSV', () => {
  it('names the statistic after the file, without its timestamp or folder', () => {
    expect(statisticOfFile('receipts_20240101_120000.csv')).toBe('receipts');
    expect(statisticOfFile('export/series_completions_20240101_120000.csv')).toBe('series_completions');
    expect(statisticOfFile('Clicks.CSV')).toBe('clicks');
  });

  it('types received_at and first_* as Unix seconds, keeps other cells as text, keys receipts by receipt_id', async () => {
    const csv =
      'user_id,receipt_id,received_at,first_open,content_title,Odd Header\r\nu1,r1,1700000000,,"Hi, ""you""\nthere",x\r\n';
    const batches: JsonObject[][] = [];
    for await (const b of engagementRecords(
      Readable.from([csv]),
      'receipts_20240101_120000.csv',
      { mistyped: new Map() },
      5,
    ))
      batches.push(b);
    expect(batches.flat()).toEqual([
      {
        statistic: 'receipts',
        user_id: 'u1',
        receipt_id: 'r1',
        received_at: 1_700_000_000,
        first_open: null,
        content_title: 'Hi, "you"\nthere',
        odd_header: 'x',
        _row_id: 'receipts:r1',
        _time: 1_700_000_000,
      },
    ]);
  });
});

describe('engagementStart', () => {
  it('re-exports the lookback (14 days by default) before the cursor, never before start_date', () => {
    const ctx = { config: config(), syncStartedAt: NOW };
    expect(engagementStart(ctx, { cursor: NOW - DAY })).toBe(NOW - 10 * DAY);
    expect(
      engagementStart(
        { config: config({ start_date: new Date((NOW - 100 * DAY) * 1000).toISOString() }), syncStartedAt: NOW },
        { cursor: NOW - DAY },
      ),
    ).toBe(NOW - 15 * DAY);
    expect(
      engagementStart({ config: config({ engagement_lookback_days: 2 }), syncStartedAt: NOW }, { cursor: NOW - DAY }),
    ).toBe(NOW - 3 * DAY);
  });
});

describe('the job of a window', () => {
  it('sends the range of send dates, names the job in an immediate STATE, and cancels it when the reader is closed before its rows', async () => {
    nock(BASE)
      .post('/export/content/data', { created_at_after: NOW - 10 * DAY, created_at_before: NOW })
      .reply(200, { job_identifier: 'j1', status: 'pending' });
    const cancel = nock(BASE).post('/export/cancel/j1').reply(200, { job_identifier: 'j1', status: 'canceled' });
    const gen = engagementReader.read({
      client: client(),
      config: config(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      selected: new Set(['content_engagement']),
      state: undefined,
      syncStartedAt: NOW,
    });
    const first = await gen.next();
    expect(first.value).toEqual({
      kind: 'checkpoint',
      state: {
        _time: NOW - 10 * DAY,
        pending_job: { job_identifier: 'j1', start_time: NOW - 10 * DAY, end_time: NOW },
      },
      immediate: true,
    });
    await gen.return(undefined);
    await settleCleanups(2000);
    expect(cancel.isDone()).toBe(true);
  });

  it('reuses the pending job of the STATE, and a completed window is not cancelled', async () => {
    const state = {
      _time: NOW - 10 * DAY,
      pending_job: { job_identifier: 'old', start_time: NOW - 10 * DAY, end_time: NOW - DAY },
    };
    nock(BASE).get('/export/content/data/old').reply(200, { job_identifier: 'old', status: 'no_data' });
    nock(BASE)
      .post('/export/content/data', { created_at_after: NOW - DAY, created_at_before: NOW })
      .reply(200, { job_identifier: 'j3', status: 'pending' });
    nock(BASE).get('/export/content/data/j3').reply(200, { job_identifier: 'j3', status: 'no_data' });
    const cancel = nock(BASE)
      .post(/\/export\/cancel\//)
      .reply(200, {});
    const { items, error } = await read({ state });
    expect(error).toBeUndefined();
    expect(items.filter((i) => i.kind === 'checkpoint').at(-1)).toEqual({
      kind: 'checkpoint',
      state: { _time: NOW },
      immediate: true,
    });
    await settleCleanups(100);
    expect(cancel.isDone()).toBe(false);
  });

  it('a job found cancelled is created again, but not forever', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      nock(BASE).post('/export/content/data').reply(200, { job_identifier: id, status: 'pending' });
      nock(BASE).get(`/export/content/data/${id}`).reply(200, { job_identifier: id, status: 'canceled' });
    }
    const { items, error } = await read();
    expect(String(error)).toMatch(/cancelled or lost 4 times \(last c4\)/);
    expect(items.filter((i) => i.kind === 'checkpoint')).toHaveLength(4);
  });

  it('a stop signal while polling cancels the job', async () => {
    nock(BASE).post('/export/content/data').reply(200, { job_identifier: 'j2', status: 'pending' });
    nock(BASE).get('/export/content/data/j2').times(1000).reply(200, { job_identifier: 'j2', status: 'pending' });
    const cancel = nock(BASE).post('/export/cancel/j2').reply(200, { job_identifier: 'j2', status: 'canceled' });
    const stop = new AbortController();
    const gen = engagementReader.read({
      client: client(),
      config: config(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      selected: new Set(['content_engagement']),
      state: undefined,
      syncStartedAt: NOW,
      signal: stop.signal,
    });
    const first = await gen.next();
    expect(first.value).toMatchObject({ kind: 'checkpoint', state: { pending_job: { job_identifier: 'j2' } } });
    void gen.next().catch(() => undefined);
    stop.abort('SIGTERM');
    await settleCleanups(2000);
    expect(cancel.isDone()).toBe(true);
  });
});
