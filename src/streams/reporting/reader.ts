import { ConfigError, ConnectorError } from '../../core/errors.js';
import { DownloadNotFoundError, downloadUrl, openDownload } from '../../intercom/download.js';
import type { ReadContext, Reader, ReaderItem, StreamSpec } from '../types.js';
import { csvRecords, type CsvProblems } from './csv-rows.js';
import { fetchDatasets, ROW_ID, ROW_TIME, streamOfDataset, type ReportingDataset } from './datasets.js';
import {
  enqueueJob,
  jobIdPath,
  jobTiming,
  parseJobState,
  waitForJob,
  windowStart,
  type ExportJob,
  type JobState,
} from './jobs.js';

const DAY = 86_400;
/** Compressed and decompressed size limits of one window's file. */
const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
const MAX_INFLATED_BYTES = 20 * 1024 ** 3;
/** A job that failed is enqueued once more; an expired download link is renewed at most this often. */
const FAILED_RETRIES = 1;
const EXPIRED_RETRIES = 2;

export interface Window {
  start: number;
  end: number;
}

/** The stream of one dataset: primary key `_row_id`, cursor `_time`. */
export function reportingSpec(datasetId: string): StreamSpec {
  return { name: streamOfDataset(datasetId), primaryKey: [ROW_ID], cursorField: ROW_TIME };
}

/** Windows of `widthDays` from `start` to `end` (the last one shorter); consecutive windows share their boundary second. */
export function windowsBetween(start: number, end: number, widthDays: number): Window[] {
  const out: Window[] = [];
  for (let s = start; s < end; s += widthDays * DAY) out.push({ start: s, end: Math.min(end, s + widthDays * DAY) });
  return out;
}

/** Where this read starts: the pending window of an interrupted run, else cursor minus `reporting_lookback_days`. */
export function firstWindowStart(ctx: Pick<ReadContext, 'config' | 'syncStartedAt'>, state: JobState): number {
  return windowStart(ctx, state, ctx.config.settings.reporting_lookback_days);
}

/** The reader of one configured dataset. */
export function reportingReader(datasetId: string): Reader {
  const spec = reportingSpec(datasetId);
  return {
    streams: [spec],
    // Each dataset's reader has at most one job pending; Intercom allows 5 per workspace.
    holds: { resource: 'reporting export jobs', limit: 5 },
    async *read(ctx): AsyncGenerator<ReaderItem> {
      const datasets = await fetchDatasets(ctx.client, spec.name);
      const dataset = datasets.get(datasetId);
      if (!dataset) {
        throw new ConfigError(
          `Stream ${spec.name}: reporting dataset '${datasetId}' is not offered by this workspace. Offered: ${[...datasets.keys()].join(', ') || '(none)'}. Run discover again and update the catalog, or change config.reporting_datasets.`,
        );
      }
      const state = parseJobState(ctx.state, ROW_TIME);
      const start = firstWindowStart(ctx, state);
      const width = ctx.config.settings.reporting_window_days;
      // An interrupted run's job is reused for exactly its window; the windows after it follow.
      const pending =
        state.pending && state.pending.start_time === start && state.pending.end_time <= ctx.syncStartedAt
          ? state.pending
          : undefined;
      const windows = pending
        ? [{ start, end: pending.end_time }, ...windowsBetween(pending.end_time, ctx.syncStartedAt, width)]
        : windowsBetween(start, ctx.syncStartedAt, width);
      for (const [i, window] of windows.entries()) {
        yield* readWindow(ctx, dataset, window, i === 0 ? pending : undefined);
        yield { kind: 'checkpoint', state: { [ROW_TIME]: window.end }, immediate: true };
      }
      if (windows.length === 0 && state.cursor !== undefined)
        yield { kind: 'checkpoint', state: { [ROW_TIME]: state.cursor } };
    },
  };
}

/**
 * One window: enqueue (or reuse the interrupted run's job), poll, download, parse. The job is in
 * the STATE before the first poll, so a crash while polling or downloading resumes with that job
 * instead of leaving it pending and enqueueing another.
 */
async function* readWindow(
  ctx: ReadContext,
  dataset: ReportingDataset,
  window: Window,
  reuse: ExportJob | undefined,
): AsyncGenerator<ReaderItem> {
  const stream = streamOfDataset(dataset.id);
  const t = jobTiming(ctx);
  const label = `${new Date(window.start * 1000).toISOString()}..${new Date(window.end * 1000).toISOString()}`;
  let failures = 0;
  let expiries = 0;
  let job = reuse;
  for (;;) {
    if (!job) {
      job = await enqueueJob(
        ctx.client,
        {
          dataset_id: dataset.id,
          attribute_ids: dataset.attributes.map((a) => a.qualifiedId),
          start_time: window.start,
          end_time: window.end,
        },
        t,
        stream,
        ctx.logger,
      );
      yield { kind: 'checkpoint', state: { [ROW_TIME]: window.start, pending_job: { ...job } }, immediate: true };
    }
    const outcome = await waitForJob(ctx.client, job, t, stream);
    if (outcome.status === 'gone') {
      // The interrupted run's job is no longer known (expired): export the window again.
      job = undefined;
      continue;
    }
    if (outcome.status === 'failed' || outcome.status === 'canceled') {
      if (++failures > FAILED_RETRIES) {
        throw new ConnectorError(
          `Intercom's export job for dataset ${dataset.id}, window ${label}, failed twice (job ${job.job_identifier}). The next run starts again at this window.`,
          { failureType: 'transient_error', stream },
        );
      }
      ctx.logger.warn(
        `Stream ${stream}: export job ${job.job_identifier} for ${label} failed; enqueueing it once more.`,
      );
      job = undefined;
      continue;
    }
    if (outcome.noData) return;
    try {
      yield* downloadRows(ctx, dataset, job, outcome.downloadUrl, window);
      return;
    } catch (err) {
      if (!(err instanceof DownloadNotFoundError) || ++expiries > EXPIRED_RETRIES) throw err;
      ctx.logger.warn(
        `Stream ${stream}: the download of job ${job.job_identifier} (${label}) is gone (its link expired); exporting the window again.`,
      );
      job = undefined;
    }
  }
}

async function* downloadRows(
  ctx: ReadContext,
  dataset: ReportingDataset,
  job: ExportJob,
  url: string | undefined,
  window: Window,
): AsyncGenerator<ReaderItem> {
  const stream = streamOfDataset(dataset.id);
  const target = downloadUrl(
    ctx.config,
    url,
    jobIdPath('/download/reporting_data/{job_identifier}', job.job_identifier),
  );
  const body = await openDownload(ctx.config, target, {
    maxBytes: MAX_DOWNLOAD_BYTES,
    maxInflatedBytes: MAX_INFLATED_BYTES,
    timeoutMs: ctx.config.settings.reporting_job_timeout_minutes * 60_000,
    stream,
  });
  const problems: CsvProblems = { mistyped: new Map() };
  try {
    for await (const records of csvRecords(body, dataset, problems, window.start))
      yield { kind: 'records', stream, records, owned: true };
  } finally {
    body.destroy();
  }
  for (const [field, sample] of problems.mistyped) {
    ctx.logger.warn(
      `Stream ${stream}: column ${field} has values that are not of its declared type (e.g. ${JSON.stringify(sample)}); they are kept as text.`,
    );
  }
}
