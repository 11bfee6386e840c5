import type { PaginationStrategy } from './walk.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The cursor of the page after this search answer (`pages.next.starting_after`), or undefined at the end. */
export function searchNextCursor(response: unknown): string | undefined {
  const pages = isObject(response) && isObject(response.pages) ? response.pages : undefined;
  const next = pages?.next;
  const cursor = isObject(next) ? next.starting_after : undefined;
  return typeof cursor === 'string' && cursor !== '' ? cursor : undefined;
}

/**
 * The search strategy: POST with `pagination: {per_page, starting_after}` in the BODY (a cursor in
 * the query string is silently ignored by Intercom), next cursor from `pages.next.starting_after`.
 * `body` is the request body without its cursor; its own `pagination` (per_page) is kept.
 */
export function searchStrategy(
  path: string,
  body: Record<string, unknown>,
  perPage: number | undefined,
): PaginationStrategy {
  const pagination = isObject(body.pagination) ? body.pagination : {};
  const base = { ...pagination, per_page: perPage ?? pagination.per_page ?? 150 };
  return {
    first: () => ({ path, json: { ...body, pagination: base } }),
    next(response) {
      const cursor = searchNextCursor(response);
      if (cursor === undefined) return undefined;
      return {
        request: { path, json: { ...body, pagination: { ...base, starting_after: cursor } } },
        position: `cursor:${cursor}`,
        describe: `the cursor ${cursor}`,
      };
    },
  };
}
