import { ConnectorError } from '../../core/errors.js';
import { buildPath } from '../../core/url-path.js';
import type { Logger } from '../../core/events.js';
import { ExportJobLimitError, type IntercomClient } from '../../intercom/client.js';

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
