/**
 * The fake's Content Data Export API (outbound engagement), as the 2.14 OpenAPI and Intercom's
 * public docs describe it:
 * - POST /export/content/data {created_at_after, created_at_before} (Unix seconds, both ends
 *   inclusive, by *send* date); GET /export/content/data/{job} goes pending -> in_progress ->
 *   completed (one step per poll), or `no_data` when nothing was sent in the range, or `failed`
 *   when a test asks; POST /export/cancel/{job} -> `canceled`;
 * - one active job per workspace: a second create gets 429 "Exceeded rate limit of 1 pending
 *   message data export jobs" (tests can hold the slot as another app would);
 * - GET /download/content/data/{job} (Accept: application/octet-stream) returns an archive with
 *   one CSV per statistic, `receipts_YYYYMMDD_hhmmss.csv`, ..., a statistic without rows having no
 *   file. The docs call it "a gzipped folder" (2.6) and "a ZIP archive" (2.15+), so the format is a
 *   setting: tar.gz (default), zip, or a single gzip CSV. Cells hold quoted commas, newlines,
 *   doubled quotes and non-ASCII; download links expire (tests expire the next ones: 404);
 * - first_* engagement times count only when inside the job's range ("Only events within the
 *   export job's requested date range are counted").
 * Receipt columns are the spec's `data_export_csv`; the clicks file's layout is not documented, so
 * the fake's is a plausible one (receipt_id, user_id, content_id, url, clicked_at).
 */
import { gzipSync } from 'node:zlib';
import { rngFor } from './rng.js';
import type { Json, Workspace } from './workspace.js';
import {
  bad as exportBad,
  csvCell,
  downloadJob,
  notFound as exportNotFound,
  pollJob,
  type DownloadAnswer,
  type Register,
} from './exports.js';

const DAY = 86_400;
export const CONTENT_LIMIT_MESSAGE = 'Exceeded rate limit of 1 pending message data export jobs';
export const RECEIPT_COLUMNS = [
  'user_id',
  'user_external_id',
  'company_id',
  'email',
  'name',
  'ruleset_id',
  'content_id',
  'content_type',
  'content_title',
  'ruleset_version_id',
  'receipt_id',
  'received_at',
  'series_id',
  'series_title',
  'node_id',
  'first_reply',
  'first_completion',
  'first_series_completion',
  'first_series_disengagement',
  'first_series_exit',
  'first_goal_success',
  'first_open',
  'first_click',
  'first_dismisall',
  'first_unsubscribe',
  'first_hard_bounce',
] as const;
export const CLICK_COLUMNS = ['receipt_id', 'user_id', 'content_id', 'url', 'clicked_at'] as const;
export const ENGAGEMENT_COLUMNS = RECEIPT_COLUMNS.filter((c) => c.startsWith('first_'));

/** A receipt as the fake keeps it: text cells, engagement times as numbers (absent: never happened). */
export interface FakeReceipt {
  cells: Record<string, string>;
  sentAt: number;
  engagement: Partial<Record<(typeof ENGAGEMENT_COLUMNS)[number], number>>;
}
export interface FakeClick {
  receipt_id: string;
  user_id: string;
  content_id: string;
  url: string;
  clicked_at: number;
}

type Status = 'pending' | 'in_progress' | 'completed' | 'no_data' | 'failed' | 'canceled';
export interface FakeContentJob {
  id: string;
  start: number;
  end: number;
  status: Status;
  polls: number;
  expired: boolean;
  downloads: number;
}

export type ArchiveFormat = 'tar.gz' | 'zip' | 'gzip-csv';

const TITLES = ['Welcome, friend', 'Multi\nline "launch" post', 'Ünïcödé — 日本語 tour 🎉', 'Plain email'];
const TYPES = ['email', 'post', 'tour', 'survey', 'chat'];

export class FakeContentExports {
  readonly receipts: FakeReceipt[] = [];
  readonly clicks: FakeClick[] = [];
  readonly jobs = new Map<string, FakeContentJob>();
  /**
   * Status polls a job needs before it completes. 1 by default (completed at the first poll), since
   * catalog.sample.json reads every stream, this one over two years of windows; tests of the job
   * states raise it.
   */
  pollsToComplete = 1;
  failNextJobs = 0;
  expireNextDownloads = 0;
  format: ArchiveFormat = 'tar.gz';
  /** Another app's job holds the slot until this many creates were refused. */
  foreignActiveFor429s = 0;
  readonly creates: { start: number; end: number; accepted: boolean }[] = [];
  readonly cancels: string[] = [];
  maxActive = 0;
  private counter = 0;

  constructor(readonly ws: Workspace) {
    generate(ws, this);
  }

  activeJobs(): FakeContentJob[] {
    return [...this.jobs.values()].filter((j) => j.status === 'pending' || j.status === 'in_progress');
  }

  create(body: unknown): { status: number; body: Json } {
    const b = (body ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(b.created_at_after) || !Number.isInteger(b.created_at_before))
      return bad('created_at_after and created_at_before are required (Unix seconds)');
    const start = b.created_at_after as number;
    const end = b.created_at_before as number;
    if (end < start) return bad('created_at_before must not be before created_at_after');
    if (this.activeJobs().length > 0 || this.foreignActiveFor429s > 0) {
      if (this.foreignActiveFor429s > 0) this.foreignActiveFor429s--;
      this.creates.push({ start, end, accepted: false });
      return {
        status: 429,
        body: {
          type: 'error.list',
          request_id: 'fake-content-export',
          errors: [{ code: 'rate_limit_exceeded', message: CONTENT_LIMIT_MESSAGE }],
        },
      };
    }
    this.creates.push({ start, end, accepted: true });
    const job: FakeContentJob = {
      id: `cjob${++this.counter}x${this.ws.seed}`,
      start,
      end,
      status: 'pending',
      polls: 0,
      expired: false,
      downloads: 0,
    };
    this.jobs.set(job.id, job);
    this.maxActive = Math.max(this.maxActive, this.activeJobs().length);
    return { status: 200, body: statusBody(job, '') };
  }

  status(id: string, baseUrl: string): { status: number; body: Json } {
    const job = this.jobs.get(id);
    if (!job || job.expired) return notFound(id);
    pollJob(job, this, () => (this.receiptsOf(job).length === 0 ? 'no_data' : 'completed'));
    return {
      status: 200,
      body: statusBody(job, job.status === 'completed' ? `${baseUrl}/download/content/data/${job.id}` : ''),
    };
  }

  cancel(id: string): { status: number; body: Json } {
    const job = this.jobs.get(id);
    if (!job) return notFound(id);
    this.cancels.push(id);
    if (job.status === 'pending' || job.status === 'in_progress') job.status = 'canceled';
    return { status: 200, body: statusBody(job, '') };
  }

  download(id: string, accept: string | undefined): DownloadAnswer {
    const job = this.jobs.get(id);
    const request = { id, accept, done: job?.status === 'completed', requestId: 'fake-content-export' };
    return downloadJob(job, request, this, () => this.archive(job!));
  }

  /** Receipts sent inside the job's range (both ends inclusive). */
  receiptsOf(job: { start: number; end: number }): FakeReceipt[] {
    return this.receipts.filter((r) => r.sentAt >= job.start && r.sentAt <= job.end);
  }

  /** The CSV files of a job: name -> text; a statistic without rows has no file. */
  files(job: { start: number; end: number }): Map<string, string> {
    const stamp = new Date(this.ws.genNow * 1000).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    const receipts = this.receiptsOf(job);
    const ids = new Set(receipts.map((r) => r.cells.receipt_id));
    const out = new Map<string, string>();
    if (receipts.length)
      out.set(
        `receipts_${stamp}.csv`,
        csv(
          RECEIPT_COLUMNS,
          receipts.map((r) => receiptCells(r, job.end)),
        ),
      );
    const clicks = this.clicks.filter((c) => ids.has(c.receipt_id) && c.clicked_at <= job.end);
    if (clicks.length)
      out.set(
        `clicks_${stamp}.csv`,
        csv(
          CLICK_COLUMNS,
          clicks.map((c) => ({ ...c, clicked_at: String(c.clicked_at) })),
        ),
      );
    return out;
  }

  archive(job: FakeContentJob): Buffer {
    const files = this.files(job);
    if (this.format === 'gzip-csv') return gzipSync(Buffer.from([...files.values()][0] ?? '', 'utf8'));
    const entries = [...files].map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8') }));
    return this.format === 'zip' ? zipStored(entries) : gzipSync(tar(entries));
  }
}

/** A receipt's cells as a job with range end `end` exports them (later engagement is not counted). */
export function receiptCells(r: FakeReceipt, end: number): Record<string, string> {
  const cells = { ...r.cells };
  for (const c of ENGAGEMENT_COLUMNS) {
    const t = r.engagement[c];
    cells[c] = t !== undefined && t <= end ? String(t) : '';
  }
  return cells;
}

function generate(ws: Workspace, ex: FakeContentExports): void {
  for (let i = 0; i < 700; i++) {
    const r = rngFor(ws.seed, 'content-receipt', i);
    const sentAt = ws.genNow - r.int(3 * DAY, 40 * DAY);
    const receiptId = String(90_000_000 + i);
    const contentId = String(4000 + (i % 9));
    const engagement: FakeReceipt['engagement'] = {};
    if (i % 2 === 0) engagement.first_open = sentAt + r.int(60, 2 * DAY);
    if (i % 5 === 0) engagement.first_click = sentAt + r.int(2 * DAY, 3 * DAY - 1);
    if (i % 11 === 0) engagement.first_reply = sentAt + r.int(60, DAY);
    if (i % 13 === 0) engagement.first_unsubscribe = sentAt + r.int(60, DAY);
    if (i % 17 === 0) engagement.first_hard_bounce = sentAt + 5;
    const cells: Record<string, string> = {
      user_id: `user-${i % 200}`,
      user_external_id: i % 3 === 0 ? '' : `ext-${i % 200}`,
      company_id: i % 4 === 0 ? '-1' : String(300 + (i % 7)),
      email: `person${i % 200}@example.com`,
      name: i % 6 === 0 ? 'Zoë, "the" Ångström' : `Person ${i % 200}`,
      ruleset_id: String(800 + (i % 9)),
      content_id: contentId,
      content_type: TYPES[i % TYPES.length]!,
      content_title: TITLES[i % TITLES.length]!,
      ruleset_version_id: String(1200 + (i % 9)),
      receipt_id: receiptId,
      received_at: String(sentAt),
      series_id: i % 3 === 0 ? String(60 + (i % 2)) : '-1',
      series_title: i % 3 === 0 ? 'Onboarding, week 1' : '',
      node_id: i % 3 === 0 ? String(i % 4) : '',
    };
    ex.receipts.push({ cells, sentAt, engagement });
    if (engagement.first_click !== undefined) {
      ex.clicks.push({
        receipt_id: receiptId,
        user_id: cells.user_id!,
        content_id: contentId,
        url: `https://example.com/a,b?x=${i}`,
        clicked_at: engagement.first_click,
      });
      if (i % 10 === 0)
        ex.clicks.push({
          receipt_id: receiptId,
          user_id: cells.user_id!,
          content_id: contentId,
          url: 'https://example.com/ü',
          clicked_at: engagement.first_click + 30,
        });
    }
  }
}

function csv(columns: readonly string[], rows: Record<string, string>[]): string {
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? '')).join(','))].join('\r\n')}\r\n`;
}

const bad = (message: string) => exportBad(message, 'fake-content-export');
const notFound = (id: string) => exportNotFound(id, 'fake-content-export');

function statusBody(job: FakeContentJob, downloadUrl: string): Json {
  return {
    job_identifier: job.id,
    status: job.status,
    download_url: downloadUrl,
    download_expires_at: downloadUrl ? String(Math.floor(Date.now() / 1000) + 2 * DAY) : '',
  };
}

/** The 512-byte ustar header of a regular file of `size` bytes. */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** Zero bytes that pad a tar entry of `size` bytes to a whole block. */
export const tarPadding = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512);

/** A ustar archive of regular files (what `tar czf` writes, without the gzip). */
export function tar(entries: { name: string; data: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, data } of entries) blocks.push(tarHeader(name, data.length), data, tarPadding(data.length));
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive of stored (uncompressed) files with a central directory. */
export function zipStored(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const registry = new WeakMap<Workspace, FakeContentExports>();

export function contentExportsOf(ws: Workspace): FakeContentExports {
  let ex = registry.get(ws);
  if (!ex) registry.set(ws, (ex = new FakeContentExports(ws)));
  return ex;
}

export function registerContentExports(r: Register, ws: Workspace): void {
  const ex = contentExportsOf(ws);
  r('POST', '/export/content/data', (c) => ex.create(c.body));
  r('GET', '/export/content/data/{job_identifier}', (c, [id]) => ex.status(id!, c.baseUrl));
  r('POST', '/export/cancel/{job_identifier}', (_c, [id]) => ex.cancel(id!));
  r('GET', '/download/content/data/{job_identifier}', (c, [id]) => ex.download(id!, c.accept));
}
