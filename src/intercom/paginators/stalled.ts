import { ConnectorError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';

/** Why a walk was stopped: each names one way a server can page without progressing. */
export type StallReason =
  /** A cursor or next URL this walk already followed (a cycle A→B→A). */
  | 'repeated_cursor'
  /** A page-numbered answer for another page than the one asked for. */
  | 'page_not_advancing'
  /** A next link after the last page that `total_pages` announced. */
  | 'past_total_pages'
  /** More than `maxIdlePages` pages in a row that were empty or only repeated records, yet said there is more. */
  | 'no_new_records'
  /** A scroll page whose companies this scroll already returned. */
  | 'scroll_not_advancing'
  /** More pages than any honest walk of one endpoint needs. */
  | 'too_many_pages';

export interface PageLimits {
  /** Pages in a row without a new record (empty, or only repeated ids) that a walk tolerates. */
  maxIdlePages: number;
  /** Pages one walk may request in total. */
  maxPages: number;
}

/** 5 idle pages in a row: Intercom does not send empty pages with a next link; 5 covers a hiccup. */
export const DEFAULT_PAGE_LIMITS: PageLimits = { maxIdlePages: 5, maxPages: 100_000 };

/** One typed error for every paginator: the walk cannot prove progress, so the stream stops. */
export class PaginationStalledError extends ConnectorError {
  readonly reason: StallReason;
  readonly endpoint: string;

  constructor(opts: { reason: StallReason; endpoint: string; stream?: string; detail: string; pages: number }) {
    const transient = opts.reason === 'repeated_cursor';
    super(
      `Intercom's pagination of ${opts.endpoint} stopped making progress after ${opts.pages} page(s): ${opts.detail}. ` +
        `The stream stops here (records already delivered stand, its state stays before the unread pages); ${transient ? 'the next sync reads it again.' : 'if it persists, report it to Intercom with this message.'}`,
      { failureType: transient ? 'transient_error' : 'system_error', ...(opts.stream ? { stream: opts.stream } : {}) },
    );
    this.name = 'PaginationStalledError';
    this.reason = opts.reason;
    this.endpoint = opts.endpoint;
  }
}

function idOf(record: JsonObject): string | undefined {
  const id = record?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/**
 * Proves that a walk progresses: every position (cursor, URL, page number) is new, pages keep
 * bringing records not seen before in this walk, and the number of pages stays bounded.
 */
export class ProgressGuard {
  private readonly positions = new Set<string>();
  private readonly ids = new Set<string>();
  private idle = 0;
  pages = 0;

  constructor(
    private readonly endpoint: string,
    private readonly stream: string | undefined,
    private readonly limits: PageLimits = DEFAULT_PAGE_LIMITS,
  ) {}

  /** Records of a page just read; counts the page and whether it brought anything new. */
  page(records: JsonObject[]): void {
    this.pages++;
    let fresh = 0;
    for (const record of records) {
      const id = idOf(record);
      // A record without an id cannot be recognised again: count it as new.
      if (id === undefined || !this.ids.has(id)) fresh++;
      if (id !== undefined) this.ids.add(id);
    }
    this.idle = fresh === 0 ? this.idle + 1 : 0;
  }

  /** The position the walk is about to request; throws when it cannot be progress. */
  advance(position: string, describe: string): void {
    if (this.positions.has(position)) this.fail('repeated_cursor', `it returned ${describe} it had already returned`);
    if (this.idle > this.limits.maxIdlePages) {
      this.fail('no_new_records', `${this.idle} pages in a row brought no new record but still pointed to a next page`);
    }
    if (this.pages >= this.limits.maxPages)
      this.fail('too_many_pages', `the walk reached its bound of ${this.limits.maxPages} pages`);
    this.positions.add(position);
  }

  fail(reason: StallReason, detail: string): never {
    throw new PaginationStalledError({
      reason,
      endpoint: this.endpoint,
      stream: this.stream,
      detail,
      pages: this.pages,
    });
  }
}
