/** The fake's Reporting Data Export API behaves as the spec and Intercom's docs describe. */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_DATASETS, PENDING_LIMIT_MESSAGE, exportsOf, type FakeExports } from './exports.js';
import { startFakeIntercom, type FakeIntercom } from './index.js';
import { NOW, apiHeaders, expectValid, get, post, type J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let ex: FakeExports;
const DAY = 86_400;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 9,
    now: NOW,
    size: { contacts: 2, companies: 1, conversations: 1, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
  ex = exportsOf(fake.workspace);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  ex.jobs.clear();
  ex.pollsToComplete = 3;
  ex.failNextJobs = 0;
  ex.expireNextDownloads = 0;
  ex.foreignPending = 0;
});

const conversation = FAKE_DATASETS[0]!;
const enqueue = (extra: Record<string, unknown> = {}) =>
  post(fake.url, '/export/reporting_data/enqueue', {
    dataset_id: 'conversation',
    attribute_ids: conversation.attributes.map((a) => a.qualified_id),
    start_time: NOW - 30 * DAY,
    end_time: NOW,
    ...extra,
  });
const octet = { ...apiHeaders(), Accept: 'application/octet-stream' };

async function download(
  job: string,
  headers: Record<string, string> = octet,
): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const r = await fetch(`${fake.url}/download/reporting_data/${job}`, { headers });
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type') };
}

describe('reporting data export (fake)', () => {
  it('lists datasets with ids, a default time attribute and attributes of several types', async () => {
    const r = await get(fake.url, '/export/reporting_data/get_datasets');
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('list');
    const types = new Set((r.body.data as J[]).flatMap((d) => (d.attributes as J[]).map((a) => a.data_type)));
    expect([...types].sort()).toEqual(['boolean', 'datetime', 'float', 'integer', 'string']);
    for (const d of r.body.data as J[])
      expect((d.attributes as J[]).some((a) => a.id === d.default_time_attribute_id)).toBe(true);
  });

  it('moves a job pending -> in_progress -> complete, one step per poll, then serves a gzip CSV', async () => {
    const enqueued = await enqueue();
    expect(enqueued.body.status).toBe('pending');
    const job = enqueued.body.job_identifier as string;
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push((await get(fake.url, `/export/reporting_data/${job}`)).body.status as string);
    expect(seen).toEqual(['in_progress', 'in_progress', 'complete']);
    const file = await download(job);
    expect(file.status).toBe(200);
    expect(file.type).toBe('application/octet-stream');
    expect(file.bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const csv = gunzipSync(file.bytes).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe(conversation.attributes.map((a) => a.id).join(','));
    // Quoted commas, embedded newlines, doubled quotes and non-ASCII inside fields.
    expect(csv).toContain('"Refund, please #0"');
    expect(csv).toContain('"Multi\nline ""quoted"" subject #1"');
    expect(csv).toMatch(/Ünïcödé — 日本語, emoji 🎉/);
  });

  it('answers 429 with the documented body once 5 jobs are pending, and accepts again when one finishes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue()).body.job_identifier as string);
    const refused = await enqueue();
    expect(refused.status).toBe(429);
    expectValid('error', refused.body);
    expect(refused.body.errors[0]).toEqual({ code: 'rate_limit_exceeded', message: PENDING_LIMIT_MESSAGE });
    for (let i = 0; i < 3; i++) await get(fake.url, `/export/reporting_data/${ids[0]}`);
    expect((await enqueue()).status).toBe(200);
  });

  it('fails jobs on request, refuses downloads without Accept: application/octet-stream, and expires links', async () => {
    ex.failNextJobs = 1;
    const failed = (await enqueue()).body.job_identifier as string;
    for (let i = 0; i < 3; i++) await get(fake.url, `/export/reporting_data/${failed}`);
    expect((await get(fake.url, `/export/reporting_data/${failed}`)).body.status).toBe('failed');
    expect((await download(failed)).status).toBe(404);

    const job = (await enqueue()).body.job_identifier as string;
    for (let i = 0; i < 3; i++) await get(fake.url, `/export/reporting_data/${job}`);
    expect((await download(job, apiHeaders())).status).toBe(406);
    ex.expireNextDownloads = 1;
    const expired = await download(job);
    expect(expired.status).toBe(404);
    expect(JSON.parse(expired.bytes.toString()).errors[0].message).toBe(`Export job not found for identifier: ${job}`);
    expect((await get(fake.url, `/export/reporting_data/${job}`)).status).toBe(404);
  });

  it('validates enqueue bodies as the spec examples show', async () => {
    expect((await enqueue({ dataset_id: 'imaginary' })).body.errors[0].message).toBe(
      'imaginary is not a valid dataset_id',
    );
    expect((await enqueue({ attribute_ids: [] })).body.errors[0].message).toBe(
      'attribute_ids must contain at least one attribute_id',
    );
    expect((await enqueue({ attribute_ids: ['non_existent'] })).body.errors[0].message).toBe(
      'attribute_ids invalid for conversation dataset: non_existent',
    );
  });

  it('exports only the rows of the window, both ends inclusive', async () => {
    const rows = ex.rows.get('conversation')!;
    const t = Math.floor(Date.parse(rows[0]!.conversation_started_at!) / 1000);
    const job = (await enqueue({ start_time: t, end_time: t })).body.job_identifier as string;
    for (let i = 0; i < 3; i++) await get(fake.url, `/export/reporting_data/${job}`);
    const lines = gunzipSync((await download(job)).bytes)
      .toString('utf8')
      .trim()
      .split('\r\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[1]).toContain(rows[0]!.conversation_id);
  });
});
