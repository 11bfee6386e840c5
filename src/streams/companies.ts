import { ConnectorError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { IntercomApiError } from '../intercom/errors.js';
import { recordsOf, ScrollProgress, totalCountOf } from '../intercom/paginators/index.js';
import { readWindow } from './slicing.js';
import { idString } from './transform.js';
import { keyMissing, objectsOf } from './record-guards.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { streamsOfReader } from './catalog.js';

interface ScrollBody {
  data?: JsonObject[];
  scroll_param?: string | null;
  total_count?: number | null;
}

/** Intercom allows one open scroll per app: walks in this process queue behind each other. */
let scrollLock: Promise<void> = Promise.resolve();

const MAX_BUSY_WAITS = 10;

/**
 * Companies through GET /companies/scroll (the only listing without the 10,000 cap). There is no
 * server-side updated_at filter: every sync walks all companies and incremental filters locally.
 * A 500 or an expired scroll restarts the walk; ids already emitted are skipped. Intercom allows
 * one open scroll per app: the sync never runs two scroll walks at once (`holds`), and walks in
 * this process queue behind each other (scrollLock) for any other caller.
 */
export const companiesReader: Reader = {
  holds: { resource: 'companies scroll', limit: 1 },
  streams: streamsOfReader('companies'),
  async *read(ctx) {
    const { lower, upper, cursor } = readWindow(ctx, 'companies', 'updated_at');
    let release!: () => void;
    const previous = scrollLock;
    scrollLock = new Promise((r) => (release = r));
    await previous;
    // A company Intercom sent without its id could not be delivered: the state stays where it was.
    let gaps = 0;
    try {
      for await (const item of walk(ctx, lower)) {
        if (item.kind === 'incomplete') gaps++;
        yield item;
      }
    } finally {
      release();
    }
    if (gaps === 0) yield { kind: 'checkpoint', state: { updated_at: Math.max(upper, cursor ?? 0) } };
  },
};

/** Restarts in a row that bring no new company before the walk gives up (a broken scroll). */
export const MAX_FRUITLESS_RESTARTS = 3;
/** Restarts in one walk at all: each must bring new companies, so this only bounds a pathological server. */
const MAX_RESTARTS = 1000;
const ENDPOINT = 'GET /companies/scroll';

/** How one scroll ended; `fresh`: companies it returned that the walk had not seen before. */
type Attempt = { end: 'complete' } | { end: 'broken'; why: string; fresh: number; seen: number; expired: boolean };
type Fetched = { body: ScrollBody | undefined } | { error: unknown };

/** One scroll request; never rejects, so a page fetched ahead cannot become an unhandled rejection. */
function fetchPage(ctx: ReadContext, scrollParam: string | undefined): Promise<Fetched> {
  // No retries for a next page: after a 500 it would continue a broken scroll. Opening one is
  // retried with the client's backoff like any request (there is no scroll to break yet): beside
  // the other readers, a burst of 5xx would otherwise use up the walk's restarts in a moment.
  return ctx.client
    .requestMaybe<ScrollBody>({
      path: '/companies/scroll',
      searchParams: { scroll_param: scrollParam },
      stream: 'companies',
      allow404: true,
      ...(scrollParam === undefined ? {} : { retries: 0 }),
    })
    .then(
      (body) => ({ body }),
      (error: unknown) => ({ error }),
    );
}

/**
 * One scroll from its start. The next page is asked for as soon as a page arrives: the request
 * keeps the scroll alive while a slow downstream takes this page. A 404 after the first page is
 * the end only when `total_count` proves the walk complete (the OpenAPI example sends null);
 * otherwise the scroll expired and the caller restarts it.
 */
async function* scrollOnce(
  ctx: ReadContext,
  lower: number,
  emitted: Set<string>,
  restart: boolean,
): AsyncGenerator<ReaderItem, Attempt> {
  const progress = new ScrollProgress(ENDPOINT, 'companies');
  let scrollParam: string | undefined;
  let seen = 0;
  let fresh = 0;
  let total: number | undefined;
  let pending = fetchPage(ctx, undefined);
  for (;;) {
    const fetched = await pending;
    if ('error' in fetched) {
      const err = fetched.error;
      if (
        err instanceof IntercomApiError &&
        err.status === 400 &&
        (scrollParam === undefined || /scroll already exists/i.test(err.detail ?? ''))
      )
        throw new ScrollBusy(err);
      if (!(err instanceof ConnectorError && err.failureType === 'transient_error')) throw err;
      return { end: 'broken', why: (err as Error).message, fresh, seen, expired: false };
    }
    const body = fetched.body;
    if (body === undefined) {
      // A 404 to the very first request of a first scroll: there is nothing to scroll.
      if ((scrollParam === undefined && !restart) || (total !== undefined && seen >= total)) return { end: 'complete' };
      return {
        end: 'broken',
        why: `the scroll answered 404 after ${seen}${total !== undefined ? ` of ${total}` : ''} companies (expired)`,
        fresh,
        seen,
        expired: true,
      };
    }
    const records = recordsOf(body, ['data', 'companies'], ENDPOINT, 'companies');
    total = totalCountOf(body) ?? total;
    if (records.length === 0) return { end: 'complete' };
    progress.page(records, body.scroll_param);
    seen += records.length;
    const next = typeof body.scroll_param === 'string' && body.scroll_param ? body.scroll_param : undefined;
    if (next) pending = fetchPage(ctx, next);
    const page = unseenCompanies(objectsOf(records, ctx.logger, `companies: a page of ${ENDPOINT}`), emitted, lower);
    fresh += page.unseen;
    if (page.keyless > 0) yield keyMissing(ctx.logger, 'companies', `${page.keyless} on a page of ${ENDPOINT}`);
    yield* companyItems(ctx, page.deliver);
    if (!next) return { end: 'complete' };
    scrollParam = next;
  }
}

/** Opening a scroll only fails with 400 when one is already open ("scroll already exists"). */
class ScrollBusy extends Error {
  constructor(readonly original: unknown) {
    super('scroll already exists');
  }
}

/** Companies not read before in this walk (all are remembered; those updated before `lower` are not delivered). */
function unseenCompanies(
  records: JsonObject[],
  emitted: Set<string>,
  lower: number,
): { unseen: number; deliver: JsonObject[]; keyless: number } {
  const deliver: JsonObject[] = [];
  let unseen = 0;
  let keyless = 0;
  for (const company of records) {
    const id = idString(company.id);
    if (!id) {
      keyless++;
      continue;
    }
    if (emitted.has(id)) continue;
    emitted.add(id);
    unseen++;
    const updatedAt = company.updated_at;
    if (typeof updatedAt === 'number' && updatedAt < lower) continue;
    deliver.push(company);
  }
  return { unseen, deliver, keyless };
}

/**
 * Every company: scrolls, and restarts a broken or expired scroll from the beginning, skipping the
 * companies already read. A restart that covers every company already read and ends without a new
 * one ends the walk (for API versions that end a scroll with 404); restarts that keep breaking
 * without a new company fail the stream instead of ending it short.
 */
async function* walk(ctx: ReadContext, lower: number): AsyncGenerator<ReaderItem> {
  const emitted = new Set<string>();
  let restarts = 0;
  let fruitless = 0;
  let busyWaits = 0;
  for (;;) {
    let attempt: Attempt;
    try {
      attempt = yield* scrollOnce(ctx, lower, emitted, restarts > 0);
    } catch (err) {
      if (!(err instanceof ScrollBusy)) throw err;
      if (busyWaits >= MAX_BUSY_WAITS) throw err.original;
      busyWaits++;
      await waitForOtherScroll(ctx, busyWaits);
      continue;
    }
    if (attempt.end === 'complete') return;
    if (restarts > 0 && attempt.expired && attempt.fresh === 0 && attempt.seen >= emitted.size) {
      ctx.logger.warn(
        `companies: a restarted scroll returned every company already read and then 404; taking that as the end of the scroll (${emitted.size} companies).`,
      );
      return;
    }
    fruitless = attempt.fresh === 0 ? fruitless + 1 : 0;
    if (fruitless > MAX_FRUITLESS_RESTARTS || restarts >= MAX_RESTARTS) {
      throw new ConnectorError(
        `companies: the scroll kept breaking before its end (${attempt.why}); ${restarts} restarts, the last ${fruitless} without a new company. ${emitted.size} companies were read; the stream is incomplete and the next sync reads it again.`,
        { failureType: 'transient_error', stream: 'companies' },
      );
    }
    restarts++;
    ctx.logger.warn(
      `companies: the scroll broke (${attempt.why}); restarting it from the beginning (restart ${restarts}), skipping ${emitted.size} companies already read.`,
    );
  }
}

async function waitForOtherScroll(ctx: ReadContext, busyWaits: number): Promise<void> {
  const busyWaitMs = ctx.config.settings.scroll_busy_wait_seconds * 1000;
  ctx.logger.warn(
    `companies: another scroll is open for this Intercom app ("scroll already exists"); waiting ${busyWaitMs / 1000} s for it to expire (${busyWaits}/${MAX_BUSY_WAITS}).`,
  );
  await new Promise((r) => setTimeout(r, busyWaitMs));
}

/** A page of companies as one batch per stream: tag and segment rows, then the companies. */
function companyItems(ctx: ReadContext, companies: JsonObject[]): ReaderItem[] {
  const tagRows: JsonObject[] = [];
  const segmentRows: JsonObject[] = [];
  for (const company of companies) {
    const companyId = idString(company.id)!;
    const updatedAt = company.updated_at;
    if (ctx.selected.has('company_tag')) {
      const tags = (company.tags as { tags?: { id?: unknown }[] } | undefined)?.tags ?? [];
      for (const tag of tags) {
        const tagId = idString(tag.id);
        if (tagId) tagRows.push({ company_id: companyId, tag_id: tagId, updated_at: updatedAt });
      }
    }
    if (ctx.selected.has('company_segment')) {
      const segments = (company.segments as { segments?: { id?: unknown }[] } | undefined)?.segments ?? [];
      for (const segment of segments) {
        const segmentId = idString(segment.id);
        if (segmentId) segmentRows.push({ company_id: companyId, segment_id: segmentId, updated_at: updatedAt });
      }
    }
  }
  const items: ReaderItem[] = [];
  if (tagRows.length) items.push({ kind: 'records', stream: 'company_tag', records: tagRows, owned: true });
  if (segmentRows.length) items.push({ kind: 'records', stream: 'company_segment', records: segmentRows, owned: true });
  if (companies.length) items.push({ kind: 'records', stream: 'companies', records: companies, owned: true });
  return items;
}
