import type { JsonObject } from '../../core/events.js';
import { DEFAULT_PAGE_LIMITS, PaginationStalledError } from './stalled.js';

/**
 * The scroll strategy's progress proof (GET /companies/scroll): the scroll_param may stay the same
 * on every page, so progress is in the records. A page whose ids this scroll already returned (the
 * same scroll_param and the same company forever) stops the walk, as does an absurd page count.
 */
export class ScrollProgress {
  private readonly ids = new Set<string>();
  pages = 0;

  constructor(
    private readonly endpoint: string,
    private readonly stream: string,
    private readonly maxPages = DEFAULT_PAGE_LIMITS.maxPages,
  ) {}

  /** A non-empty page of this scroll; throws when it brings no company this scroll has not returned. */
  page(records: JsonObject[], scrollParam: unknown): void {
    this.pages++;
    let fresh = 0;
    for (const record of records) {
      const id =
        record && (typeof record.id === 'string' || typeof record.id === 'number') ? String(record.id) : undefined;
      if (id === undefined || !this.ids.has(id)) fresh++;
      if (id !== undefined) this.ids.add(id);
    }
    if (fresh === 0) {
      this.stall(
        'scroll_not_advancing',
        `the scroll returned ${records.length} companies it had already returned (scroll_param ${typeof scrollParam === 'string' ? 'unchanged or reused' : 'missing'})`,
      );
    }
    if (this.pages >= this.maxPages)
      this.stall('too_many_pages', `the scroll reached its bound of ${this.maxPages} pages`);
  }

  private stall(reason: 'scroll_not_advancing' | 'too_many_pages', detail: string): never {
    throw new PaginationStalledError({
      reason,
      endpoint: this.endpoint,
      stream: this.stream,
      detail,
      pages: this.pages,
    });
  }
}
