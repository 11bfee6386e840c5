/**
 * Lower bounds on a sync's wall time and the budget-use figure, computed from the workspace and
 * the fake's per-window counts. Pure functions: no process, no clock (bench/README.md, "Lower
 * bounds", gives the formulas).
 */
import type { FakeStats, WindowCount } from '../src/fake-intercom/types.js';
import type { WorkspaceSizes } from './scenarios.js';

export const WINDOW_MS = 10_000;

/**
 * One reader's unavoidable requests: `pages` cursor pages fetched one after another (each page's
 * cursor is in the previous answer), `children` GETs that each need a record of some page (the
 * last page's `lastPageChildren` cannot start before that page arrives), and `independent`
 * requests that depend on nothing (one page of a small list, one activity-log window).
 */
export interface Walk {
  name: string;
  pages: number;
  children: number;
  lastPageChildren: number;
  independent: number;
  /** The fake's route template of the walk's pages (its chain of dependent requests). */
  route?: string;
}

/**
 * A cursor walk over `records` at `perPage` a page, with `childrenPerRecord` GETs per record.
 * `endPage`: the listing says it is done only with one more (empty) page, as the companies scroll.
 */
export function cursorWalk(
  name: string,
  records: number,
  perPage: number,
  childrenPerRecord = 0,
  endPage = false,
): Walk {
  const pages = Math.max(1, Math.ceil(records / perPage)) + (endPage ? 1 : 0);
  const onLastPage = records - perPage * (pages - (endPage ? 2 : 1));
  return {
    name,
    pages,
    children: Math.ceil(records * childrenPerRecord),
    lastPageChildren: Math.ceil(Math.max(0, onLastPage) * childrenPerRecord),
    independent: 0,
  };
}

export function independentRequests(name: string, requests: number): Walk {
  return { name, pages: 0, children: 0, lastPageChildren: 0, independent: requests };
}

export function walkRequests(w: Walk): number {
  return w.pages + w.children + w.independent;
}

/**
 * Latency rounds one walk needs with at most `c` requests in flight: its pages in a row, then
 * the last page's children in ceil(k / c) rounds; and at least one page before any child, then
 * every child in ceil(children / c) rounds; independent requests in ceil(k / c) rounds.
 */
export function walkRounds(w: Walk, c: number): number {
  const inFlight = Math.max(1, c);
  const tail = w.pages + Math.ceil(w.lastPageChildren / inFlight);
  const fanOut = w.children > 0 ? 1 + Math.ceil(w.children / inFlight) : 0;
  return Math.max(tail, fanOut, Math.ceil(w.independent / inFlight));
}

export interface LatencyBound {
  /** Latency rounds: the longest chain, or every needed request / c, whichever is more. */
  rounds: number;
  seconds: number;
  /** What sets it: a walk's name, or 'all requests / max_concurrency'. */
  longest: string;
  /** The route of the walk that sets it (undefined: all requests / max_concurrency). */
  route?: string;
}

/** max(longest walk's rounds, ceil(all requests / c)) × mean latency. */
export function latencyBound(walks: Walk[], c: number, meanLatencyMs: number): LatencyBound {
  let rounds = 0;
  let longest = '—';
  let route: string | undefined;
  for (const w of walks) {
    const r = walkRounds(w, c);
    if (r > rounds) [rounds, longest, route] = [r, w.name, w.route];
  }
  const total = walks.reduce((n, w) => n + walkRequests(w), 0);
  const shared = Math.ceil(total / Math.max(1, c));
  if (shared > rounds) [rounds, longest, route] = [shared, `all ${total} requests / ${c} in flight`, undefined];
  return { rounds, seconds: (rounds * meanLatencyMs) / 1000, longest, ...(route ? { route } : {}) };
}

/**
 * The latency bound with the latency the fake drew in this run instead of its mean: the bound's
 * rounds × the mean latency drawn for the requests of the walk that sets it (of every request for
 * the all-requests bound). With ± 50 ms of jitter, a 21-page scroll waits 2.1 s ± 0.13 s (one
 * standard deviation) from one run to the next; this is what the run's own chain waited.
 */
export function drawnLatencySeconds(
  bound: LatencyBound,
  stats: Pick<FakeStats, 'byRoute' | 'latencyMsByRoute'>,
): number | undefined {
  const routes = bound.route ? [bound.route] : Object.keys(stats.latencyMsByRoute);
  let ms = 0;
  let requests = 0;
  for (const r of routes) {
    ms += stats.latencyMsByRoute[r] ?? 0;
    requests += stats.latencyMsByRoute[r] === undefined ? 0 : (stats.byRoute[r] ?? 0);
  }
  return requests > 0 ? (bound.rounds * ms) / requests / 1000 : undefined;
}

/** Streams whose records come from another reader's walk (selecting one needs that walk). */
const CONTACT_READER = ['contacts', 'contact_tag', 'contact_company'];
const COMPANY_READER = ['companies', 'company_tag', 'company_segment'];
const CONVERSATION_READER = ['conversations', 'conversation_tag', 'conversation_parts', 'email_address_header'];
const TICKET_READER = ['tickets', 'ticket_parts'];
const PER_CONTACT = ['events', 'notes'];
/** Streams with one request each or a handful, in any order (lists, export jobs, ...). */
const OTHER_READERS = new Set([
  ...CONTACT_READER,
  ...COMPANY_READER,
  ...CONVERSATION_READER,
  ...TICKET_READER,
  ...PER_CONTACT,
  'activity_logs',
  'team_admin',
]);

const any = (selected: Set<string>, names: string[]): boolean => names.some((n) => selected.has(n));
const onRoute = (w: Walk, route: string): Walk => ({ ...w, route });
const CONTACTS_SEARCH = 'POST /contacts/search';

/**
 * The unavoidable walks of a sync of `size` with the `selected` streams: a search page holds 150
 * records, a companies scroll page 50 and the scroll ends with an empty page (it is the only
 * companies listing and has no updated_at filter: an incremental sync walks it whole). Incremental: 1 % of contacts, conversations and tickets changed. Fake
 * defaults: about 5 % of contacts have a tag/company list too long for the contact (one GET
 * each, when contact_tag or contact_company is selected), every contact needs a GET for its events and 68 % one for notes (the ones with notes
 * in the fake), 300 activity logs over ~900 days in 5-day windows.
 */
export function workspaceWalks(size: WorkspaceSizes, selected: Set<string>, incremental: boolean): Walk[] {
  const changed = (n: number): number => (incremental ? Math.ceil(n * 0.01) : n);
  const walks: Walk[] = [];
  if (any(selected, CONTACT_READER)) {
    const lists = selected.has('contact_tag') || selected.has('contact_company') ? 0.05 : 0;
    walks.push(onRoute(cursorWalk('contacts search', changed(size.contacts), 150, lists), CONTACTS_SEARCH));
  }
  if (any(selected, COMPANY_READER))
    walks.push(onRoute(cursorWalk('companies scroll', size.companies, 50, 0, true), 'GET /companies/scroll'));
  if (any(selected, CONVERSATION_READER)) {
    const detail = selected.has('conversation_parts') || selected.has('email_address_header') ? 1 : 0;
    walks.push(
      onRoute(
        cursorWalk('conversations search + GET each', changed(size.conversations), 150, detail),
        'POST /conversations/search',
      ),
    );
  }
  if (any(selected, TICKET_READER))
    walks.push(
      onRoute(
        cursorWalk('tickets search + GET each', changed(size.tickets), 150, selected.has('ticket_parts') ? 1 : 0),
        'POST /tickets/search',
      ),
    );
  if (selected.has('events'))
    walks.push(onRoute(cursorWalk('events (contacts + GET each)', changed(size.contacts), 150, 1), CONTACTS_SEARCH));
  if (selected.has('notes'))
    walks.push(onRoute(cursorWalk('notes (contacts + GET each)', changed(size.contacts), 150, 0.68), CONTACTS_SEARCH));
  if (selected.has('activity_logs')) walks.push(independentRequests('activity_logs windows', incremental ? 1 : 180));
  const lists = [...selected].filter((s) => !OTHER_READERS.has(s)).length;
  if (lists > 0) walks.push(independentRequests(`${lists} small lists`, lists));
  return walks;
}

/** Requests per second the budget allows (none: undefined). */
export function budgetRate(ratePer10s: number): number | undefined {
  return ratePer10s > 0 ? ratePer10s / 10 : undefined;
}

export interface BudgetUse {
  /** Σ min(count, allowed) / Σ allowed over the windows the run overlapped. */
  use: number;
  /** Windows counted (partial ones included, weighted by their overlap). */
  windows: number;
  /** Of those, the ones the run covered entirely. */
  fullWindows: number;
}

/**
 * Budget use while work remained, from the fake's wall-clock-aligned 10 s windows: for each window
 * the run [fromMs, toMs) overlaps, the budget allowed budget × overlap / 10 s of it (a partial window
 * at the start or the end gets its share), and the run used min(count, allowed) of that. The cap
 * keeps a burst at the start of a partial window from hiding idle windows elsewhere.
 */
export function budgetUse(
  windows: WindowCount[],
  budgetPer10s: number,
  fromMs: number,
  toMs: number,
): BudgetUse | undefined {
  if (budgetPer10s <= 0 || !(toMs > fromMs)) return undefined;
  const counts = new Map(windows.map((w) => [w.start * 1000, w.count]));
  let used = 0;
  let allowed = 0;
  let n = 0;
  let full = 0;
  for (let start = Math.floor(fromMs / WINDOW_MS) * WINDOW_MS; start < toMs; start += WINDOW_MS) {
    const overlap = Math.min(toMs, start + WINDOW_MS) - Math.max(fromMs, start);
    if (overlap <= 0) continue;
    const share = (budgetPer10s * overlap) / WINDOW_MS;
    used += Math.min(counts.get(start) ?? 0, share);
    allowed += share;
    n++;
    if (overlap === WINDOW_MS) full++;
  }
  return allowed > 0 ? { use: used / allowed, windows: n, fullWindows: full } : undefined;
}

/** The targets of the performance work, with the figure each is judged on. */
export const TARGETS = {
  /** wall ≤ 1.15 × max(budget bound, latency bound). */
  boundRatio: 1.15,
  /** Budget use while work remained ≥ 95 % when the budget bound is the larger one. */
  budgetUse: 0.95,
  /** Connector CPU per record ≤ 2 × (JSON.parse of its pages + JSON.stringify of its records). */
  cpuFloorRatio: 2,
  peakRssMb: 250,
} as const;

export type Verdict = 'met' | 'NOT MET' | '—';

export function verdict(value: number | undefined, limit: number, atLeast = false): Verdict {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return (atLeast ? value >= limit : value <= limit) ? 'met' : 'NOT MET';
}
