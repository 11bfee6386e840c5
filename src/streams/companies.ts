import { ConnectorError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { IntercomApiError } from '../intercom/errors.js';
import { recordsOf } from '../intercom/pagination.js';
import { readWindow } from './slicing.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';

interface ScrollBody {
  data?: JsonObject[];
  scroll_param?: string | null;
  total_count?: number | null;
}

/** Intercom allows one open scroll per app: walks in this process queue behind each other. */
let scrollLock: Promise<void> = Promise.resolve();

const MAX_RESTARTS = 5;
const MAX_BUSY_WAITS = 10;

/**
 * Companies through GET /companies/scroll (the only listing without the 10,000 cap). There is no
 * server-side updated_at filter: every sync walks all companies and incremental filters locally.
 * A 500 or an expired scroll restarts the walk; ids already emitted are skipped. A scroll is one
 * request at a time, so the walk runs alongside the readers after it (an incremental sync
 * otherwise waits ~20 s per 10,000 companies at 100 ms a page, with the budget idle).
 */
export const companiesReader: Reader = {
  alongside: true,
  streams: [
    { name: 'companies', primaryKey: ['id'], cursorField: 'updated_at' },
    { name: 'company_tag', primaryKey: ['company_id', 'tag_id'], cursorField: 'updated_at' },
    { name: 'company_segment', primaryKey: ['company_id', 'segment_id'], cursorField: 'updated_at' },
  ],
  async *read(ctx) {
    const { lower, upper, cursor } = readWindow(ctx, 'companies', 'updated_at');
    let release!: () => void;
    const previous = scrollLock;
    scrollLock = new Promise((r) => (release = r));
    await previous;
    try {
      yield* walk(ctx, lower);
    } finally {
      release();
    }
    yield { kind: 'checkpoint', state: { updated_at: Math.max(upper, cursor ?? 0) } };
  },
};

async function* walk(ctx: ReadContext, lower: number): AsyncGenerator<ReaderItem> {
  const emitted = new Set<string>();
  const busyWaitMs = (typeof ctx.config.raw.scroll_busy_wait_seconds === 'number' ? ctx.config.raw.scroll_busy_wait_seconds : 60) * 1000;
  let restarts = 0;
  let busyWaits = 0;
  for (;;) {
    let scrollParam: string | undefined;
    let seen = 0;
    let total: number | undefined;
    try {
      for (;;) {
        // No retries here: a retried page after a 500 would continue a broken scroll.
        const body = await ctx.client.requestMaybe<ScrollBody>({ path: '/companies/scroll', searchParams: { scroll_param: scrollParam }, stream: 'companies', allow404: true, retries: 0 });
        if (body === undefined) {
          // 404: the end for some API versions, or an expired scroll. total_count tells which.
          if (scrollParam !== undefined && total !== undefined && seen < total) throw new ScrollBroken('scroll expired (404) before the end');
          return;
        }
        const records = recordsOf(body, 'data', 'GET /companies/scroll', 'companies');
        if (typeof body.total_count === 'number') total = body.total_count;
        if (records.length === 0) return;
        seen += records.length;
        const fresh: JsonObject[] = [];
        for (const company of records) {
          const id = idString(company.id);
          if (!id || emitted.has(id)) continue;
          emitted.add(id);
          const updatedAt = company.updated_at;
          if (typeof updatedAt === 'number' && updatedAt < lower) continue;
          fresh.push(company);
        }
        yield* companyItems(ctx, fresh);
        if (!body.scroll_param) return;
        scrollParam = body.scroll_param;
      }
    } catch (err) {
      // Opening a scroll only fails with 400 when one is already open ("scroll already exists"),
      // even when the body did not arrive intact.
      const busy = err instanceof IntercomApiError && err.status === 400 && (scrollParam === undefined || /scroll already exists/i.test(err.message));
      if (busy && busyWaits < MAX_BUSY_WAITS) {
        busyWaits++;
        ctx.logger.warn(`companies: another scroll is open for this Intercom app ("scroll already exists"); waiting ${busyWaitMs / 1000} s for it to expire (${busyWaits}/${MAX_BUSY_WAITS}).`);
        await new Promise((r) => setTimeout(r, busyWaitMs));
        continue;
      }
      const broken = err instanceof ScrollBroken || (err instanceof ConnectorError && err.failureType === 'transient_error');
      if (broken && restarts < MAX_RESTARTS) {
        restarts++;
        ctx.logger.warn(`companies: the scroll broke (${(err as Error).message}); restarting it from the beginning (${restarts}/${MAX_RESTARTS}), skipping ${emitted.size} companies already read.`);
        continue;
      }
      throw err;
    }
  }
}

class ScrollBroken extends Error {}

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
