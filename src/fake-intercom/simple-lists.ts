/**
 * The simple list streams' routes, derived from the connector's stream table
 * (src/streams/catalog.ts): each entry's endpoint, records key and pagination kind give the route
 * and the answer's form; this file only says, per stream, where the fake's records come from.
 * Adding a list stream to the fake = one table entry plus one line here (and its data).
 *
 * - cursor / unpaged: the whole list in one answer (`{type, [records key]: [...]}`), or, with list
 *   shapes (shapes.ts) for the lists that have them, one page of it in the configured shape;
 * - page-number: `page` / `per_page` with `pages.total_pages` and `total_count`.
 */
import type { RequestContext, RouteResult } from './http.js';
import type { Json, SegmentCore, TagCore, TeamCore, AdminCore } from './model.js';
import { renderAdmin, renderTeam } from './objects/admins.js';
import { listDataAttributes } from './objects/data-attributes.js';
import { byUpdatedDesc, renderArticle, renderCollection, renderHelpCenter } from './objects/help-center.js';
import { renderSubscriptionType } from './objects/subscription-types.js';
import { renderSegment, renderTag } from './objects/tags.js';
import { renderTicketType } from './objects/tickets.js';
import { intParam, ok, pageBased, type Router } from './router.js';
import { shapedPage } from './shapes.js';
import type { WorkspaceState } from './state.js';
import { WORKSPACE_LIST_SIZES, workspaceList, type WorkspaceListStream } from './workspace-lists.js';
import { streamDefinition, type StreamName } from '../streams/catalog.js';

/** Page parameters of a page-number list. */
interface Paging {
  /** Page size when the request names none (default: the table's perPage, else 50). */
  defaultPerPage?: number;
  /** The largest per_page honoured; larger ones are clamped to it. */
  maxPerPage: number;
  /** Malformed or too small page parameters answer 400 (else they fall back to the defaults). */
  strict: boolean;
}

export interface SimpleList {
  /** The answer's `type`. */
  type: string;
  /** Every record, in the order served (may read the request's filters, or throw an ApiError). */
  records: (ws: WorkspaceState, query: URLSearchParams) => Json[];
  /** Served in the configured list shapes when the fake has them. */
  shaped?: boolean;
  /** page-number lists only. */
  paging?: Paging;
}

const count = (n: number, render: (i: number) => Json): Json[] => Array.from({ length: n }, (_, i) => render(i));

/** The largest per_page each workspace list honours (the spec's documented maximum; 50 when it says none). */
const WORKSPACE_MAX_PER_PAGE: Partial<Record<WorkspaceListStream, number>> = {
  calls: 25,
  ai_content_sources: 150,
  ai_external_pages: 150,
};

function workspaceLists(): Partial<Record<StreamName, SimpleList>> {
  const out: Partial<Record<StreamName, SimpleList>> = {};
  for (const stream of Object.keys(WORKSPACE_LIST_SIZES) as WorkspaceListStream[]) {
    out[stream] = {
      type: 'list',
      records: (ws) => workspaceList(ws, stream),
      paging: { maxPerPage: WORKSPACE_MAX_PER_PAGE[stream] ?? 50, strict: false },
    };
  }
  return out;
}

/** Where each simple list's records come from. */
export const SIMPLE_LISTS: Partial<Record<StreamName, SimpleList>> = {
  admins: { type: 'admin.list', shaped: true, records: (ws) => ws.admins.map((a: AdminCore) => renderAdmin(ws, a)) },
  teams: { type: 'team.list', shaped: true, records: (ws) => ws.teams.map((t: TeamCore) => renderTeam(ws, t)) },
  tags: { type: 'list', shaped: true, records: (ws) => ws.tags.map((t: TagCore) => renderTag(t)) },
  segments: {
    type: 'segment.list',
    shaped: true,
    records: (ws, q) => {
      const withCount = q.get('include_count') === 'true';
      return ws.segments.map((s: SegmentCore) => renderSegment(ws, s, withCount));
    },
  },
  data_attributes: { type: 'list', shaped: true, records: (ws, q) => listDataAttributes(ws, q) },
  ticket_types: {
    type: 'list',
    shaped: true,
    records: (ws) => count(ws.size.ticketTypes, (i) => renderTicketType(ws, i)),
  },
  subscription_types: {
    type: 'list',
    shaped: true,
    records: (ws) => count(ws.size.subscriptionTypes, renderSubscriptionType),
  },
  help_centers: {
    type: 'list',
    shaped: true,
    records: (ws) => count(ws.size.helpCenters, (i) => renderHelpCenter(ws, i)),
  },
  collections: {
    type: 'list',
    shaped: true,
    records: (ws) => byUpdatedDesc(count(ws.size.collections, (i) => renderCollection(ws, i))),
    paging: { defaultPerPage: 20, maxPerPage: 150, strict: true },
  },
  articles: {
    type: 'list',
    shaped: true,
    records: (ws) => byUpdatedDesc(count(ws.size.articles, (i) => renderArticle(ws, i))),
    paging: { defaultPerPage: 25, maxPerPage: 150, strict: true },
  },
  ...workspaceLists(),
};

/** page and per_page of a request: checked (400) or lenient, per_page clamped to the list's maximum. */
function pageOf(query: URLSearchParams, paging: Paging, defPerPage: number): { page: number; perPage: number } {
  if (paging.strict) {
    return {
      page: intParam(query, 'page', 1, 1, null, false),
      perPage: intParam(query, 'per_page', defPerPage, 1, paging.maxPerPage, true),
    };
  }
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const perPage = Math.min(paging.maxPerPage, Math.max(1, Number(query.get('per_page') ?? defPerPage) || defPerPage));
  return { page, perPage };
}

interface ListRoute {
  path: string;
  key: string;
  list: SimpleList;
  /** page-number lists: their paging and default page size. */
  paged?: { paging: Paging; defPerPage: number };
}

function answer(api: Router, c: RequestContext, route: ListRoute): RouteResult {
  const { path, key, list, paged } = route;
  const all = list.records(api.ws, c.query);
  const shapes = list.shaped ? api.opts.shapes : undefined;
  if (shapes) return shapedPage(c, shapes, all, { path, type: list.type, key, withTotalCount: paged !== undefined });
  if (!paged) return ok({ type: list.type, [key]: all });
  const { page, perPage } = pageOf(c.query, paged.paging, paged.defPerPage);
  return ok({
    type: list.type,
    pages: pageBased(all.length, page, perPage),
    total_count: all.length,
    [key]: all.slice((page - 1) * perPage, page * perPage),
  });
}

/** The route of one simple list, from its stream table entry. */
function listRoute(name: StreamName, list: SimpleList): ListRoute {
  const def = streamDefinition(name);
  if (!def?.endpoint || def.endpoint.method !== 'GET' || def.endpoint.recordsKey.length !== 1)
    throw new Error(`fake Intercom: the stream table has no single-key GET endpoint for ${name}`);
  const { path, recordsKey } = def.endpoint;
  if (def.pagination === 'page-number') {
    const paging = list.paging ?? { maxPerPage: 50, strict: false };
    return {
      path,
      key: recordsKey[0] as string,
      list,
      paged: { paging, defPerPage: paging.defaultPerPage ?? def.perPage ?? 50 },
    };
  }
  if (def.pagination !== 'cursor' && def.pagination !== 'unpaged')
    throw new Error(`fake Intercom: ${name} pages by ${def.pagination}, not a simple list`);
  return { path, key: recordsKey[0] as string, list };
}

/** Registers the route of every simple list (unknown streams fail at startup, not at the first request). */
export function registerSimpleLists(api: Router): void {
  for (const [name, list] of Object.entries(SIMPLE_LISTS) as [StreamName, SimpleList][]) {
    const route = listRoute(name, list);
    api.route('GET', route.path, (c) => answer(api, c, route));
  }
}
