/**
 * Companies: generated cores, their rendering, and their routes (the page-numbered list, the
 * `POST /companies/list` variant, the scroll, one company).
 */
import { DAY } from '../clock.js';
import { ApiError, type RequestContext, type RouteResult } from '../http.js';
import { cur, type CompanyCore, type Json, type SegmentCore, type TagCore, type VersionEntry } from '../model.js';
import { hash32, hex8, mix32, rngFor } from '../rng.js';
import { intParam, listBytes, ok, pageBased, type RecordText, type Router } from '../router.js';
import type { WorkspaceState } from '../state.js';
import { INDUSTRIES, PLANS, WORDS, type TimeSpreader } from '../vocabulary.js';
import { renderSegment, renderTag } from './tags.js';

/** Company `j`: from the seed (`spread`), or created by a mutation at `at`; registered in companyById. */
export function makeCompany(
  ws: WorkspaceState,
  j: number,
  spread: TimeSpreader | null,
  at: number | null,
): CompanyCore {
  const { seed, size } = ws;
  const r = rngFor(seed, 'company', j);
  let updated: number;
  let created: number;
  if (spread) {
    updated = spread.ts(r);
    created = r.chance(0.3) ? updated : Math.max(ws.genNow - 450 * DAY, updated - r.int(0, 300 * DAY));
  } else {
    updated = created = at as number;
  }
  const id = hex8(created) + hex8(hash32(seed, 'company-id', j)) + hex8(j);
  const name = `${r.pick(WORDS)} ${r.pick(WORDS)} ${r.pick(['Ltd', 'Inc', 'GmbH', 'SA'])} ${j + 1}`.replace(/^./, (m) =>
    m.toUpperCase(),
  );
  const c: CompanyCore = {
    idx: j,
    id,
    created_at: created,
    versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : ws.visibleFrom() }],
    idHash: hash32(id),
    company_id: `comp-${hex8(hash32(seed, 'cid', j)).slice(0, 4)}-${j + 1}`,
    name,
    tagIdxs: r.sample(size.tags, r.int(0, Math.min(3, size.tags))),
    segmentIdxs: r.sample(size.segments, r.int(0, Math.min(2, size.segments))),
    userCount: 0,
  };
  ws.companyById.set(id, c);
  return c;
}

export function renderCompany(ws: WorkspaceState, co: CompanyCore, v: VersionEntry = cur(co)): Json {
  const r = rngFor(ws.seed, 'company-extra', co.idx);
  const planIdx = r.int(0, PLANS.length);
  return {
    type: 'company',
    company_id: co.company_id,
    id: co.id,
    app_id: ws.appId,
    name: co.name,
    remote_created_at: co.created_at,
    created_at: co.created_at,
    updated_at: v.updated_at,
    last_request_at: Math.max(co.created_at, v.updated_at - r.int(0, 10 * DAY)),
    size: r.int(1, 5000),
    website: `https://${co.company_id}.example.com`,
    industry: r.pick(INDUSTRIES),
    monthly_spend: r.int(0, 20_000) + v.rev * 10,
    session_count: r.int(0, 500),
    user_count: co.userCount,
    tags: {
      type: 'tag.list',
      tags: co.tagIdxs.map((t) => renderTag(ws.tags[t] as TagCore)),
    },
    segments: {
      type: 'segment.list',
      segments: co.segmentIdxs.map((s) => renderSegment(ws, ws.segments[s] as SegmentCore, false)),
    },
    plan: planIdx < PLANS.length ? { type: 'plan', id: String(300 + planIdx), name: PLANS[planIdx] as string } : {},
    custom_attributes: { tier: r.pick(['bronze', 'silver', 'gold']), region: r.pick(['emea', 'amer', 'apac']) },
  };
}

/** JSON text of a company's current version, cached (lists and the scroll). */
export function companyText(api: Router, co: CompanyCore): RecordText {
  return api.recordText(cur(co), () => renderCompany(api.ws, co));
}

/** GET /companies and POST /companies/list: page/per_page, at most the first 10,000 companies are reachable. */
function listCompanies(api: Router, c: RequestContext, onlyWithUsers: boolean): RouteResult {
  const page = intParam(c.query, 'page', 1, 1, null, false);
  const perPage = intParam(c.query, 'per_page', 15, 1, 60, true);
  // user_count only changes with mutations (generation).
  const all = api.memoFilter(
    `companies:${onlyWithUsers}`,
    api.ws.companies,
    (co) => !cur(co).deleted && (!onlyWithUsers || co.userCount > 0),
  );
  const reachable = all.slice(0, 10_000);
  const data = reachable.slice((page - 1) * perPage, page * perPage).map((co) => companyText(api, co));
  return listBytes({ type: 'list' }, 'data', data, {
    pages: pageBased(all.length, page, perPage),
    total_count: all.length,
  });
}

interface ScrollState {
  param: string;
  companyIdxs: number[];
  offset: number;
  lastUsedMs: number;
}

/**
 * GET /companies/scroll. One open scroll per app; the same scroll_param on every page; expires
 * after `scrollIdleSeconds` idle; the end is a 200 with empty `data` (the scroll is then closed).
 * An expired, finished or unknown scroll_param answers 404 error.list (code `not_found`): the
 * description only says such calls "will fail"; 404 is what clients have reported seeing.
 */
export class CompanyScroll {
  private scroll: ScrollState | null = null;
  private scrollCounter = 0;

  constructor(private readonly api: Router) {}

  answer(c: RequestContext): RouteResult {
    const { ws, opts } = this.api;
    const nowMs = Date.now();
    if (this.scroll && nowMs - this.scroll.lastUsedMs > opts.scrollIdleSeconds * 1000) this.scroll = null; // expired
    const param = c.query.get('scroll_param');
    if (!param) {
      if (this.scroll) throw new ApiError(400, 'scroll_exists', 'scroll already exists');
      const idxs = ws.companies.filter((co) => !cur(co).deleted).map((co) => co.idx);
      const p = `${ws.appId}-${(++this.scrollCounter).toString(16).padStart(4, '0')}-${mix32(ws.seed * 7919 + this.scrollCounter).toString(16)}-${nowMs.toString(16)}`;
      this.scroll = { param: p, companyIdxs: idxs, offset: 0, lastUsedMs: nowMs };
      return this.page(this.scroll);
    }
    if (!this.scroll || this.scroll.param !== param)
      throw new ApiError(404, 'not_found', 'scroll_param not found or expired');
    this.scroll.lastUsedMs = nowMs;
    return this.page(this.scroll);
  }

  private page(s: ScrollState): RouteResult {
    const { ws, opts } = this.api;
    const idxs = s.companyIdxs.slice(s.offset, s.offset + opts.scrollPageSize);
    s.offset += idxs.length;
    const data = idxs
      .map((i) => ws.companies[i] as CompanyCore)
      .filter((co) => !cur(co).deleted)
      .map((co) => companyText(this.api, co));
    if (idxs.length === 0) this.scroll = null; // end reached: the scroll is closed
    const key = opts.shapes?.recordsKey === 'alternate' ? 'companies' : 'data';
    const total = opts.shapes?.totalCount === 'null' ? null : s.companyIdxs.length;
    return listBytes({ type: 'list' }, key, data, { pages: null, total_count: total, scroll_param: s.param });
  }

  /** Drops the open scroll (used when a 500 is injected on the scroll route: the client must restart). */
  reset(): void {
    this.scroll = null;
  }
}

/** Registers the company routes; returns the scroll (the server drops it on an injected 5xx). */
export function registerCompanyRoutes(api: Router): CompanyScroll {
  const { ws } = api;
  const scroll = new CompanyScroll(api);
  api.route('GET', '/companies', (c) => listCompanies(api, c, false));
  api.route('POST', '/companies/list', (c) => listCompanies(api, c, true));
  api.route('GET', '/companies/scroll', (c) => scroll.answer(c));
  api.route('GET', '/companies/{id}', (_c, [id]) => {
    const co = ws.companyById.get(id as string);
    if (!co || cur(co).deleted) throw new ApiError(404, 'company_not_found', 'Company Not Found');
    return ok(renderCompany(ws, co));
  });
  return scroll;
}
