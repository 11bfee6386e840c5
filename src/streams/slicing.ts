import type { JsonObject } from '../core/events.js';
import { mergeGenerators } from '../core/merge.js';
import { cursorOf } from '../core/cursor.js';
import {
  PaginationStalledError,
  firstSearchPage,
  searchNextCursor,
  searchPages,
  totalCountOf,
} from '../intercom/pagination.js';
import { detailWindow } from './details.js';
import { cursorSeconds, keyMissing, objectsOf } from './record-guards.js';
import { idString } from './transform.js';
import type { ReadContext, ReaderItem } from './types.js';

export const DAY = 86_400;
/** No Intercom workspace has data from before the company existed. */
export const INTERCOM_EPOCH = Date.UTC(2011, 0, 1) / 1000;

export interface TimeSlice {
  index: number;
  /** Inclusive lower bound, Unix seconds. */
  start: number;
  /** Exclusive upper bound; the last slice is open-ended (records updated during the sync land there). */
  end: number;
  last: boolean;
}

export const dayStart = (t: number): number => Math.floor(t / DAY) * DAY;

/**
 * How many slices are read at once, and how many detail fetches one slice keeps outstanding.
 * Together they bound the responses held in memory (slices x window) while still keeping every
 * allowed request in flight: the client's max_concurrency is the real limit on the wire.
 */
export function sliceWorkers(maxConcurrency: number): number {
  return Math.max(1, Math.min(maxConcurrency, 8));
}

/**
 * Per-record requests (parts, events, notes) one page keeps outstanding: half the connections
 * when several slices share them, all of them when the read is one walk (else a one-walk read
 * would leave half the connections idle).
 */
export function pageDetailWindow(maxConcurrency: number, slicesAtOnce: number): number {
  return slicesAtOnce <= 1 ? Math.max(4, maxConcurrency) : detailWindow(maxConcurrency);
}

/** The [lower, upper) window an incremental or full read covers, and the cursor it started from. */
export function readWindow(
  ctx: ReadContext,
  stream: string,
  cursorField: string,
): { lower: number; upper: number; cursor: number | undefined } {
  const cursor = cursorOf(ctx.state, cursorField, stream);
  const lookbackMinutes = ctx.config.settings.lookback_window_minutes;
  const lower =
    cursor !== undefined ? Math.max(0, cursor - lookbackMinutes * 60) : (ctx.config.startDate ?? INTERCOM_EPOCH);
  return { lower, upper: ctx.syncStartedAt, cursor };
}

/**
 * Splits [lower, upper) into slices on UTC day boundaries. Many slices let a first sync read in
 * parallel; `sliceDays` (config slice_days) fixes their width, otherwise about four per worker.
 */
export function planSlices(lower: number, upper: number, opts: { sliceDays?: number; workers: number }): TimeSlice[] {
  const first = dayStart(lower);
  const days = Math.max(1, Math.ceil((upper - first) / DAY));
  const width = opts.sliceDays ?? Math.max(1, Math.ceil(days / Math.max(1, opts.workers * 4)));
  const slices: TimeSlice[] = [];
  for (let start = first; ; start += width * DAY) {
    const end = start + width * DAY;
    const last = end >= upper;
    slices.push({ index: slices.length, start: slices.length === 0 ? lower : start, end: last ? upper : end, last });
    if (last) return slices;
  }
}

export interface SlicedSearchOptions {
  ctx: ReadContext;
  stream: string;
  cursorField: string;
  path: string;
  recordsKey: string;
  /** The search query for one slice (a superset is fine: records are filtered locally). */
  query(slice: TimeSlice): unknown;
  /**
   * Turns one page of parent records into items (the parent record, its junctions, its children);
   * `detailWindow` is how many per-record requests the page may keep outstanding.
   */
  processPage(records: JsonObject[], slice: TimeSlice, detailWindow: number): AsyncGenerator<ReaderItem>;
  /** The time that places a record in a slice; default: its cursor field. */
  sliceTime?(record: JsonObject): number | undefined;
  /** Report the searched records' total_count as the stream's row estimate (default true). */
  estimate?: boolean;
}

/**
 * Reads a search endpoint in parallel time slices. Each slice is read completely (result order is
 * not guaranteed in 2.14), records outside the slice are dropped, and a checkpoint is yielded for
 * the contiguous prefix of completed slices only, so a crash after any STATE loses nothing.
 */
export async function* slicedSearch(opts: SlicedSearchOptions): AsyncGenerator<ReaderItem> {
  const { ctx, stream, cursorField } = opts;
  const { lower, upper, cursor } = readWindow(ctx, stream, cursorField);
  if (cursor !== undefined && cursor > upper) {
    ctx.logger.warn(
      `The state cursor of ${stream} (${new Date(cursor * 1000).toISOString()}) is in the future; nothing to read. Remove the state to re-sync.`,
    );
    yield { kind: 'checkpoint', state: { [cursorField]: cursor } };
    return;
  }
  const { slices, firstPages } = await planSearch(opts, lower, upper);
  const done = new Array<boolean>(slices.length).fill(false);
  let prefix = 0;
  let estimate = 0;
  const guard = new SliceGuard(opts);
  const workers = sliceWorkers(ctx.config.maxConcurrency);
  const window = pageDetailWindow(ctx.config.maxConcurrency, Math.min(workers, slices.length));

  const sources = slices.map((slice) => () => {
    const first = firstPages.get(slice.index);
    // Handed over once: the page is not kept after its slice started.
    firstPages.delete(slice.index);
    return readSlice(opts, { slice, window, firstBody: first }, (total) => (estimate += total), guard);
  });
  for await (const tagged of mergeGenerators(sources, workers)) {
    if (!tagged.done) {
      yield tagged.item;
      continue;
    }
    done[tagged.index] = true;
    const before = prefix;
    while (prefix < slices.length && done[prefix]) prefix++;
    if (prefix > before) {
      // Never past a slice that held something unreadable or skipped: the next sync reads it again.
      const reached = Math.min(slices[prefix - 1]!.end, guard.heldAt);
      yield { kind: 'checkpoint', state: { [cursorField]: Math.max(reached, cursor ?? 0) } };
    }
    if (estimate > 0 && opts.estimate !== false) yield { kind: 'estimate', stream, rows: estimate };
  }
  guard.summarize();
}

const iso = (t: number): string => new Date(t * 1000).toISOString();
/** Unreadable cursors are named one by one up to this many per stream, then counted. */
const NAMED_UNREADABLE = 5;

/**
 * The records of a search page that one slice emits, and where the state must stop. A record
 * without an id is reported and not emitted; a record whose cursor is not Unix seconds is emitted
 * in the slice where it was seen (once per sync) and holds the state before that slice.
 */
class SliceGuard {
  heldAt = Number.POSITIVE_INFINITY;
  private readonly unplaced = new Set<string>();
  private unreadable = 0;

  constructor(private readonly opts: SlicedSearchOptions) {}

  hold(slice: TimeSlice): void {
    this.heldAt = Math.min(this.heldAt, slice.start);
  }

  /** The place of a record in time, or undefined when its cursor cannot be read. */
  timeOf(record: JsonObject): number | undefined {
    if (this.opts.sliceTime) return this.opts.sliceTime(record);
    const at = record[this.opts.cursorField];
    return typeof at === 'number' && Number.isFinite(at) && at >= 0 ? at : undefined;
  }

  /** True when the unplaceable record is emitted now (the first slice that sees it). */
  takeUnplaced(record: JsonObject, id: string, slice: TimeSlice): boolean {
    if (this.unplaced.has(id)) return false;
    this.unplaced.add(id);
    this.hold(slice);
    const { stream, cursorField, ctx } = this.opts;
    const raw = record[cursorField];
    let emitted = '';
    if (!this.opts.sliceTime) {
      // The record goes out valid against its schema (an integer cursor or none), never as text.
      const seconds = cursorSeconds(raw);
      if (seconds !== undefined) record[cursorField] = seconds;
      else delete record[cursorField];
      emitted = seconds !== undefined ? ` with ${cursorField} read as ${seconds}` : ` without ${cursorField}`;
    }
    if (++this.unreadable <= NAMED_UNREADABLE) {
      ctx.logger.warn(
        `CURSOR_UNREADABLE ${stream}: record ${id} has ${cursorField} ${raw === undefined ? '(missing)' : JSON.stringify(raw)}, not Unix seconds. It is emitted${emitted}; the state stays before ${iso(slice.start)}, where it was seen, so the next sync reads it again.`,
      );
    }
    return true;
  }

  summarize(): void {
    if (this.unreadable > NAMED_UNREADABLE)
      this.opts.ctx.logger.warn(
        `CURSOR_UNREADABLE ${this.opts.stream}: ${this.unreadable} records in all had an unreadable ${this.opts.cursorField}.`,
      );
  }
}

const MAX_SLICE_RESTARTS = 3;
/** Search's largest page: API-NOTES.md and the conversation search description say `per_page` max 150. */
export const SEARCH_PER_PAGE = 150;
/**
 * A window whose records fit in this many pages is read as one walk (6,000 records: a chain of
 * about 4-6 s at Intercom's 100-150 ms per page, what 1,000 requests take under a 10,000/min
 * budget). Intercom caps no search at a number of results, so slicing only buys parallel chains
 * (and checkpoints) for a first sync; below this it would cost a part-filled page per slice.
 */
export const ONE_WALK_PAGES = 40;
/** Windows longer than this (a first sync) are probed before slicing. */
const PROBE_MIN_WINDOW = 14 * DAY;
const PROBE_BUCKETS = 16;

/** The slices to read, and the first page of those whose first request was already asked. */
export interface SearchPlan {
  slices: TimeSlice[];
  firstPages: Map<number, unknown>;
}

/** The first page of a slice's search walk (the same request readSlice would send first). */
function firstPageOf(opts: SlicedSearchOptions, slice: TimeSlice): Promise<unknown> {
  return firstSearchPage(opts.ctx.client, {
    path: opts.path,
    query: opts.query(slice),
    recordsKey: opts.recordsKey,
    perPage: SEARCH_PER_PAGE,
    stream: opts.stream,
  });
}

/**
 * Plans the read of [lower, upper) from what is known. `slice_days` set: fixed day slices, as asked.
 * Otherwise the first page of the whole window is asked: when it is the only page, or its
 * total_count fits in ONE_WALK_PAGES, or the window is within one UTC day, the window is one walk
 * that goes on from that page (an incremental sync: exactly the pages its changes fill). Only a
 * larger window is sliced, and that page (one request) is the price of knowing.
 */
export async function planSearch(opts: SlicedSearchOptions, lower: number, upper: number): Promise<SearchPlan> {
  const { ctx } = opts;
  const sliceDays = ctx.config.settings.slice_days;
  if (sliceDays !== undefined)
    return {
      slices: planSlices(lower, upper, { sliceDays, workers: ctx.config.maxConcurrency }),
      firstPages: new Map(),
    };
  const whole: TimeSlice = { index: 0, start: lower, end: upper, last: true };
  const head = await firstPageOf(opts, whole);
  const total = totalCountOf(head);
  const oneDay = upper - dayStart(lower) <= DAY;
  if (
    oneDay ||
    searchNextCursor(head) === undefined ||
    (total !== undefined && total <= ONE_WALK_PAGES * SEARCH_PER_PAGE)
  )
    return { slices: [whole], firstPages: new Map([[0, head]]) };
  if (upper - lower > PROBE_MIN_WINDOW) return planByDensity(opts, lower, upper);
  return { slices: planSlices(lower, upper, { workers: ctx.config.maxConcurrency }), firstPages: new Map() };
}

/**
 * A first sync spans years, mostly empty in most workspaces. The first page of each bucket's
 * search (reading total_count) tells where the records are: empty buckets are skipped and busy
 * ones split, so parallel slices carry similar work and no request is spent on nothing. A bucket
 * that stays one slice keeps its page as the slice's first page: no probe is asked twice.
 */
async function planByDensity(opts: SlicedSearchOptions, lower: number, upper: number): Promise<SearchPlan> {
  const { ctx } = opts;
  const days = Math.ceil((upper - dayStart(lower)) / DAY);
  const buckets = planSlices(lower, upper, { sliceDays: Math.max(1, Math.ceil(days / PROBE_BUCKETS)), workers: 1 });
  const pages = await Promise.all(buckets.map((bucket) => firstPageOf(opts, bucket)));
  // Without a count, assume the bucket is busy rather than skip it.
  const counts = pages.map((page) => totalCountOf(page) ?? Number.POSITIVE_INFINITY);
  const finite = counts.filter(Number.isFinite);
  const total = finite.reduce((a, b) => a + b, 0);
  // About four slices per worker balance the workers; more only add a partly filled last page each
  // (96 slices for 100,000 contacts at max_concurrency 24 cost 160 requests more than 32 do).
  const target = Math.max(300, Math.ceil(total / (sliceWorkers(ctx.config.maxConcurrency) * 4)));
  const slices: TimeSlice[] = [];
  const firstPages = new Map<number, unknown>();
  buckets.forEach((bucket, i) => {
    const count = counts[i]!;
    if (count === 0 && !bucket.last) return;
    // Rounded, not ceiled: a bucket just over twice the target makes two slices, not three.
    const pieces = Number.isFinite(count) ? Math.max(1, Math.round(count / target)) : 4;
    if (pieces === 1) firstPages.set(slices.length, pages[i]);
    const bucketDays = Math.max(1, Math.ceil((bucket.end - dayStart(bucket.start)) / DAY));
    for (const piece of planSlices(bucket.start, bucket.end, {
      sliceDays: Math.max(1, Math.ceil(bucketDays / pieces)),
      workers: 1,
    })) {
      slices.push({ index: slices.length, start: piece.start, end: piece.end, last: bucket.last && piece.last });
    }
  });
  // Intercom's count when probed, not a promise: records updated during the read move between windows.
  const estimate = Number.isFinite(total)
    ? `about ${total} records in the window by Intercom's count at the start`
    : 'an unknown number of records';
  ctx.logger.info(
    `${opts.stream}: ${estimate}; reading in ${slices.length} time slices (${counts.filter((c) => c === 0).length} of ${buckets.length} probed periods empty).`,
  );
  return { slices, firstPages };
}

/** One slice to read: its window, the detail window of its pages, its first page when known. */
interface SliceRead {
  slice: TimeSlice;
  window: number;
  firstBody: unknown;
}

async function* readSlice(
  opts: SlicedSearchOptions,
  { slice, window, firstBody }: SliceRead,
  onTotal: (n: number) => void,
  guard: SliceGuard,
): AsyncGenerator<ReaderItem> {
  const { ctx, stream } = opts;
  const emitted = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    try {
      let firstPage = attempt === 0;
      for await (const page of readAhead(
        searchPages(ctx.client, {
          path: opts.path,
          query: opts.query(slice),
          recordsKey: opts.recordsKey,
          perPage: SEARCH_PER_PAGE,
          stream,
          // A restart after a cycling cursor asks again: the known page is the result set before it shifted.
          ...(attempt === 0 && firstBody !== undefined ? { firstBody } : {}),
        }),
      )) {
        if (firstPage && page.totalCount !== undefined) onTotal(page.totalCount);
        firstPage = false;
        const where = `a search page of the slice from ${iso(slice.start)}`;
        const fresh: JsonObject[] = [];
        for (const [position, record] of objectsOf(page.records, ctx.logger, `${stream}: ${where}`).entries()) {
          const id = idString(record.id);
          if (id === undefined || id === '') {
            guard.hold(slice);
            yield keyMissing(ctx.logger, stream, `position ${position} of ${where}`);
            continue;
          }
          const at = guard.timeOf(record);
          if (at === undefined) {
            if (guard.takeUnplaced(record, id, slice)) fresh.push(record);
            continue;
          }
          if (at < slice.start || (!slice.last && at >= slice.end) || emitted.has(id)) continue;
          emitted.add(id);
          fresh.push(record);
        }
        if (fresh.length === 0) continue;
        for await (const item of opts.processPage(fresh, slice, window)) {
          // A parent skipped by the page's reader: the state stays before this slice.
          if (item.kind === 'incomplete') guard.hold(slice);
          yield item;
        }
      }
      return;
    } catch (err) {
      // A cursor that cycles means the result set shifted; reading the slice again (skipping what
      // was already emitted) is the only way to be sure nothing was skipped.
      if (err instanceof PaginationStalledError && err.reason === 'repeated_cursor' && attempt < MAX_SLICE_RESTARTS) {
        ctx.logger.warn(`${stream}: search pagination cycled in slice ${iso(slice.start)}; reading the slice again.`);
        continue;
      }
      throw err;
    }
  }
}

/**
 * Asks for the next page while the consumer handles this one: a walk's chain of pages does not
 * wait for each page's per-record requests. At most one page is held ahead; an error of the page
 * ahead surfaces only after the current page was handled, as without read-ahead.
 */
export async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let pending = source.next();
  try {
    for (;;) {
      const result = await pending;
      if (result.done) return;
      pending = source.next();
      // Handled later, by the await above; marked so a failure meanwhile is no unhandled rejection.
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    pending.catch(() => undefined);
    void source.return(undefined).catch(() => undefined);
  }
}

/**
 * Conversation and ticket search treat `>` and `<` as inclusive. Asking one second wider on both
 * sides is safe whichever way Intercom compares, since records are filtered to the slice locally.
 */
export function inclusiveSliceQuery(slice: TimeSlice): unknown {
  const lower = { field: 'updated_at', operator: '>', value: slice.start - 1 };
  if (slice.last) return { operator: 'AND', value: [lower] };
  return { operator: 'AND', value: [lower, { field: 'updated_at', operator: '<', value: slice.end }] };
}
