import { ConnectorError } from '../../core/errors.js';
import type { Logger } from '../../core/events.js';
import type { IntercomClient } from '../../intercom/client.js';
import { IntercomApiError } from '../../intercom/errors.js';

/** An export job of one time window. */
export interface ExportJob {
  job_identifier: string;
  start_time: number;
  end_time: number;
}

export type JobOutcome = { status: 'complete'; downloadUrl: string | undefined; noData: boolean } | { status: 'failed' } | { status: 'gone' };

export interface JobTiming {
  /** First poll delay; doubles up to pollMaxMs. */
  pollBaseMs: number;
  pollMaxMs: number;
  /** Deadline (Date.now() ms) of the whole job, enqueue waits included. */
  deadline: number;
  sleep: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isPendingLimit = (err: unknown): boolean => err instanceof IntercomApiError && err.status === 429;

function timeout(what: string, stream: string): ConnectorError {
  return new ConnectorError(`${what} took longer than reporting_job_timeout_minutes; the next run resumes this window (raise the timeout for large windows, or lower reporting_window_days).`, {
    failureType: 'transient_error',
    stream,
  });
}

/**
 * POST /export/reporting_data/enqueue. Intercom allows 5 pending jobs per workspace: its 429
 * ("Exceeded rate limit of 5 pending reporting dataset export jobs") means wait for one to finish,
 * so the enqueue is tried again with backoff until the job's deadline, never failed for it.
 */
export async function enqueueJob(client: IntercomClient, body: { dataset_id: string; attribute_ids: string[]; start_time: number; end_time: number }, timing: JobTiming, stream: string, logger: Logger): Promise<ExportJob> {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await client.request<{ job_identifier?: unknown }>({ method: 'POST', path: '/export/reporting_data/enqueue', json: body, stream });
      const id = answer?.job_identifier;
      if (typeof id !== 'string' || !id) throw new ConnectorError(`POST /export/reporting_data/enqueue answered without a job_identifier (dataset ${body.dataset_id}); the API may have changed.`, { failureType: 'system_error', stream });
      return { job_identifier: id, start_time: body.start_time, end_time: body.end_time };
    } catch (err) {
      if (!isPendingLimit(err)) throw err;
      const wait = Math.min(timing.pollMaxMs, timing.pollBaseMs * 2 ** Math.min(attempt, 10));
      if (Date.now() + wait > timing.deadline) throw timeout(`Waiting for a free export slot (Intercom allows 5 pending reporting export jobs per workspace)`, stream);
      if (attempt === 0) logger.info(`Stream ${stream}: Intercom has 5 pending reporting export jobs; waiting for one to finish before enqueueing ${body.dataset_id} ${body.start_time}..${body.end_time}.`);
      await timing.sleep(wait);
    }
  }
}

/** Polls GET /export/reporting_data/{job} with backoff until the job completes, fails or is unknown. */
export async function waitForJob(client: IntercomClient, job: ExportJob, timing: JobTiming, stream: string): Promise<JobOutcome> {
  for (let attempt = 0; ; attempt++) {
    const answer = await client.requestMaybe<{ status?: unknown; download_url?: unknown }>({ path: `/export/reporting_data/${encodeURIComponent(job.job_identifier)}`, stream, allow404: true });
    if (answer === undefined) return { status: 'gone' };
    const status = typeof answer.status === 'string' ? answer.status : '';
    if (status === 'complete' || status === 'completed' || status === 'no_data') {
      return { status: 'complete', noData: status === 'no_data', downloadUrl: typeof answer.download_url === 'string' && answer.download_url ? answer.download_url : undefined };
    }
    if (status === 'failed' || status === 'canceled' || status === 'cancelled') return { status: 'failed' };
    const wait = Math.min(timing.pollMaxMs, timing.pollBaseMs * 2 ** Math.min(attempt, 10));
    if (Date.now() + wait > timing.deadline) throw timeout(`Export job ${job.job_identifier} (${job.start_time}..${job.end_time}, status ${status || 'unknown'})`, stream);
    await timing.sleep(wait);
  }
}
