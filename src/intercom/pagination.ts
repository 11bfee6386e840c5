/**
 * The readers' entry points to the paginator kit (./paginators): GET lists in every documented
 * shape, page-numbered lists, and searches with the cursor in the body.
 */
import type { JsonObject } from '../core/events.js';
import type { IntercomClient } from './client.js';
import {
  listStrategy,
  recordsOf,
  requestFirstPage,
  searchStrategy,
  walkPages,
  type Params,
} from './paginators/index.js';

export { recordsOf, searchNextCursor, totalCountOf } from './paginators/index.js';
export { PaginationStalledError, type StallReason } from './paginators/index.js';

export interface Page {
  records: JsonObject[];
  totalCount?: number;
}

interface ListOptions {
  path: string;
  recordsKey: string | string[];
  perPage?: number;
  params?: Params;
  stream?: string;
  /** Override the client's retry count (e.g. 1 where a failing request is better split than retried). */
  retries?: number;
}

/** A GET list in whichever documented shape it answers: next URL, `starting_after` cursor, or page numbers. */
export function cursorPages(client: IntercomClient, opts: ListOptions): AsyncGenerator<Page> {
  return listPages(client, opts, false);
}

/** A GET list paged by `page` / `per_page` from the first request (a next link, if sent, is followed). */
export function numberedPages(client: IntercomClient, opts: ListOptions & { perPage: number }): AsyncGenerator<Page> {
  return listPages(client, opts, true);
}

function listPages(client: IntercomClient, opts: ListOptions, numbered: boolean): AsyncGenerator<Page> {
  const endpoint = `GET ${opts.path}`;
  const strategy = listStrategy(
    { path: opts.path, ...(opts.params ? { searchParams: opts.params } : {}) },
    { ...(opts.perPage ? { perPage: opts.perPage } : {}), numbered },
  );
  return walkPages(client, strategy, {
    endpoint,
    ...(opts.stream ? { stream: opts.stream } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    recordsOf: (body) => recordsOf(body, opts.recordsKey, endpoint, opts.stream),
  });
}

export interface SearchPagesOptions {
  path: string;
  query: unknown;
  recordsKey: string;
  perPage?: number;
  stream?: string;
  /** The answer to the first request when already known (from firstSearchPage with the same options). */
  firstBody?: unknown;
}

/** POST .../search with the pagination in the BODY (a query-string cursor is silently ignored by Intercom). */
export function searchPages(client: IntercomClient, opts: SearchPagesOptions): AsyncGenerator<Page> {
  const endpoint = `POST ${opts.path}`;
  return walkPages(client, searchStrategy(opts.path, { query: opts.query }, opts.perPage), {
    endpoint,
    method: 'POST',
    ...(opts.stream ? { stream: opts.stream } : {}),
    ...(opts.firstBody !== undefined ? { firstBody: opts.firstBody } : {}),
    recordsOf: (body) => recordsOf(body, opts.recordsKey, endpoint, opts.stream),
  });
}

/**
 * Exactly the first request searchPages would send for these options, asked alone: its total_count
 * plans the read, and the answer is handed back to searchPages as `firstBody`, never asked twice.
 */
export function firstSearchPage(client: IntercomClient, opts: Omit<SearchPagesOptions, 'firstBody'>): Promise<unknown> {
  return requestFirstPage(client, searchStrategy(opts.path, { query: opts.query }, opts.perPage), {
    method: 'POST',
    ...(opts.stream ? { stream: opts.stream } : {}),
  });
}
