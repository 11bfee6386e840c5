import type { JsonObject } from '../../core/events.js';
import type { ProgressGuard } from './stalled.js';
import type { NextStep, PageRequest, PaginationStrategy } from './walk.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Pages {
  next?: unknown;
  page?: unknown;
  per_page?: unknown;
  total_pages?: unknown;
}

export function pagesOf(body: unknown): Pages | undefined {
  return isObject(body) && isObject(body.pages) ? (body.pages as Pages) : undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The next-URL strategy: `pages.next` as a URL string (pages_link). The URL is followed as given;
 * the client sends the token only to its own origin.
 */
export function nextUrlStep(next: unknown): NextStep | undefined {
  if (typeof next !== 'string' || next === '') return undefined;
  return { request: { path: next }, position: `url:${next}`, describe: `the next URL ${next}` };
}

/** The cursor strategy: `pages.next.starting_after` (cursor_pages), sent as a query parameter. */
export function cursorStep(first: PageRequest, next: unknown, perPage: number | undefined): NextStep | undefined {
  const cursor = isObject(next) ? next.starting_after : undefined;
  if (typeof cursor !== 'string' || cursor === '') return undefined;
  // A cursor replaces page numbers: the request carries no `page` (a server may honour either).
  const { page: _page, ...params } = first.searchParams ?? {};
  const searchParams = { ...params, ...(perPage ? { per_page: perPage } : {}), starting_after: cursor };
  return {
    request: { path: first.path, searchParams, ...(first.json !== undefined ? { json: first.json } : {}) },
    position: `cursor:${cursor}`,
    describe: `the cursor ${cursor}`,
  };
}

/**
 * The page-number strategy: `page` / `per_page` with `pages.total_pages`. It never asks past
 * `total_pages`, and trusts `total_pages` only as far as the records go: an empty page ends the walk
 * (a claim of 37 million pages costs one request more, not 37 million).
 */
export function pageNumberStep(
  first: PageRequest,
  pages: Pages | undefined,
  records: JsonObject[],
  current: PageRequest,
  opts: { perPage: number | undefined; numbered: boolean },
  guard: ProgressGuard,
): NextStep | undefined {
  const answered = num(pages?.page);
  if (current.page !== undefined && answered !== undefined && answered !== current.page) {
    guard.fail('page_not_advancing', `page ${current.page} was asked for and page ${answered} came back`);
  }
  const page = current.page ?? answered ?? 1;
  const totalPages = num(pages?.total_pages);
  if (records.length === 0) return undefined;
  if (totalPages !== undefined) {
    if (page >= totalPages) return undefined;
  } else if (!opts.numbered || (opts.perPage !== undefined && records.length < opts.perPage)) {
    return undefined;
  }
  const perPage = opts.perPage ?? num(pages?.per_page);
  const { starting_after: _cursor, ...params } = first.searchParams ?? {};
  const searchParams = { ...params, page: page + 1, ...(perPage ? { per_page: perPage } : {}) };
  return {
    request: { ...first, searchParams, page: page + 1 },
    position: `page:${page + 1}`,
    describe: `page ${page + 1}`,
  };
}

/**
 * Every documented shape of a GET list: `pages.next` as a URL string, as an object with
 * `starting_after`, or absent with `page` / `total_pages`; a list without `pages` is one page.
 * `numbered`: the endpoint pages by number from the start (page=1&per_page), so a full page without
 * `total_pages` asks for the next one.
 */
export function listStrategy(
  first: PageRequest,
  opts: { perPage?: number; numbered?: boolean } = {},
): PaginationStrategy {
  const numbered = opts.numbered ?? false;
  const start: PageRequest = numbered
    ? {
        ...first,
        searchParams: { ...first.searchParams, page: 1, ...(opts.perPage ? { per_page: opts.perPage } : {}) },
        page: 1,
      }
    : withPerPage(first, opts.perPage);
  return {
    first: () => start,
    next(body, records, current, guard) {
      const pages = pagesOf(body);
      const linked = nextUrlStep(pages?.next) ?? cursorStep(start, pages?.next, opts.perPage);
      if (linked) {
        const page = num(pages?.page);
        const totalPages = num(pages?.total_pages);
        if (page !== undefined && totalPages !== undefined && page > totalPages) {
          guard.fail('past_total_pages', `page ${page} of ${totalPages} still pointed to a next page`);
        }
        return linked;
      }
      return pageNumberStep(start, pages, records, current, { perPage: opts.perPage, numbered }, guard);
    },
  };
}

function withPerPage(first: PageRequest, perPage: number | undefined): PageRequest {
  return perPage ? { ...first, searchParams: { ...first.searchParams, per_page: perPage } } : first;
}
