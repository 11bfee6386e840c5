/**
 * The fake's Reporting Data Export API (GET get_datasets, POST enqueue, GET job status, GET
 * download), as the 2.14 OpenAPI and Intercom's public docs describe it:
 * - jobs go pending -> in_progress -> complete (one step per status poll, so tests are
 *   deterministic), or failed when a test asks for it;
 * - at most 5 jobs pending per workspace: the sixth enqueue gets 429 "Exceeded rate limit of 5
 *   pending reporting dataset export jobs" (tests can occupy slots as other apps would);
 * - the download is a gzip CSV (header row, then one row per record, quoted commas, newlines,
 *   doubled quotes and non-ASCII inside fields), asked with Accept: application/octet-stream;
 *   download links expire (tests can expire the next ones: 404 "Export job not found").
 * Attributes carry `qualified_id` (what enqueue takes) and `data_type` (how the connector types
 * columns); the spec itself lists only `id` and `name`.
 */
import { gzipSync } from 'node:zlib';
import { rngFor } from './rng.js';
import type { Json, Workspace } from './workspace.js';

const DAY = 86_400;
export const PENDING_LIMIT = 5;
export const PENDING_LIMIT_MESSAGE = `Exceeded rate limit of ${PENDING_LIMIT} pending reporting dataset export jobs`;

export interface FakeAttribute {
  id: string;
  qualified_id: string;
  name: string;
  data_type: 'string' | 'integer' | 'float' | 'boolean' | 'datetime';
}

export interface FakeDataset {
  id: string;
  name: string;
  description: string;
  default_time_attribute_id: string;
  attributes: FakeAttribute[];
}

const attr = (id: string, name: string, data_type: FakeAttribute['data_type'], scope = 'standard'): FakeAttribute => ({
  id,
  qualified_id: `${scope}.${id}`,
  name,
  data_type,
});

export const FAKE_DATASETS: FakeDataset[] = [
  {
    id: 'conversation',
    name: 'Conversation',
    description: 'Conversation-level details: status, channel, assignee, response times, CSAT.',
    default_time_attribute_id: 'conversation_started_at',
    attributes: [
      attr('conversation_id', 'Conversation ID', 'string'),
      attr('conversation_started_at', 'Conversation started at', 'datetime'),
      attr('channel', 'Channel', 'string'),
      attr('team_assignee_id', 'Team currently assigned', 'string', 'team'),
      attr('first_response_time_seconds', 'First response time (s)', 'integer'),
      attr('csat_rating', 'CSAT rating', 'float'),
      attr('is_reopened', 'Reopened', 'boolean'),
      attr('subject', 'Subject', 'string'),
    ],
  },
  {
    id: 'conversation_actions',
    name: 'Conversation actions',
    description: 'One row per teammate action (assignment, reply, close) on a conversation.',
    default_time_attribute_id: 'action_time',
    attributes: [
      attr('action_time', 'Action time', 'datetime'),
      attr('conversation_id', 'Conversation ID', 'string'),
      attr('teammate_id', 'Teammate ID', 'integer'),
      attr('action_type', 'Action', 'string'),
    ],
  },
];

/** A row as the CSV carries it: text per attribute id. */
export type CsvRow = Record<string, string>;

type JobStatus = 'pending' | 'in_progress' | 'complete' | 'failed';

interface FakeJob {
  id: string;
  datasetId: string;
  attributeIds: string[];
  start: number;
  end: number;
  status: JobStatus;
  polls: number;
  expired: boolean;
  downloads: number;
}

const SUBJECTS = ['Refund, please', 'Multi\nline "quoted" subject', 'Ünïcödé — 日本語, emoji 🎉', 'plain', ''];
const CHANNELS = ['chat', 'email', 'phone, voice'];

/** Reporting state of one fake workspace: rows per dataset, jobs, and what tests told it to do. */
export class FakeExports {
  readonly rows = new Map<string, CsvRow[]>();
  readonly jobs = new Map<string, FakeJob>();
  /** Status polls a job needs before it completes (pending, in_progress, ..., complete). */
  pollsToComplete = 3;
  /** The next N jobs end `failed`. */
  failNextJobs = 0;
  /** The next N downloads answer 404 (link expired); their jobs are forgotten. */
  expireNextDownloads = 0;
  /** Slots held by other apps' jobs; each is released after this many 429s it caused. */
  foreignPending = 0;
  releaseForeignAfter429s = 1;
  private foreign429s = 0;
  /** Every enqueue (accepted or refused), and the most jobs ever pending at once. */
  readonly enqueues: { datasetId: string; start: number; end: number; accepted: boolean }[] = [];
  maxActive = 0;
  private counter = 0;

  constructor(readonly ws: Workspace) {
    for (const dataset of FAKE_DATASETS) this.rows.set(dataset.id, generateRows(ws, dataset.id));
  }

  dataset(id: string): FakeDataset | undefined {
    return FAKE_DATASETS.find((d) => d.id === id);
  }

  /** Jobs of this workspace still pending or in progress. */
  activeJobs(): FakeJob[] {
    return [...this.jobs.values()].filter((j) => j.status === 'pending' || j.status === 'in_progress');
  }

  enqueue(body: unknown): { status: number; body: Json } {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.dataset_id !== 'string') return bad("'dataset_id' is a required parameter");
    const dataset = this.dataset(b.dataset_id);
    if (!dataset) return bad(`${b.dataset_id} is not a valid dataset_id`);
    if (b.attribute_ids === undefined) return bad("'attribute_ids' is a required parameter");
    if (!Array.isArray(b.attribute_ids)) return bad("'attribute_ids' not an array must be of type Array");
    if (b.attribute_ids.length === 0) return bad('attribute_ids must contain at least one attribute_id');
    const invalid = b.attribute_ids.filter((a) => !dataset.attributes.some((x) => x.qualified_id === a));
    if (invalid.length) return bad(`attribute_ids invalid for ${dataset.id} dataset: ${invalid.join(', ')}`);
    if (!Number.isInteger(b.start_time) || !Number.isInteger(b.end_time))
      return bad('start_time and end_time must be integers (Unix seconds)');
    const start = b.start_time as number;
    const end = b.end_time as number;
    if (this.activeJobs().length + this.foreignPending >= PENDING_LIMIT) {
      this.enqueues.push({ datasetId: dataset.id, start, end, accepted: false });
      if (this.foreignPending > 0 && ++this.foreign429s >= this.releaseForeignAfter429s) {
        this.foreignPending--;
        this.foreign429s = 0;
      }
      return {
        status: 429,
        body: {
          type: 'error.list',
          request_id: 'fake-export',
          errors: [{ code: 'rate_limit_exceeded', message: PENDING_LIMIT_MESSAGE }],
        },
      };
    }
    this.enqueues.push({ datasetId: dataset.id, start, end, accepted: true });
    const job: FakeJob = {
      id: `job${++this.counter}x${this.ws.seed}`,
      datasetId: dataset.id,
      attributeIds: b.attribute_ids as string[],
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
    pollJob(job, this, () => 'complete');
    return {
      status: 200,
      body: statusBody(job, job.status === 'complete' ? `${baseUrl}/download/reporting_data/${job.id}` : ''),
    };
  }

  download(id: string, accept: string | undefined): DownloadAnswer {
    const job = this.jobs.get(id);
    const request = { id, accept, done: job?.status === 'complete', requestId: 'fake-export' };
    return downloadJob(job, request, this, () => gzipSync(Buffer.from(this.csv(job!), 'utf8')));
  }

  /** The rows of a window (both ends inclusive), as CSV text with the requested columns. */
  csv(job: FakeJob): string {
    const dataset = this.dataset(job.datasetId)!;
    const columns = job.attributeIds.map((q) => dataset.attributes.find((a) => a.qualified_id === q)!);
    const lines = [columns.map((c) => csvCell(c.id)).join(',')];
    for (const row of this.windowRows(dataset, job.start, job.end))
      lines.push(columns.map((c) => csvCell(row[c.id] ?? '')).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }

  windowRows(dataset: FakeDataset, start: number, end: number): CsvRow[] {
    return (this.rows.get(dataset.id) ?? []).filter((r) => {
      const t = timeOf(r[dataset.default_time_attribute_id] ?? '');
      return t >= start && t <= end;
    });
  }
}

/** Unix seconds of a time cell (ISO 8601 or digits). */
export function timeOf(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : Math.floor(Date.parse(text) / 1000);
}

/** One CSV cell, quoted when it holds a quote, comma or line break. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A 400 error.list body, as the export endpoints answer a bad request. */
export function bad(message: string, requestId = 'fake-export'): { status: number; body: Json } {
  return {
    status: 400,
    body: { type: 'error.list', request_id: requestId, errors: [{ code: 'bad_request', message }] },
  };
}

/** The polls a job needs and the failures to inject: what both fake export APIs let tests set. */
export interface JobPolicy {
  pollsToComplete: number;
  failNextJobs: number;
}

/**
 * One status poll of a fake export job: pending → in_progress until it has been polled
 * `pollsToComplete` times, then `done` (or failed while `failNextJobs` lasts). A job in any other
 * state stays as it is.
 */
export function pollJob<S extends string>(
  job: { status: S | 'pending' | 'in_progress' | 'failed'; polls: number },
  policy: JobPolicy,
  done: () => S,
): void {
  if (job.status !== 'pending' && job.status !== 'in_progress') return;
  job.polls++;
  if (job.polls < policy.pollsToComplete) job.status = 'in_progress';
  else if (policy.failNextJobs > 0) {
    policy.failNextJobs--;
    job.status = 'failed';
  } else job.status = done();
}

export type DownloadAnswer = { status: number; body: Json } | { status: number; bytes: Buffer; contentType: string };

/**
 * GET /download/...: 404 unless the job is done and its link alive, 406 without
 * `Accept: application/octet-stream`, a 404 that expires the link while `expireNextDownloads`
 * lasts, else the file.
 */
export function downloadJob(
  job: { expired: boolean; downloads: number } | undefined,
  request: { id: string; accept: string | undefined; done: boolean; requestId: string },
  policy: { expireNextDownloads: number },
  file: () => Buffer,
): DownloadAnswer {
  if (!job || job.expired || !request.done) return notFound(request.id, request.requestId);
  if (!request.accept?.includes('application/octet-stream'))
    return {
      status: 406,
      body: {
        type: 'error.list',
        request_id: request.requestId,
        errors: [{ code: 'not_acceptable', message: 'Accept: application/octet-stream is required' }],
      },
    };
  if (policy.expireNextDownloads > 0) {
    policy.expireNextDownloads--;
    job.expired = true;
    return notFound(request.id, request.requestId);
  }
  job.downloads++;
  return { status: 200, bytes: file(), contentType: 'application/octet-stream' };
}

/** The 404 error.list body of an unknown or expired export job. */
export function notFound(id: string, requestId = 'fake-export'): { status: number; body: Json } {
  return {
    status: 404,
    body: {
      type: 'error.list',
      request_id: requestId,
      errors: [{ code: 'not_found', message: `Export job not found for identifier: ${id}` }],
    },
  };
}

function statusBody(job: FakeJob, downloadUrl: string): Json {
  return {
    job_identifier: job.id,
    status: job.status,
    download_url: downloadUrl,
    download_expires_at: downloadUrl ? String(Math.floor(Date.now() / 1000) + 3600) : '',
  };
}

/** Rows of a dataset over the 30 days before the workspace's generation time. */
function generateRows(ws: Workspace, datasetId: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const count = datasetId === 'conversation' ? 3000 : 900;
  for (let i = 0; i < count; i++) {
    const r = rngFor(ws.seed, `reporting-${datasetId}`, i);
    const t = ws.genNow - r.int(60, 30 * DAY);
    if (datasetId === 'conversation') {
      rows.push({
        conversation_id: String(70_000_000 + i),
        conversation_started_at: new Date(t * 1000).toISOString(),
        channel: CHANNELS[i % CHANNELS.length]!,
        team_assignee_id: i % 4 === 0 ? '' : String(500 + (i % 3)),
        first_response_time_seconds: i % 5 === 0 ? '' : String(r.int(10, 90_000)),
        csat_rating: i % 3 === 0 ? '' : (r.int(1, 10) / 2).toFixed(1),
        is_reopened: i % 7 === 0 ? 'true' : 'false',
        subject: `${SUBJECTS[i % SUBJECTS.length]!}${i % SUBJECTS.length === 4 ? '' : ` #${i}`}`,
      });
    } else {
      rows.push({
        action_time: String(t),
        conversation_id: String(70_000_000 + (i % 1000)),
        teammate_id: String(900 + (i % 6)),
        action_type: ['assigned', 'replied', 'closed, by rule'][i % 3]!,
      });
    }
  }
  return rows;
}

const registry = new WeakMap<Workspace, FakeExports>();

/** The export state of a fake workspace (tests read and steer it). */
export function exportsOf(ws: Workspace): FakeExports {
  let ex = registry.get(ws);
  if (!ex) registry.set(ws, (ex = new FakeExports(ws)));
  return ex;
}

/** What an export route sees of a request. */
export interface ExportRequest {
  body: unknown;
  baseUrl: string;
  accept?: string;
}
/** How export modules add their routes to the fake's router. */
export type Register = (
  method: string,
  template: string,
  handler: (
    ctx: ExportRequest,
    params: string[],
  ) => { status: number; body: Json } | { status: number; bytes: Buffer; contentType: string },
) => void;

/** Adds the Reporting Data Export routes to the fake's router (get_datasets before {job_identifier}). */
export function registerExports(r: Register, ws: Workspace): void {
  const ex = exportsOf(ws);
  r('GET', '/export/reporting_data/get_datasets', () => ({
    status: 200,
    body: { type: 'list', data: FAKE_DATASETS as unknown as Json[] },
  }));
  r('POST', '/export/reporting_data/enqueue', (c) => ex.enqueue(c.body));
  r('GET', '/export/reporting_data/{job_identifier}', (c, [id]) => ex.status(id!, c.baseUrl));
  r('GET', '/download/reporting_data/{job_identifier}', (c, [id]) => ex.download(id!, c.accept));
}
