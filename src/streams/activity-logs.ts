import { mergeGenerators } from '../core/merge.js';
import { IntercomApiError } from '../intercom/errors.js';
import { cursorPages } from '../intercom/pagination.js';
import { CompletedPrefix } from '../intercom/paginators/index.js';
import { DAY, planSlices, readWindow } from './slicing.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { streamsOfReader } from './catalog.js';

const STREAM = 'activity_logs';
const PATH = '/admins/activity_logs';
/** A window is halved down to this width before its failure is reported. */
export const MIN_WINDOW_SECONDS = 3600;

const iso = (t: number): string => new Date(t * 1000).toISOString();

/** 5xx, timeouts and resets after the client's retry: what Intercom answers when a window is too wide. */
function isServerFailure(err: unknown): err is IntercomApiError {
  return err instanceof IntercomApiError && err.failureType === 'transient_error' && err.status !== 429;
}

/**
 * Every log created in [start, end), all pages, in whichever documented shape Intercom pages them
 * (`pages.next.starting_after`, a next URL, or `page` / `total_pages` as in the OpenAPI example).
 * The query asks one second wider on each side (whether Intercom's bounds are inclusive is not
 * documented) and records are filtered locally.
 */
async function* readPages(
  ctx: ReadContext,
  start: number,
  end: number,
  emitted: Set<string>,
): AsyncGenerator<ReaderItem> {
  const params = { created_at_after: String(start - 1), created_at_before: String(end) };
  // One retry only: a window that keeps failing is better halved than retried at full width.
  for await (const page of cursorPages(ctx.client, {
    path: PATH,
    recordsKey: 'activity_logs',
    params,
    stream: STREAM,
    retries: 1,
  })) {
    for (const log of page.records) {
      // The OpenAPI marks list items nullable: a null item has nothing to deliver.
      if (!log || typeof log !== 'object') continue;
      const id = idString(log.id);
      const createdAt = log.created_at;
      if (!id || typeof createdAt !== 'number' || createdAt < start || createdAt >= end || emitted.has(id)) continue;
      emitted.add(id);
      yield { kind: 'record', stream: STREAM, record: log };
    }
  }
}

/** Reads [start, end); when Intercom keeps failing, reads the two halves instead (recursively). */
async function* readRange(
  ctx: ReadContext,
  start: number,
  end: number,
  emitted: Set<string>,
): AsyncGenerator<ReaderItem> {
  try {
    yield* readPages(ctx, start, end, emitted);
  } catch (err) {
    if (!isServerFailure(err) || end - start <= MIN_WINDOW_SECONDS) throw err;
    const mid = start + Math.floor((end - start) / 2);
    ctx.logger.warn(
      `${STREAM}: Intercom kept failing for ${iso(start)} to ${iso(end)} (${err.message.split('. ')[0]}); reading the window in two halves.`,
    );
    // Logs already delivered from this window are skipped on the second pass (emitted).
    yield* readRange(ctx, start, mid, emitted);
    yield* readRange(ctx, mid, end, emitted);
  }
}

/** When the workspace (app) was created, from GET /me; undefined when that cannot be read. */
async function workspaceCreatedAt(ctx: ReadContext): Promise<number | undefined> {
  try {
    const me = await ctx.client.request<{ app?: { created_at?: unknown } | null }>({ path: '/me', stream: STREAM });
    return typeof me.app?.created_at === 'number' ? me.app.created_at : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Admin activity logs through GET /admins/activity_logs, which needs a created_at range: time is
 * walked in windows of `activity_logs_window_days` (several at once), and a STATE follows the
 * contiguous prefix of completed windows. Append-only: the cursor is created_at.
 */
export const activityLogsReader: Reader = {
  streams: streamsOfReader('activity_logs'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    const { lower, upper, cursor } = readWindow(ctx, STREAM, 'created_at');
    if (cursor !== undefined && cursor > upper) {
      ctx.logger.warn(
        `The state cursor of ${STREAM} (${iso(cursor)}) is in the future; nothing to read. Remove the state to re-sync.`,
      );
      yield { kind: 'checkpoint', state: { created_at: cursor } };
      return;
    }
    // A first sync need not walk the years before the workspace existed, one window at a time.
    const created = cursor === undefined ? await workspaceCreatedAt(ctx) : undefined;
    const from = created !== undefined && created - DAY > lower ? created - DAY : lower;
    const windowDays = ctx.config.settings.activity_logs_window_days;
    const windows = planSlices(from, upper, { sliceDays: windowDays, workers: ctx.config.maxConcurrency });
    const completed = new CompletedPrefix(windows.length);
    const sources = windows.map((w) => () => readRange(ctx, w.start, w.end, new Set()));
    for await (const tagged of mergeGenerators(sources, Math.max(1, ctx.config.maxConcurrency))) {
      if (!tagged.done) {
        yield tagged.item;
        continue;
      }
      const prefix = completed.complete(tagged.index);
      if (prefix !== undefined)
        yield { kind: 'checkpoint', state: { created_at: Math.max(windows[prefix - 1]!.end, cursor ?? 0) } };
    }
  },
};
