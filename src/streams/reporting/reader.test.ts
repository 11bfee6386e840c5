import nock from 'nock';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../../config/source-config.js';
import type { JsonObject } from '../../core/events.js';
import { IntercomClient } from '../../intercom/client.js';
import type { ReaderItem } from '../types.js';
import { csvRecords } from './csv-rows.js';
import { convertCell, parseDataset, reportingSchema } from './datasets.js';
import { firstWindowStart, reportingReader, windowsBetween } from './reader.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'reporting-test-token-55';
const DAY = 86_400;
const NOW = 1_718_000_000;

const DATASET = {
  id: 'conversation',
  name: 'Conversation',
  description: 'Conversation-level details.',
  default_time_attribute_id: 'conversation_started_at',
  attributes: [
    { id: 'conversation_id', qualified_id: 'standard.conversation_id', name: 'Conversation ID', data_type: 'string' },
    {
      id: 'conversation_started_at',
      qualified_id: 'standard.conversation_started_at',
      name: 'Started',
      data_type: 'datetime',
    },
    { id: 'reply_seconds', qualified_id: 'standard.reply_seconds', name: 'Reply time', data_type: 'integer' },
    { id: 'csat', qualified_id: 'standard.csat', name: 'CSAT', data_type: 'float' },
    { id: 'reopened', qualified_id: 'standard.reopened', name: 'Reopened', data_type: 'boolean' },
    { id: 'subject', qualified_id: 'standard.subject', name: 'Subject' },
  ],
};
const QUALIFIED = DATASET.attributes.map((a) => a.qualified_id);

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

function config(extra: Record<string, unknown> = {}) {
  return parseSourceConfig(
    {
      access_token: TOKEN,
      reporting_datasets: ['conversation'],
      reporting_window_days: 7,
      start_date: new Date((NOW - 10 * DAY) * 1000).toISOString(),
      ...extra,
    },
    {},
  );
}

async function read(
  state?: JsonObject,
  extra: Record<string, unknown> = {},
): Promise<{ records: JsonObject[]; checkpoints: JsonObject[]; items: ReaderItem[]; warnings: string[] }> {
  const items: ReaderItem[] = [];
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  for await (const item of reportingReader('conversation').read({
    client: client(),
    config: config(extra),
    logger,
    selected: new Set(['reporting_conversation']),
    state,
    syncStartedAt: NOW,
  }))
    items.push(item);
  return {
    items,
    warnings,
    records: items.flatMap((i) => (i.kind === 'records' ? i.records : [])),
    checkpoints: items.flatMap((i) => (i.kind === 'checkpoint' ? [i.state] : [])),
  };
}

const csvOf = (rows: string[][]) =>
  ['conversation_id,conversation_started_at,reply_seconds,csat,reopened,subject', ...rows.map((r) => r.join(','))].join(
    '\r\n',
  );
const serveDatasets = () =>
  nock(BASE)
    .get('/export/reporting_data/get_datasets')
    .reply(200, { type: 'list', data: [DATASET] });
function serveJob(id: string, start: number, end: number, statuses: string[], csv: string): void {
  nock(BASE)
    .post('/export/reporting_data/enqueue', {
      dataset_id: 'conversation',
      attribute_ids: QUALIFIED,
      start_time: start,
      end_time: end,
    })
    .reply(200, { job_identifier: id, status: 'pending' });
  for (const status of statuses)
    nock(BASE)
      .get(`/export/reporting_data/${id}`)
      .reply(200, {
        job_identifier: id,
        status,
        download_url: status === 'complete' ? `${BASE}/download/reporting_data/${id}` : '',
      });
  nock(BASE, { reqheaders: { accept: 'application/octet-stream' } })
    .get(`/download/reporting_data/${id}`)
    .reply(200, gzipSync(csv), { 'content-type': 'application/octet-stream' });
}

beforeAll(() => {
  nock.disableNetConnect();
  process.env.INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS = '1';
});
afterEach(() => nock.cleanAll());

describe('datasets', () => {
  it('takes qualified ids, declared types, the time attribute and the identifier from get_datasets', () => {
    const dataset = parseDataset(DATASET)!;
    expect(dataset.timeAttribute).toBe('conversation_started_at');
    expect(dataset.identifier).toBe('conversation_id');
    expect(dataset.attributes.map((a) => [a.id, a.qualifiedId, a.kind])).toEqual([
      ['conversation_id', 'standard.conversation_id', 'string'],
      ['conversation_started_at', 'standard.conversation_started_at', 'timestamp'],
      ['reply_seconds', 'standard.reply_seconds', 'integer'],
      ['csat', 'standard.csat', 'number'],
      ['reopened', 'standard.reopened', 'boolean'],
      ['subject', 'standard.subject', 'string'],
    ]);
    const props = reportingSchema(dataset).properties as Record<string, { type: unknown }>;
    expect(props.reply_seconds!.type).toEqual(['null', 'integer']);
    expect(props.conversation_started_at!.type).toEqual(['null', 'integer']);
    expect(props._row_id!.type).toBe('string');
    expect(props._time!.type).toBe('integer');
  });

  it('refuses a dataset whose time attribute is not among its attributes', () => {
    expect(parseDataset({ ...DATASET, default_time_attribute_id: 'nope' })).toBeUndefined();
  });

  it.each([
    ['integer', '42', 42, true],
    ['integer', '4.5', '4.5', false],
    ['number', '4.5', 4.5, true],
    ['boolean', 'TRUE', true, true],
    ['boolean', 'maybe', 'maybe', false],
    ['timestamp', '1717490000', 1717490000, true],
    ['timestamp', '2024-06-04T08:33:20Z', 1717490000, true],
    ['string', '', null, true],
  ] as const)('types a %s cell %j', (kind, text, value, ok) => {
    expect(convertCell(kind, text)).toEqual({ value, ok });
  });
});

describe('CSV rows', () => {
  it('parses quoted commas, newlines, doubled quotes, non-ASCII, a BOM and CRLF; keeps unknown columns as text', async () => {
    const csv =
      '\uFEFFstandard.conversation_id,Started,reply_seconds,subject,extra col\r\n' +
      '1,2024-06-04T08:33:20Z,30,"Refund, please",x\r\n' +
      '2,1717490001,,"two\nlines ""quoted"" — 日本語",y\r\n';
    const problems = { mistyped: new Map<string, string>() };
    const batches: JsonObject[][] = [];
    for await (const batch of csvRecords(
      Readable.from([Buffer.from(csv, 'utf8')]),
      parseDataset(DATASET)!,
      problems,
      0,
    ))
      batches.push(batch);
    expect(batches.flat()).toEqual([
      {
        conversation_id: '1',
        conversation_started_at: 1717490000,
        reply_seconds: 30,
        subject: 'Refund, please',
        extra_col: 'x',
        _row_id: '1',
        _time: 1717490000,
      },
      {
        conversation_id: '2',
        conversation_started_at: 1717490001,
        reply_seconds: null,
        subject: 'two\nlines "quoted" — 日本語',
        extra_col: 'y',
        _row_id: '2',
        _time: 1717490001,
      },
    ]);
    expect(problems.mistyped.size).toBe(0);
  });

  it('hands rows over in bounded batches', async () => {
    const rows = Array.from({ length: 1234 }, (_, i) => `${i},1717490000,1,1,true,s`);
    const sizes: number[] = [];
    for await (const batch of csvRecords(
      Readable.from([csvOf([]) + '\r\n' + rows.join('\r\n')]),
      parseDataset(DATASET)!,
      { mistyped: new Map() },
      0,
    ))
      sizes.push(batch.length);
    expect(sizes).toEqual([500, 500, 234]);
  });
});

describe('windows', () => {
  it('cover [start, end] in steps, the last one shorter', () => {
    expect(windowsBetween(0, 10 * DAY, 4)).toEqual([
      { start: 0, end: 4 * DAY },
      { start: 4 * DAY, end: 8 * DAY },
      { start: 8 * DAY, end: 10 * DAY },
    ]);
  });

  it('start at start_date, never before the retention; incremental reads go back by the lookback', () => {
    const ctx = (extra: Record<string, unknown>) => ({ config: config(extra), syncStartedAt: NOW });
    expect(firstWindowStart(ctx({}), {})).toBe(NOW - 10 * DAY);
    expect(firstWindowStart(ctx({ start_date: '2001-01-01T00:00:00Z' }), {})).toBe(NOW - 730 * DAY);
    expect(firstWindowStart(ctx({ reporting_lookback_days: 2 }), { cursor: NOW - DAY })).toBe(NOW - 3 * DAY);
    expect(
      firstWindowStart(ctx({}), {
        cursor: NOW - DAY,
        pending: { job_identifier: 'j', start_time: NOW - 5 * DAY, end_time: NOW - DAY },
      }),
    ).toBe(NOW - 5 * DAY);
  });
});

describe('reporting reader', () => {
  it('enqueues each window, polls until complete, streams the gzip CSV, and checkpoints the job and then the window', async () => {
    serveDatasets();
    serveJob(
      'j1',
      NOW - 10 * DAY,
      NOW - 3 * DAY,
      ['pending', 'in_progress', 'complete'],
      csvOf([['1', '2024-06-01T00:00:00Z', '5', '4.5', 'false', '"a, b"']]),
    );
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([['2', String(NOW - DAY), '', '', 'true', 'x']]));
    const { records, checkpoints } = await read();
    expect(records.map((r) => r._row_id)).toEqual(['1', '2']);
    expect(records[0]).toMatchObject({ reply_seconds: 5, csat: 4.5, reopened: false, subject: 'a, b' });
    expect(checkpoints).toEqual([
      {
        _time: NOW - 10 * DAY,
        pending_job: { job_identifier: 'j1', start_time: NOW - 10 * DAY, end_time: NOW - 3 * DAY },
      },
      { _time: NOW - 3 * DAY },
      { _time: NOW - 3 * DAY, pending_job: { job_identifier: 'j2', start_time: NOW - 3 * DAY, end_time: NOW } },
      { _time: NOW },
    ]);
    expect(nock.isDone()).toBe(true);
  });

  it('marks the pending-job checkpoints as immediate (they must reach the STATE before polling)', async () => {
    serveDatasets();
    serveJob('j1', NOW - 10 * DAY, NOW - 3 * DAY, ['complete'], csvOf([]));
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([]));
    const { items } = await read();
    const checkpoints = items.filter((i) => i.kind === 'checkpoint');
    expect(checkpoints.every((c) => c.kind === 'checkpoint' && c.immediate === true)).toBe(true);
  });

  it('waits on the 429 of the pending-job limit instead of failing', async () => {
    serveDatasets();
    nock(BASE)
      .post('/export/reporting_data/enqueue')
      .times(2)
      .reply(429, {
        type: 'error.list',
        errors: [
          { code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 5 pending reporting dataset export jobs' },
        ],
      });
    serveJob('j1', NOW - 10 * DAY, NOW - 3 * DAY, ['complete'], csvOf([['1', String(NOW - 9 * DAY), '', '', '', '']]));
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([]));
    const { records } = await read();
    expect(records.map((r) => r._row_id)).toEqual(['1']);
    expect(nock.isDone()).toBe(true);
  });

  it('enqueues a failed job once more', async () => {
    serveDatasets();
    nock(BASE).post('/export/reporting_data/enqueue').reply(200, { job_identifier: 'bad', status: 'pending' });
    nock(BASE).get('/export/reporting_data/bad').reply(200, { job_identifier: 'bad', status: 'failed' });
    serveJob('j1', NOW - 10 * DAY, NOW - 3 * DAY, ['complete'], csvOf([['1', String(NOW - 9 * DAY), '', '', '', '']]));
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([]));
    const { records, warnings } = await read();
    expect(records).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/export job bad .* failed; enqueueing it once more/);
  });

  it('fails naming the window when the job fails twice', async () => {
    serveDatasets();
    nock(BASE).post('/export/reporting_data/enqueue').times(2).reply(200, { job_identifier: 'bad', status: 'pending' });
    nock(BASE).get('/export/reporting_data/bad').times(2).reply(200, { job_identifier: 'bad', status: 'failed' });
    const start = new Date((NOW - 10 * DAY) * 1000).toISOString();
    await expect(read()).rejects.toThrow(
      new RegExp(`dataset conversation, window ${start.replace(/[.]/g, '\\.')}\\.\\..* failed twice`),
    );
  });

  it('resumes with the job named in the state: polls it instead of enqueueing the window again', async () => {
    serveDatasets();
    nock(BASE)
      .get('/export/reporting_data/old')
      .reply(200, { job_identifier: 'old', status: 'complete', download_url: `${BASE}/download/reporting_data/old` });
    nock(BASE)
      .get('/download/reporting_data/old')
      .reply(200, gzipSync(csvOf([['7', String(NOW - 2 * DAY), '', '', '', '']])));
    serveJob('j9', NOW - DAY, NOW, ['complete'], csvOf([]));
    const { records } = await read({
      _time: NOW - 4 * DAY,
      pending_job: { job_identifier: 'old', start_time: NOW - 4 * DAY, end_time: NOW - DAY },
    });
    expect(records.map((r) => r._row_id)).toEqual(['7']);
    expect(nock.isDone()).toBe(true);
  });

  it('exports the window again when the download link expired (404)', async () => {
    serveDatasets();
    nock(BASE).post('/export/reporting_data/enqueue').reply(200, { job_identifier: 'e1', status: 'pending' });
    nock(BASE)
      .get('/export/reporting_data/e1')
      .reply(200, { job_identifier: 'e1', status: 'complete', download_url: `${BASE}/download/reporting_data/e1` });
    nock(BASE)
      .get('/download/reporting_data/e1')
      .reply(404, {
        type: 'error.list',
        errors: [{ code: 'not_found', message: 'Export job not found for identifier: e1' }],
      });
    serveJob('j1', NOW - 10 * DAY, NOW - 3 * DAY, ['complete'], csvOf([['1', String(NOW - 9 * DAY), '', '', '', '']]));
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([]));
    const { records, warnings } = await read();
    expect(records).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/link expired/);
  });

  it('never sends the token to a download_url on another host; it downloads from the API instead', async () => {
    serveDatasets();
    nock(BASE).post('/export/reporting_data/enqueue').reply(200, { job_identifier: 'x1', status: 'pending' });
    nock(BASE)
      .get('/export/reporting_data/x1')
      .reply(200, { job_identifier: 'x1', status: 'complete', download_url: 'https://evil.example.com/steal' });
    nock(BASE)
      .get('/download/reporting_data/x1')
      .reply(200, gzipSync(csvOf([])));
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([]));
    await read();
    expect(nock.isDone()).toBe(true);
  });

  it('reads a body the server gzipped with Content-Encoding as well as a .gz file', async () => {
    serveDatasets();
    nock(BASE).post('/export/reporting_data/enqueue').reply(200, { job_identifier: 'c1' });
    nock(BASE)
      .get('/export/reporting_data/c1')
      .reply(200, { job_identifier: 'c1', status: 'complete', download_url: '' });
    nock(BASE)
      .get('/download/reporting_data/c1')
      .reply(200, gzipSync(csvOf([['3', String(NOW - 9 * DAY), '', '', '', 'é']])), { 'content-encoding': 'gzip' });
    serveJob('j2', NOW - 3 * DAY, NOW, ['complete'], csvOf([]));
    const { records } = await read();
    expect(records.map((r) => r.subject)).toEqual(['é']);
  });

  it('says which datasets exist when the config names one the workspace does not offer', async () => {
    nock(BASE)
      .get('/export/reporting_data/get_datasets')
      .reply(200, { type: 'list', data: [{ ...DATASET, id: 'ticket' }] });
    await expect(read()).rejects.toThrow(
      /reporting_conversation: reporting dataset 'conversation' is not offered by this workspace. Offered: ticket\. Run discover again/,
    );
  });
});
