/**
 * Shape variants of list answers: wherever the OpenAPI or Intercom's docs allow more than one
 * shape, the fake can serve each, so a reader that handles only one fails a test.
 *
 * - `pages.next` as a URL string (pages_link), an object with `starting_after` (cursor_pages), or
 *   absent with `page` / `total_pages` (the GET /admins/activity_logs example pages by number);
 * - `total_count` a number or null (the GET /companies/scroll example sends null);
 * - records under either documented key (scroll: `data` in the schema, `companies` in the
 *   description; GET /contacts/{id}/companies: `companies` in the schema, `data` in the example);
 * - small pages, so every walk needs several.
 * The 2.14 and 2.15 list schemas are identical (activity_log_list, cursor_pages, pages_link,
 * company_scroll, collection_list, article_list, contact_attached_companies).
 */
import { ApiError, type RequestContext, type RouteResult } from './http.js';
import type { ListShapes, NextShape } from './types.js';
import type { Json } from './model.js';

export type { ListShapes, NextShape } from './types.js';

const NEXT_SHAPES: NextShape[] = ['url', 'cursor', 'pages'];

/** The shapes a seed stands for: three consecutive seeds cover every `next` shape, both keys and both counts. */
export function shapesForSeed(seed: number): ListShapes {
  const s = Math.abs(Math.trunc(seed));
  return {
    next: NEXT_SHAPES[s % 3] as NextShape,
    totalCount: s % 2 === 0 ? 'null' : 'number',
    recordsKey: (s >> 1) % 2 === 0 ? 'schema' : 'alternate',
    pageSize: 2 + (s % 3),
  };
}

const token = (offset: number): string => Buffer.from(`sh1.${offset}`).toString('base64url');

function offsetOf(c: RequestContext, perPage: number): number {
  const sa = c.query.get('starting_after');
  if (sa) {
    const m = /^sh1\.(\d+)$/.exec(Buffer.from(sa, 'base64url').toString('utf8'));
    if (!m) throw new ApiError(400, 'parameter_invalid', 'Invalid starting_after', 'starting_after');
    return Number(m[1]);
  }
  const raw = c.query.get('page');
  if (raw === null || raw === '') return 0;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new ApiError(400, 'parameter_invalid', 'page must be a positive integer', 'page');
  return (Number(raw) - 1) * perPage;
}

export interface ShapedList {
  path: string;
  type: string;
  key: string;
  /** The other documented records key, used with recordsKey 'alternate'. */
  altKey?: string;
  /** The list's schema has total_count. */
  withTotalCount?: boolean;
}

/** One page of `all` in the shapes' form. */
export function shapedPage(c: RequestContext, shapes: ListShapes, all: Json[], list: ShapedList): RouteResult {
  const asked = Number(c.query.get('per_page') ?? shapes.pageSize);
  const perPage = Math.max(1, Math.min(shapes.pageSize, Number.isFinite(asked) && asked > 0 ? asked : shapes.pageSize));
  const offset = offsetOf(c, perPage);
  const data = all.slice(offset, offset + perPage);
  const more = offset + perPage < all.length;
  const page = Math.floor(offset / perPage) + 1;
  const pages: Json = {
    type: 'pages',
    page,
    per_page: perPage,
    total_pages: Math.max(1, Math.ceil(all.length / perPage)),
  };
  if (shapes.next === 'cursor')
    pages['next'] = more ? { per_page: perPage, starting_after: token(offset + perPage) } : null;
  if (shapes.next === 'url') {
    const q = new URLSearchParams(c.query);
    q.delete('starting_after');
    q.set('page', String(page + 1));
    q.set('per_page', String(perPage));
    pages['next'] = more ? `${c.baseUrl}${list.path}?${q.toString()}` : null;
  }
  const key = shapes.recordsKey === 'alternate' && list.altKey ? list.altKey : list.key;
  const body: Json = { type: list.type, [key]: data, pages };
  if (list.withTotalCount) body['total_count'] = all.length;
  return { status: 200, body };
}
