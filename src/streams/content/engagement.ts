import { ConnectorError } from '../../core/errors.js';
import type { Logger } from '../../core/events.js';
import type { IntercomClient } from '../../intercom/client.js';
import { DownloadNotFoundError, downloadUrl, openDownload } from '../../intercom/download.js';
import { IntercomApiError } from '../../intercom/errors.js';
import { trackCleanup } from '../../util/cleanups.js';
import {
  createWhenSlotFree,
  jobIdPath,
  jobTiming,
  parseJobState,
  pollJob,
  timeout,
  windowStart,
  type ExportJob,
  type JobOutcome,
  type JobState,
  type JobTiming,
} from '../reporting/jobs.js';
import { windowsBetween, type Window } from '../reporting/reader.js';
import type { ReadContext, Reader, ReaderItem, StreamSpec } from '../types.js';
import { streamsOfReader } from '../catalog.js';
import { engagementRecords, ROW_TIME, type EngagementProblems } from './engagement-csv.js';

export const ENGAGEMENT_STREAM = 'content_engagement';
const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
const MAX_INFLATED_BYTES = 20 * 1024 ** 3;
const FAILED_RETRIES = 1;
const EXPIRED_RETRIES = 2;
/** A job found cancelled or unknown is created again at most this often per window. */
const RENEWALS = 3;
/** How long a stopping process waits for its cancel request. */
export const CANCEL_WAIT_MS = 5000;

const [spec] = streamsOfReader('content_engagement') as [StreamSpec];

/** The first send date to export: the interrupted run's window, else cursor minus `engagement_lookback_days`. */
export function engagementStart(ctx: Pick<ReadContext, 'config' | 'syncStartedAt'>, state: JobState): number {
  return windowStart(ctx, state, ctx.config.settings.engagement_lookback_days);
}

const jobTimeout = (what: string): ConnectorError =>
  timeout(what, ENGAGEMENT_STREAM, 'reporting_job_timeout_minutes', 'engagement_window_days');

/**
 * Outbound engagement (Content Data Export): per window of send dates, POST /export/content/data,
 * poll, download the archive, one record per CSV row of every file. One job at a time (Intercom
 * allows one active content export per workspace); a job this run leaves behind is cancelled.
 */
export const engagementReader: Reader = {
  streams: [spec],
  holds: { resource: 'content export job', limit: 1 },
  async *read(ctx): AsyncGenerator<ReaderItem> {
    const state = parseJobState(ctx.state, ROW_TIME);
    const start = engagementStart(ctx, state);
    const width = ctx.config.settings.engagement_window_days;
    const pending =
      state.pending && state.pending.start_time === start && state.pending.end_time <= ctx.syncStartedAt
        ? state.pending
        : undefined;
    const windows = pending
      ? [{ start, end: pending.end_time }, ...windowsBetween(pending.end_time, ctx.syncStartedAt, width)]
      : windowsBetween(start, ctx.syncStartedAt, width);
    for (const [i, window] of windows.entries()) {
      yield* readWindow(ctx, window, i === 0 ? pending : undefined);
      yield { kind: 'checkpoint', state: { [ROW_TIME]: window.end }, immediate: true };
    }
    if (windows.length === 0 && state.cursor !== undefined)
      yield { kind: 'checkpoint', state: { [ROW_TIME]: state.cursor } };
  },
};

/** POST /export/cancel/{job}: best effort (a job that finished or is unknown needs nothing). */
export async function cancelJob(client: IntercomClient, jobId: string, logger: Logger): Promise<void> {
  try {
    await client.requestMaybe({
      method: 'POST',
      path: jobIdPath('/export/cancel/{job_identifier}', jobId),
      stream: ENGAGEMENT_STREAM,
      allow404: true,
      retries: 1,
    });
    logger.info(`Stream ${ENGAGEMENT_STREAM}: cancelled content export job ${jobId}.`);
  } catch (err) {
    logger.warn(
      `Stream ${ENGAGEMENT_STREAM}: could not cancel content export job ${jobId} (${err instanceof Error ? err.message : String(err)}); Intercom ends it by itself, and until then other content exports wait for it.`,
    );
  }
}

async function createJob(ctx: ReadContext, window: Window, t: JobTiming): Promise<ExportJob> {
  const create = async (): Promise<ExportJob> => {
    const answer = await ctx.client.request<{ job_identifier?: unknown }>({
      method: 'POST',
      path: '/export/content/data',
      json: { created_at_after: window.start, created_at_before: window.end },
      stream: ENGAGEMENT_STREAM,
      jobLimit429: true,
    });
    const id = answer?.job_identifier;
    if (typeof id !== 'string' || !id)
      throw new ConnectorError(
        'POST /export/content/data answered without a job_identifier; the API may have changed.',
        { failureType: 'system_error', stream: ENGAGEMENT_STREAM },
      );
    return { job_identifier: id, start_time: window.start, end_time: window.end };
  };
  return createWhenSlotFree(
    create,
    t,
    () =>
      ctx.logger.info(
        `Stream ${ENGAGEMENT_STREAM}: another content export is active in this workspace (Intercom allows one); waiting for it to end.`,
      ),
    () => jobTimeout("Waiting for the workspace's one content export slot"),
  );
}

interface Attempts {
  failures: number;
  expiries: number;
  renewals: number;
}

/**
 * What a finished poll means for the window: export it again (the job expired, was cancelled or
 * failed), nothing to read, or download. Throws once the retries of that kind are used up.
 */
function afterPoll(
  ctx: ReadContext,
  outcome: JobOutcome,
  job: ExportJob,
  label: string,
  attempts: Attempts,
): 'again' | 'empty' | 'download' {
  if (outcome.status === 'gone' || outcome.status === 'canceled') {
    // Expired, unknown, or cancelled (a stopped run cancels its job): export the window again, a bounded number of times.
    if (++attempts.renewals > RENEWALS)
      throw new ConnectorError(
        `Stream ${ENGAGEMENT_STREAM}: the content export job for send dates ${label} was cancelled or lost ${attempts.renewals} times (last ${job.job_identifier}); another app may be cancelling exports. The next run starts again at this window.`,
        { failureType: 'transient_error', stream: ENGAGEMENT_STREAM },
      );
    return 'again';
  }
  if (outcome.status === 'failed') {
    if (++attempts.failures > FAILED_RETRIES)
      throw new ConnectorError(
        `Intercom's content export job for send dates ${label} failed twice (job ${job.job_identifier}). The next run starts again at this window.`,
        { failureType: 'transient_error', stream: ENGAGEMENT_STREAM },
      );
    ctx.logger.warn(
      `Stream ${ENGAGEMENT_STREAM}: content export job ${job.job_identifier} for ${label} failed; creating it once more.`,
    );
    return 'again';
  }
  return outcome.noData ? 'empty' : 'download';
}

/**
 * One window of send dates. The job is in the STATE before the first poll (a crash resumes with
 * it); while it runs, a stop signal cancels it, and leaving the window without its rows (an
 * error, a timeout, the engine closing the reader) cancels it too. A job that failed is not.
 */
async function* readWindow(ctx: ReadContext, window: Window, reuse: ExportJob | undefined): AsyncGenerator<ReaderItem> {
  const t = jobTiming(ctx);
  const label = `${new Date(window.start * 1000).toISOString()}..${new Date(window.end * 1000).toISOString()}`;
  const attempts: Attempts = { failures: 0, expiries: 0, renewals: 0 };
  let job = reuse;
  let done = false;
  const cancel = () => {
    if (!job || done) return;
    done = true;
    trackCleanup(cancelJob(ctx.client, job.job_identifier, ctx.logger));
  };
  ctx.signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      if (!job) {
        job = await createJob(ctx, window, t);
        yield { kind: 'checkpoint', state: { [ROW_TIME]: window.start, pending_job: { ...job } }, immediate: true };
      }
      const current: ExportJob = job;
      const outcome = await pollJob(ctx.client, jobPath(current), current, t, ENGAGEMENT_STREAM, (status) =>
        jobTimeout(`Content export job ${current.job_identifier} (${label}, status ${status})`),
      );
      // A failed, cancelled or lost job holds no slot: nothing to cancel, also when retries run out.
      if (outcome.status === 'failed' || outcome.status === 'gone' || outcome.status === 'canceled') job = undefined;
      const step = afterPoll(ctx, outcome, current, label, attempts);
      if (step === 'again') continue;
      if (step === 'empty' || outcome.status !== 'complete') {
        done = true;
        return;
      }
      try {
        yield* downloadRows(ctx, current, outcome.downloadUrl, window);
        done = true;
        return;
      } catch (err) {
        if (!(err instanceof DownloadNotFoundError) || ++attempts.expiries > EXPIRED_RETRIES) throw err;
        ctx.logger.warn(
          `Stream ${ENGAGEMENT_STREAM}: the download of job ${current.job_identifier} (${label}) is gone (its link expired); exporting the window again.`,
        );
        job = undefined;
      }
    }
  } finally {
    ctx.signal?.removeEventListener('abort', cancel);
    // Abandoned (error, timeout, reader closed): free the workspace's one slot.
    cancel();
  }
}

/** The job's status path: the id Intercom gave fills one path segment, never more. */
function jobPath(job: ExportJob): string {
  return jobIdPath('/export/content/data/{job_identifier}', job.job_identifier);
}

async function* downloadRows(
  ctx: ReadContext,
  job: ExportJob,
  url: string | undefined,
  window: Window,
): AsyncGenerator<ReaderItem> {
  const target = downloadUrl(ctx.config, url, jobIdPath('/download/content/data/{job_identifier}', job.job_identifier));
  const body = await openDownload(ctx.config, target, {
    maxBytes: MAX_DOWNLOAD_BYTES,
    maxInflatedBytes: MAX_INFLATED_BYTES,
    timeoutMs: ctx.config.settings.reporting_job_timeout_minutes * 60_000,
    stream: ENGAGEMENT_STREAM,
  });
  const problems: EngagementProblems = { mistyped: new Map() };
  const tooBig = (limit: number) =>
    new IntercomApiError({
      endpoint: 'GET /download/content/data/{job_identifier}',
      transient: false,
      message: `The content export's files are larger than ${limit} bytes decompressed; export shorter windows (engagement_window_days).`,
    });
  try {
    // The zip and tar readers load on the first content export, not at every start of the command.
    const { archiveEntries } = await import('../../intercom/archive.js');
    for await (const entry of archiveEntries(body, 'receipts.csv', { maxInflatedBytes: MAX_INFLATED_BYTES, tooBig })) {
      if (!/\.csv$/i.test(entry.name)) {
        ctx.logger.warn(
          `Stream ${ENGAGEMENT_STREAM}: the export of job ${job.job_identifier} has a file '${entry.name.slice(0, 120)}' that is not a CSV; it is skipped.`,
        );
        continue;
      }
      for await (const records of engagementRecords(entry.body, entry.name, problems, window.start))
        yield { kind: 'records', stream: ENGAGEMENT_STREAM, records, owned: true };
    }
  } finally {
    body.destroy();
  }
  for (const [field, sample] of problems.mistyped) {
    ctx.logger.warn(
      `Stream ${ENGAGEMENT_STREAM}: column ${field} has values that are not timestamps (e.g. ${JSON.stringify(sample)}); they are kept as text.`,
    );
  }
}
