import { ConnectorError } from '../../core/errors.js';
import { buildPath } from '../../core/url-path.js';
import type { JsonObject, Logger } from '../../core/events.js';
import { ExportJobLimitError, type IntercomClient } from '../../intercom/client.js';
import { DAY } from '../slicing.js';
import type { ReadContext } from '../types.js';

/** An export job of one time window. */
export interface ExportJob {
  job_identifier: string;
  start_time: number;
  end_time: number;
}

export type JobOutcome =
  | { status: 'complete'; downloadUrl: string | undefined; noData: boolean }
  | { status: 'failed' }
  | { status: 'canceled' }
  | { status: 'gone' };

export interface JobTiming {
  /** First poll delay; doubles up to pollMaxMs. */
  pollBaseMs: number;
  pollMaxMs: number;
  /** Deadline (Date.now() ms) of the whole job, enqueue waits included. */
  deadline: number;
  sleep: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function timeout(
  what: string,
  stream: string,
  setting = 'reporting_job_timeout_minutes',
  windowSetting = 'reporting_window_days',
): ConnectorError {
  return new ConnectorError(
    `${what} took longer than ${setting}; the next run resumes this window (raise the timeout for large windows, or lower ${windowSetting}).`,
    {
      failureType: 'transient_error',
      stream,
    },
  );
}

/**
 * Creates a job with `create`, waiting while Intercom refuses it for its pending-jobs limit (a 429
 * the client turns into ExportJobLimitError without pausing other streams): backoff until the
 * job's deadline, never a failure for it. `onWait` is called once, before the first wait.
 */
export async function createWhenSlotFree<T>(
  create: () => Promise<T>,
  timing: JobTiming,
  onWait: () => void,
  onTimeout: () => ConnectorError,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (!(err instanceof ExportJobLimitError)) throw err;
      const wait = Math.min(timing.pollMaxMs, timing.pollBaseMs * 2 ** Math.min(attempt, 10));
      if (Date.now() + wait > timing.deadline) throw onTimeout();
      if (attempt === 0) onWait();
      await timing.sleep(wait);
    }
  }
}

/**
 * POST /export/reporting_data/enqueue. Intercom allows 5 pending jobs per workspace: its 429
 * ("Exceeded rate limit of 5 pending reporting dataset export jobs") means wait for one to finish.
 */
export async function enqueueJob(
  client: IntercomClient,
  body: { dataset_id: string; attribute_ids: string[]; start_time: number; end_time: number },
  timing: JobTiming,
  stream: string,
  logger: Logger,
): Promise<ExportJob> {
  const create = async (): Promise<ExportJob> => {
    const answer = await client.request<{ job_identifier?: unknown }>({
      method: 'POST',
      path: '/export/reporting_data/enqueue',
      json: body,
      stream,
      jobLimit429: true,
    });
    const id = answer?.job_identifier;
    if (typeof id !== 'string' || !id)
      throw new ConnectorError(
        `POST /export/reporting_data/enqueue answered without a job_identifier (dataset ${body.dataset_id}); the API may have changed.`,
        { failureType: 'system_error', stream },
      );
    return { job_identifier: id, start_time: body.start_time, end_time: body.end_time };
  };
  return createWhenSlotFree(
    create,
    timing,
    () =>
      logger.info(
        `Stream ${stream}: Intercom has 5 pending reporting export jobs; waiting for one to finish before enqueueing ${body.dataset_id} ${body.start_time}..${body.end_time}.`,
      ),
    () =>
      timeout(`Waiting for a free export slot (Intercom allows 5 pending reporting export jobs per workspace)`, stream),
  );
}

/** Polls GET /export/reporting_data/{job} with backoff until the job completes, fails or is unknown. */
export function waitForJob(
  client: IntercomClient,
  job: ExportJob,
  timing: JobTiming,
  stream: string,
): Promise<JobOutcome> {
  return pollJob(
    client,
    jobIdPath('/export/reporting_data/{job_identifier}', job.job_identifier),
    job,
    timing,
    stream,
    () => timeout(`Export job ${job.job_identifier} (${job.start_time}..${job.end_time})`, stream),
  );
}

/**
 * Polls a job's status path with backoff until it completes (`complete`/`completed`, or
 * `no_data`), fails (`failed`), was cancelled (`canceled`) or is gone (404: expired or never known).
 */
export async function pollJob(
  client: IntercomClient,
  path: string,
  job: ExportJob,
  timing: JobTiming,
  stream: string,
  onTimeout: (status: string) => ConnectorError,
): Promise<JobOutcome> {
  for (let attempt = 0; ; attempt++) {
    const answer = await client.requestMaybe<{ status?: unknown; download_url?: unknown }>({
      path,
      stream,
      allow404: true,
    });
    if (answer === undefined) return { status: 'gone' };
    const status = typeof answer.status === 'string' ? answer.status : '';
    if (status === 'complete' || status === 'completed' || status === 'no_data') {
      return {
        status: 'complete',
        noData: status === 'no_data',
        downloadUrl: typeof answer.download_url === 'string' && answer.download_url ? answer.download_url : undefined,
      };
    }
    if (status === 'failed') return { status: 'failed' };
    if (status === 'canceled' || status === 'cancelled') return { status: 'canceled' };
    const wait = Math.min(timing.pollMaxMs, timing.pollBaseMs * 2 ** Math.min(attempt, 10));
    if (Date.now() + wait > timing.deadline) throw onTimeout(status || 'unknown');
    await timing.sleep(wait);
  }
}

/** A path for an export job: the id Intercom gave fills one segment, or nothing is requested. */
export function jobIdPath(template: string, jobIdentifier: string): string {
  return buildPath(
    template,
    { job_identifier: jobIdentifier },
    { describe: () => 'the job_identifier Intercom returned', outcome: 'so it was not requested' },
  );
}

/** Where an export stream resumes: its cursor, and the job of the window that was running when the state was written. */
export interface JobState {
  cursor?: number;
  pending?: ExportJob;
}

export function parseJobState(state: JsonObject | undefined, cursorField: string): JobState {
  const cursor = typeof state?.[cursorField] === 'number' ? state[cursorField] : undefined;
  const p = state?.pending_job as Partial<ExportJob> | undefined;
  const pending =
    p && typeof p.job_identifier === 'string' && typeof p.start_time === 'number' && typeof p.end_time === 'number'
      ? (p as ExportJob)
      : undefined;
  return { ...(cursor !== undefined ? { cursor } : {}), ...(pending ? { pending } : {}) };
}

/** Where a read starts: the pending window of an interrupted run, else cursor minus lookback, never before retention or start_date. */
export function windowStart(
  ctx: Pick<ReadContext, 'config' | 'syncStartedAt'>,
  state: JobState,
  lookbackDays: number,
): number {
  const retentionFloor = ctx.syncStartedAt - ctx.config.settings.reporting_retention_days * DAY;
  const floor = Math.max(retentionFloor, ctx.config.startDate ?? retentionFloor);
  if (state.pending) return Math.max(floor, state.pending.start_time);
  if (state.cursor !== undefined) return Math.max(floor, state.cursor - lookbackDays * DAY);
  return floor;
}

/** Poll pacing and the per-job deadline from the settings (shared by every export stream). */
export function jobTiming(ctx: Pick<ReadContext, 'config'>): JobTiming {
  // INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS shortens the first poll delay (tests); 1 s otherwise.
  const base = Number(process.env.INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS) || 1000;
  return {
    pollBaseMs: base,
    pollMaxMs: Math.max(base, ctx.config.settings.reporting_poll_max_seconds * 1000),
    deadline: Date.now() + ctx.config.settings.reporting_job_timeout_minutes * 60_000,
    sleep,
  };
}
