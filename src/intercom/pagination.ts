import { ConnectorError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { excerpt } from '../core/redact.js';
import type { IntercomClient } from './client.js';

export interface Page {
  records: JsonObject[];
  totalCount?: number;
}

interface PagesObject {
  next?: string | { starting_after?: string | null; page?: number } | null;
  page?: number;
  total_pages?: number;
}

type ListBody = Record<string, unknown> & { pages?: PagesObject | null; total_count?: number };

/** Pulls the records array out of a list body; a missing array is a malformed upstream body. */
export function recordsOf(body: unknown, key: string | string[], endpoint: string, stream?: string): JsonObject[] {
  const keys = Array.isArray(key) ? key : [key];
  if (body && typeof body === 'object') {
    for (const k of keys) {
      const value = (body as Record<string, unknown>)[k];
      if (Array.isArray(value)) return value as JsonObject[];
    }
  }
  throw new ConnectorError(`Intercom's answer to ${endpoint} has no '${keys.join("' or '")}' array; the response is malformed or the API version changed.`, {
    failureType: 'system_error',
    stream,
    internalMessage: `body starts with ${excerpt(JSON.stringify(body) ?? String(body), 200)}`,
  });
}

/** GET lists paged by `pages.next.starting_after` (or a `pages.next` URL). */
export async function* cursorPages(
  client: IntercomClient,
  opts: { path: string; recordsKey: string | string[]; perPage?: number; params?: Record<string, string | number | boolean | undefined>; stream?: string },
): AsyncGenerator<Page> {
  let startingAfter: string | undefined;
  let nextUrl: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const body = nextUrl
      ? await client.request<ListBody>({ path: nextUrl, stream: opts.stream })
      : await client.request<ListBody>({
          path: opts.path,
          stream: opts.stream,
          searchParams: { ...opts.params, ...(opts.perPage ? { per_page: opts.perPage } : {}), ...(startingAfter ? { starting_after: startingAfter } : {}) },
        });
    yield { records: recordsOf(body, opts.recordsKey, `GET ${opts.path}`, opts.stream), totalCount: body.total_count };
    const next = body.pages?.next;
    if (typeof next === 'string' && next) {
      if (seen.has(next)) throw cycleError(opts.path, opts.stream);
      seen.add(next);
      nextUrl = next;
    } else if (next && typeof next === 'object' && next.starting_after) {
      if (seen.has(next.starting_after)) throw cycleError(opts.path, opts.stream);
      seen.add(next.starting_after);
      startingAfter = next.starting_after;
    } else {
      return;
    }
  }
}

/** GET lists paged by `page` / `per_page` with `pages.total_pages`. */
export async function* numberedPages(
  client: IntercomClient,
  opts: { path: string; recordsKey: string | string[]; perPage: number; params?: Record<string, string | number | boolean | undefined>; stream?: string },
): AsyncGenerator<Page> {
  for (let page = 1; ; page++) {
    const body = await client.request<ListBody>({ path: opts.path, stream: opts.stream, searchParams: { ...opts.params, page, per_page: opts.perPage } });
    const records = recordsOf(body, opts.recordsKey, `GET ${opts.path}`, opts.stream);
    yield { records, totalCount: body.total_count };
    const totalPages = body.pages?.total_pages;
    if (records.length === 0 || (typeof totalPages === 'number' ? page >= totalPages : records.length < opts.perPage)) return;
  }
}

/** POST .../search with the pagination in the BODY (a query-string cursor is silently ignored by Intercom). */
export async function* searchPages(
  client: IntercomClient,
  opts: { path: string; query: unknown; recordsKey: string; perPage?: number; stream?: string },
): AsyncGenerator<Page> {
  let startingAfter: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const body = await client.request<ListBody>({
      method: 'POST',
      path: opts.path,
      stream: opts.stream,
      json: { query: opts.query, pagination: { per_page: opts.perPage ?? 150, ...(startingAfter ? { starting_after: startingAfter } : {}) } },
    });
    yield { records: recordsOf(body, opts.recordsKey, `POST ${opts.path}`, opts.stream), totalCount: body.total_count };
    const next = body.pages?.next;
    const cursor = next && typeof next === 'object' ? next.starting_after : undefined;
    if (!cursor) return;
    if (seen.has(cursor)) throw cycleError(opts.path, opts.stream);
    seen.add(cursor);
    startingAfter = cursor;
  }
}

function cycleError(path: string, stream?: string): ConnectorError {
  return new ConnectorError(`Intercom's pagination for ${path} returned a cursor it had already returned (the result set shifted while paging); the slice is read again.`, {
    failureType: 'transient_error',
    stream,
  });
}
