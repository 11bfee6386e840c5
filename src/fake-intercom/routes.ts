/**
 * Route handlers of the fake Intercom API. Every handler returns the JSON body of the OpenAPI
 * response schema (records keys as in API-NOTES.md) or throws an ApiError (error.list body).
 * Searches and record lists return that body already serialized (BytesResult), assembled from a
 * cache of rendered record texts, so that the fake's CPU stays small next to a connector's.
 */
import { DAY } from './clock.js';
import { ApiError, type BytesResult, type RequestContext, type RouteResult } from './http.js';
import { mix32 } from './rng.js';
import { SearchError, compileQuery, decodeCursor, encodeCursor, onlyTestsDayOf } from './search.js';
import type { FieldValue, Getter, Predicate, SearchStream } from './search.js';
import { shapedPage, type ListShapes, type ShapedList } from './shapes.js';
import { cur } from './workspace.js';
import { registerWorkspaceLists } from './workspace-lists.js';
import { registerContentExports } from './content-exports.js';
import { registerHandlingEvents } from './handling-events.js';
import { registerExports } from './exports.js';
import type {
  CompanyCore,
  ContactCore,
  ConversationCore,
  Json,
  JsonValue,
  RecordCore,
  TagCore,
  TicketCore,
  VersionEntry,
  Workspace,
} from './workspace.js';

export { ApiError } from './http.js';
export type { BytesResult, JsonResult, RequestContext, RouteResult } from './http.js';

type Handler = (ctx: RequestContext, params: string[]) => RouteResult;

interface Route {
  method: string;
  re: RegExp;
  template: string;
  handler: Handler;
}

export interface ApiOptions {
  scrollIdleSeconds: number;
  scrollPageSize: number;
  activityLogMaxWindowDays: number;
  /** Serve lists in these shapes (shapes.ts); absent: the one shape each list always had here. */
  shapes?: ListShapes;
}

interface ScrollState {
  param: string;
  companyIdxs: number[];
  offset: number;
  lastUsedMs: number;
}

interface SearchHit {
  rec: RecordCore;
  v: VersionEntry;
  key: number;
  /** = v.updated_at, copied so a scan reads it without touching the (scattered) version object. */
  updated_at: number;
}

interface SearchCacheEntry {
  gen: number;
  validUntil: number;
  hits: SearchHit[];
}

/** Every record of a stream visible at any time in [validFrom, validUntil), in search order. */
interface VisibleIndex {
  gen: number;
  validFrom: number;
  validUntil: number;
  hits: SearchHit[];
  /** UTC day of each hit's updated_at (same positions as hits), and their range (NaN: unusable). */
  days: Float64Array;
  minDay: number;
  maxDay: number;
}

/** Characters of rendered records kept at most (~2 KB per record); beyond that the cache starts over. */
const MAX_CACHED_CHARS = 1_000_000_000;
/**
 * Distinct search queries whose hits are kept. Not raised: tag attach/detach does not invalidate
 * cached hits (tag_id queries), so a longer memory would change what such searches answer.
 */
const MAX_CACHED_SEARCHES = 32;

const ok = (body: Json): RouteResult => ({ status: 200, body });

/** A record's JSON and its UTF-8 length (equal to text.length when the text is ASCII). */
interface RecordText {
  text: string;
  bytes: number;
}

/**
 * JSON of `{...head, [key]: [items...], ...tail}` from already serialized items: the same bytes as
 * JSON.stringify of that object (keys of head, then key, then keys of tail).
 */
function listBytes(head: Json, key: string, items: RecordText[], tail: Json): BytesResult {
  const h = JSON.stringify(head);
  const t = JSON.stringify(tail);
  const open = `${h.slice(0, -1)}${h.length > 2 ? ',' : ''}${JSON.stringify(key)}:[`;
  const close = `]${t.length > 2 ? ',' + t.slice(1) : '}'}`;
  // Encoded straight into one buffer: no joined string, no per-record Buffer objects.
  let size = Buffer.byteLength(open) + Buffer.byteLength(close) + Math.max(0, items.length - 1);
  for (const item of items) size += item.bytes;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(open, 0);
  items.forEach((item, i) => {
    if (i > 0) at = out.writeUInt8(0x2c, at); // ','
    // ASCII text: latin1 gives the same bytes as utf8, copied without decoding characters.
    at += out.write(item.text, at, item.bytes === item.text.length ? 'latin1' : 'utf8');
  });
  at += out.write(close, at);
  if (at !== size) throw new Error(`listBytes: wrote ${at} of ${size} bytes`);
  return { status: 200, bytes: out };
}

/** Index of the first record with idx > `idx` in a list sorted by idx. */
function firstAfter(records: RecordCore[], idx: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((records[mid] as RecordCore).idx <= idx) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function intParam(
  q: URLSearchParams,
  name: string,
  def: number,
  min: number,
  max: number | null,
  clamp: boolean,
): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw new ApiError(400, 'parameter_invalid', `${name} must be an integer`, name);
  const n = Number(raw);
  if (n < min) throw new ApiError(400, 'parameter_invalid', `${name} must be >= ${min}`, name);
  if (max !== null && n > max) {
    if (clamp) return max;
    throw new ApiError(400, 'parameter_invalid', `${name} must be <= ${max}`, name);
  }
  return n;
}

function getPath(obj: JsonValue | undefined, path: string): FieldValue {
  let curv: JsonValue | undefined = obj;
  for (const p of path.split('.')) {
    if (curv === null || curv === undefined || typeof curv !== 'object' || Array.isArray(curv)) return undefined;
    curv = curv[p];
  }
  if (
    curv === undefined ||
    curv === null ||
    typeof curv === 'string' ||
    typeof curv === 'number' ||
    typeof curv === 'boolean'
  )
    return curv;
  return undefined;
}

function pageBased(total: number, page: number, perPage: number): Json {
  return { type: 'pages', page, per_page: perPage, total_pages: Math.ceil(total / perPage) };
}

export class Api {
  private readonly routes: Route[] = [];
  private scroll: ScrollState | null = null;
  private scrollCounter = 0;
  private readonly searchCache = new Map<string, SearchCacheEntry>();
  private readonly visibleIndexes = new Map<SearchStream, VisibleIndex>();
  /**
   * JSON text of a record as rendered for lists and searches, by the version rendered. Valid for
   * one `ws.renderEpoch` (a mutation or a core edit may change any rendering, e.g. a contact's
   * name inside a conversation, a company's user_count).
   */
  private readonly texts = new Map<VersionEntry, RecordText>();
  private textsChars = 0;
  private textsEpoch = -1;
  /** Per-generation derived lists (alive records of a stream...), keyed by name. */
  private readonly genMemo = new Map<string, { gen: number; value: RecordCore[] }>();

  constructor(
    readonly ws: Workspace,
    readonly opts: ApiOptions,
  ) {
    const r = (method: string, template: string, handler: Handler): void => {
      const re = new RegExp('^' + template.replace(/\{[a-z_]+\}/g, '([^/]+)') + '$');
      this.routes.push({ method, re, template, handler });
    };
    r('GET', '/me', () => ok(this.ws.renderMe()));
    r('GET', '/admins', (c) =>
      this.list(
        c,
        { path: '/admins', type: 'admin.list', key: 'admins' },
        this.ws.admins.map((a) => this.ws.renderAdmin(a)),
      ),
    );
    r('GET', '/admins/activity_logs', (c) => this.activityLogs(c));
    r('GET', '/admins/{id}', (_c, [id]) => {
      const a = this.ws.admins.find((x) => x.id === id);
      if (!a) throw new ApiError(404, 'not_found', 'Admin not found');
      return ok(this.ws.renderAdmin(a));
    });
    r('GET', '/teams', (c) =>
      this.list(
        c,
        { path: '/teams', type: 'team.list', key: 'teams' },
        this.ws.teams.map((t) => this.ws.renderTeam(t)),
      ),
    );
    r('GET', '/tags', (c) =>
      this.list(
        c,
        { path: '/tags', type: 'list', key: 'data' },
        this.ws.tags.map((t) => this.ws.renderTag(t)),
      ),
    );
    r('GET', '/segments', (c) => {
      const withCount = c.query.get('include_count') === 'true';
      return this.list(
        c,
        { path: '/segments', type: 'segment.list', key: 'segments' },
        this.ws.segments.map((s) => this.ws.renderSegment(s, withCount)),
      );
    });
    r('GET', '/data_attributes', (c) => this.dataAttributes(c));
    r('GET', '/ticket_types', (c) =>
      this.list(
        c,
        { path: '/ticket_types', type: 'list', key: 'data' },
        Array.from({ length: this.ws.size.ticketTypes }, (_, i) => this.ws.renderTicketType(i)),
      ),
    );
    r('GET', '/subscription_types', (c) =>
      this.list(
        c,
        { path: '/subscription_types', type: 'list', key: 'data' },
        Array.from({ length: this.ws.size.subscriptionTypes }, (_, i) => this.ws.renderSubscriptionType(i)),
      ),
    );
    r('GET', '/help_center/help_centers', (c) =>
      this.list(
        c,
        { path: '/help_center/help_centers', type: 'list', key: 'data' },
        Array.from({ length: this.ws.size.helpCenters }, (_, i) => this.ws.renderHelpCenter(i)),
      ),
    );
    r('GET', '/help_center/collections', (c) =>
      this.pagedStatic(c, '/help_center/collections', this.ws.size.collections, (i) => this.ws.renderCollection(i), 20),
    );
    r('GET', '/articles', (c) =>
      this.pagedStatic(c, '/articles', this.ws.size.articles, (i) => this.ws.renderArticle(i), 25),
    );
    r('GET', '/events', (c) => this.events(c));
    r('GET', '/contacts', (c) => this.listContacts(c));
    r('POST', '/contacts/search', (c) => this.search('contacts', c));
    r('GET', '/contacts/{id}', (_c, [id]) => ok(this.ws.renderContact(this.contact(id as string))));
    r('GET', '/contacts/{id}/notes', (c, [id]) => this.contactNotes(c, this.contact(id as string)));
    r('GET', '/contacts/{id}/tags', (c, [id]) => {
      const ct = this.contact(id as string);
      return this.list(
        c,
        { path: `/contacts/${ct.id}/tags`, type: 'list', key: 'data' },
        ct.tagIdxs.map((t) => this.ws.renderTag(this.ws.tags[t] as TagCore)),
      );
    });
    r('GET', '/contacts/{id}/companies', (c, [id]) => this.contactCompanies(c, this.contact(id as string)));
    r('GET', '/companies', (c) => this.listCompanies(c, false));
    r('POST', '/companies/list', (c) => this.listCompanies(c, true));
    r('GET', '/companies/scroll', (c) => this.companiesScroll(c));
    r('GET', '/companies/{id}', (_c, [id]) => {
      const co = this.ws.companyById.get(id as string);
      if (!co || cur(co).deleted) throw new ApiError(404, 'company_not_found', 'Company Not Found');
      return ok(this.ws.renderCompany(co));
    });
    r('GET', '/conversations', (c) => this.listConversations(c));
    r('POST', '/conversations/search', (c) => this.search('conversations', c));
    r('GET', '/conversations/{id}', (c, [id]) => {
      const conv = this.ws.conversationById.get(id as string);
      if (!conv || cur(conv).deleted) throw new ApiError(404, 'not_found', 'Conversation Not Found');
      return ok(
        this.ws.renderConversation(conv, { withParts: true, plain: c.query.get('display_as') === 'plaintext' }),
      );
    });
    r('POST', '/tickets/search', (c) => this.search('tickets', c));
    r('GET', '/tickets/{id}', (_c, [id]) => {
      const t = this.ws.ticketById.get(id as string);
      if (!t || cur(t).deleted) throw new ApiError(404, 'ticket_not_found', 'Ticket not found');
      return ok(this.ws.renderTicket(t, { withParts: true }));
    });
    registerWorkspaceLists(r, this.ws);
    registerExports(r, this.ws);
    registerContentExports(r, this.ws);
    registerHandlingEvents(r, this.ws);
  }

  /** Finds the route of a request; `template` is used for stats even when no route matches. */
  match(method: string, path: string): { template: string; run?: (ctx: RequestContext) => RouteResult } {
    let pathMatched = false;
    for (const rt of this.routes) {
      const m = rt.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (rt.method !== method) continue;
      const params = m.slice(1).map((s) => decodeURIComponent(s));
      return { template: `${rt.method} ${rt.template}`, run: (ctx) => rt.handler(ctx, params) };
    }
    return { template: pathMatched ? `${method} ${path}` : `${method} (unknown)` };
  }

  private contact(id: string): ContactCore {
    const c = this.ws.contactById.get(id);
    if (!c || cur(c).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
    return c;
  }

  // ------------------------------------------------------------ simple lists

  /** A whole list in one answer, or (with shapes) one page of it in the configured shape. */
  private list(c: RequestContext, list: ShapedList, all: Json[]): RouteResult {
    if (this.opts.shapes) return shapedPage(c, this.opts.shapes, all, list);
    return ok({ type: list.type, [list.key]: all });
  }

  private dataAttributes(c: RequestContext): RouteResult {
    const model = c.query.get('model');
    if (model !== null && model !== 'contact' && model !== 'company' && model !== 'conversation') {
      throw new ApiError(400, 'parameter_invalid', 'model must be one of contact, company, conversation', 'model');
    }
    const archived = c.query.get('include_archived') === 'true';
    const data = this.ws.dataAttributes
      .filter((d) => (model === null || d.model === model) && (archived || !d.archived))
      .map((d) => this.ws.renderDataAttribute(d));
    return this.list(c, { path: '/data_attributes', type: 'list', key: 'data' }, data);
  }

  /** page/per_page lists sorted by updated_at DESC (articles, collections). */
  private pagedStatic(
    c: RequestContext,
    path: string,
    count: number,
    render: (i: number) => Json,
    defPerPage: number,
  ): RouteResult {
    const all = Array.from({ length: count }, (_, i) => render(i));
    all.sort((a, b) => (b['updated_at'] as number) - (a['updated_at'] as number) || Number(a['id']) - Number(b['id']));
    if (this.opts.shapes)
      return shapedPage(c, this.opts.shapes, all, { path, type: 'list', key: 'data', withTotalCount: true });
    const page = intParam(c.query, 'page', 1, 1, null, false);
    const perPage = intParam(c.query, 'per_page', defPerPage, 1, 150, true);
    const data = all.slice((page - 1) * perPage, page * perPage);
    return ok({ type: 'list', pages: pageBased(count, page, perPage), total_count: count, data });
  }

  private activityLogs(c: RequestContext): RouteResult {
    const afterRaw = c.query.get('created_at_after');
    if (afterRaw === null || afterRaw === '')
      throw new ApiError(400, 'parameter_not_found', 'created_at_after is a required parameter', 'created_at_after');
    if (!/^\d+$/.test(afterRaw))
      throw new ApiError(400, 'parameter_invalid', 'created_at_after must be a UNIX timestamp', 'created_at_after');
    const beforeRaw = c.query.get('created_at_before');
    if (beforeRaw !== null && !/^\d+$/.test(beforeRaw))
      throw new ApiError(400, 'parameter_invalid', 'created_at_before must be a UNIX timestamp', 'created_at_before');
    const after = Number(afterRaw);
    const before = beforeRaw === null ? this.ws.clock.now() : Number(beforeRaw);
    if (before - after > this.opts.activityLogMaxWindowDays * DAY) {
      // Mimics the 500s Intercom answers for wide windows.
      throw new ApiError(
        500,
        'server_error',
        'Request failed due to an internal error. Please try again with a narrower created_at range.',
      );
    }
    if (this.opts.shapes) {
      const inWindow = this.ws.activityLogs
        .filter((l) => l.created_at >= after && l.created_at <= before)
        .map((l) => this.ws.renderActivityLog(l));
      return shapedPage(c, this.opts.shapes, inWindow, {
        path: '/admins/activity_logs',
        type: 'activity_log.list',
        key: 'activity_logs',
      });
    }
    const perPage = intParam(c.query, 'per_page', 20, 1, 150, true);
    let offset = 0;
    const sa = c.query.get('starting_after');
    if (sa) {
      const m = /^al1\.(\d+)$/.exec(Buffer.from(sa, 'base64url').toString('utf8'));
      if (!m) throw new ApiError(400, 'parameter_invalid', 'Invalid starting_after', 'starting_after');
      offset = Number(m[1]);
    } else if (c.query.get('page')) {
      offset = (intParam(c.query, 'page', 1, 1, null, false) - 1) * perPage;
    }
    // Both bounds inclusive; newest first.
    const all = this.ws.activityLogs.filter((l) => l.created_at >= after && l.created_at <= before);
    const slice = all.slice(offset, offset + perPage);
    const hasMore = offset + perPage < all.length;
    return ok({
      type: 'activity_log.list',
      pages: {
        type: 'pages',
        next: hasMore
          ? { per_page: perPage, starting_after: Buffer.from(`al1.${offset + perPage}`).toString('base64url') }
          : null,
        page: Math.floor(offset / perPage) + 1,
        per_page: perPage,
        total_pages: Math.ceil(all.length / perPage),
      },
      activity_logs: slice.map((l) => this.ws.renderActivityLog(l)),
    });
  }

  private events(c: RequestContext): RouteResult {
    const type = c.query.get('type');
    if (type !== 'user') throw new ApiError(400, 'parameter_invalid', 'type must be user', 'type');
    let contact: ContactCore | undefined;
    const iid = c.query.get('intercom_user_id');
    const uid = c.query.get('user_id');
    const email = c.query.get('email');
    if (iid) contact = this.ws.contactById.get(iid);
    else if (uid) contact = this.ws.contactByExternalId.get(uid);
    else if (email) contact = this.ws.contactByEmail.get(email.toLowerCase());
    else throw new ApiError(400, 'parameter_not_found', 'One of intercom_user_id, user_id or email is required');
    if (!contact || cur(contact).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
    const perPage = intParam(c.query, 'per_page', 50, 1, 150, true);
    let offset = 0;
    const tok = c.query.get('page_token');
    if (tok) {
      const m = /^ev1\.(\d+)$/.exec(Buffer.from(tok, 'base64url').toString('utf8'));
      if (!m) throw new ApiError(400, 'parameter_invalid', 'Invalid page_token', 'page_token');
      offset = Number(m[1]);
    }
    const all = this.ws.listableEvents(contact);
    const slice = all.slice(offset, offset + perPage);
    const pages: Json = {};
    if (offset + perPage < all.length) {
      const q = new URLSearchParams(c.query);
      q.set('per_page', String(perPage));
      q.set('page_token', Buffer.from(`ev1.${offset + perPage}`).toString('base64url'));
      pages['next'] = `${c.baseUrl}/events?${q.toString()}`;
    }
    // Real shape (the spec declares the summary shape): {type: "event.list", events, pages: {next}}.
    return ok({ type: 'event.list', events: slice, pages });
  }

  private contactNotes(c: RequestContext, ct: ContactCore): RouteResult {
    if (this.opts.shapes) {
      const all = this.ws.noteIds(ct).map((_, n) => this.ws.renderNote(ct, ct.noteCount - 1 - n));
      return shapedPage(c, this.opts.shapes, all, {
        path: `/contacts/${ct.id}/notes`,
        type: 'list',
        key: 'data',
        withTotalCount: true,
      });
    }
    const page = intParam(c.query, 'page', 1, 1, null, false);
    const perPage = intParam(c.query, 'per_page', 50, 1, 150, true);
    const ids = this.ws.noteIds(ct); // newest first
    const data: Json[] = [];
    for (let n = (page - 1) * perPage; n < Math.min(ids.length, page * perPage); n++)
      data.push(this.ws.renderNote(ct, ct.noteCount - 1 - n));
    return ok({ type: 'list', data, total_count: ids.length, pages: pageBased(ids.length, page, perPage) });
  }

  private contactCompanies(c: RequestContext, ct: ContactCore): RouteResult {
    const all = ct.companyIdxs.map((j) => this.ws.companies[j] as CompanyCore).filter((co) => !cur(co).deleted);
    if (this.opts.shapes) {
      const rendered = all.map((co) => this.ws.renderCompany(co));
      return shapedPage(c, this.opts.shapes, rendered, {
        path: `/contacts/${ct.id}/companies`,
        type: 'list',
        key: 'companies',
        altKey: 'data',
        withTotalCount: true,
      });
    }
    const page = intParam(c.query, 'page', 1, 1, null, false);
    const perPage = intParam(c.query, 'per_page', 50, 1, 150, true);
    const data = all.slice((page - 1) * perPage, page * perPage).map((co) => this.ws.renderCompany(co));
    const totalPages = Math.ceil(all.length / perPage);
    // Records under `data` (the example's key; the schema names it `companies`), pages as pages_link.
    return ok({
      type: 'list',
      data,
      pages: {
        type: 'pages',
        next:
          page < totalPages ? `${c.baseUrl}/contacts/${ct.id}/companies?page=${page + 1}&per_page=${perPage}` : null,
        page,
        per_page: perPage,
        total_pages: totalPages,
      },
      total_count: all.length,
    });
  }

  // ------------------------------------------------------------ cursor lists

  /** Records of `list` (in idx order) with `keep`, recomputed once per workspace generation. */
  private memoFilter<T extends RecordCore>(name: string, list: T[], keep: (x: T) => boolean): T[] {
    const m = this.genMemo.get(name);
    if (m && m.gen === this.ws.generation) return m.value as T[];
    const value = list.filter(keep);
    this.genMemo.set(name, { gen: this.ws.generation, value });
    return value;
  }

  /** JSON of a record's rendering (as of version `v`), cached for the current render epoch. */
  private recordText(v: VersionEntry, render: () => Json): RecordText {
    if (this.textsEpoch !== this.ws.renderEpoch || this.textsChars > MAX_CACHED_CHARS) {
      this.texts.clear();
      this.textsChars = 0;
      this.textsEpoch = this.ws.renderEpoch;
    }
    let rt = this.texts.get(v);
    if (rt === undefined) {
      const text = JSON.stringify(render());
      rt = { text, bytes: Buffer.byteLength(text) };
      this.texts.set(v, rt);
      this.textsChars += text.length;
    }
    return rt;
  }

  private contactText(c: ContactCore, v: VersionEntry = cur(c)): RecordText {
    return this.recordText(v, () => this.ws.renderContact(c, v));
  }

  private conversationText(c: ConversationCore, v: VersionEntry = cur(c)): RecordText {
    return this.recordText(v, () => this.ws.renderConversation(c, { v }));
  }

  private ticketText(t: TicketCore, v: VersionEntry = cur(t)): RecordText {
    return this.recordText(v, () => this.ws.renderTicket(t, { v }));
  }

  private companyText(co: CompanyCore): RecordText {
    return this.recordText(cur(co), () => this.ws.renderCompany(co));
  }

  private cursorList<T extends RecordCore>(
    c: RequestContext,
    records: T[],
    defPerPage: number,
    text: (r: T) => RecordText,
    key: string,
    type: string,
  ): RouteResult {
    const perPage = intParam(c.query, 'per_page', defPerPage, 1, 150, false);
    const alive = this.memoFilter(`alive:${type}`, records, (x) => !cur(x).deleted);
    let start = 0;
    const sa = c.query.get('starting_after');
    if (sa) {
      const d = decodeCursor(sa);
      if (!d) throw new ApiError(400, 'parameter_invalid', 'Invalid starting_after', 'starting_after');
      start = firstAfter(alive, d.idx);
    }
    const slice = alive.slice(start, start + perPage);
    const pages: Json = {
      type: 'pages',
      page: Math.floor(start / perPage) + 1,
      per_page: perPage,
      total_pages: Math.ceil(alive.length / perPage),
    };
    const last = slice[slice.length - 1];
    if (last && start + perPage < alive.length)
      pages['next'] = { per_page: perPage, starting_after: encodeCursor(0, last.idx) };
    return listBytes({ type }, key, slice.map(text), { total_count: alive.length, pages });
  }

  private listContacts(c: RequestContext): RouteResult {
    return this.cursorList(c, this.ws.contacts, 50, (x) => this.contactText(x), 'data', 'list');
  }

  private listConversations(c: RequestContext): RouteResult {
    return this.cursorList(
      c,
      this.ws.conversations,
      20,
      (x) => this.conversationText(x),
      'conversations',
      'conversation.list',
    );
  }

  /** GET /companies and POST /companies/list: page/per_page, at most the first 10,000 companies are reachable. */
  private listCompanies(c: RequestContext, onlyWithUsers: boolean): RouteResult {
    const page = intParam(c.query, 'page', 1, 1, null, false);
    const perPage = intParam(c.query, 'per_page', 15, 1, 60, true);
    // user_count only changes with mutations (generation).
    const all = this.memoFilter(
      `companies:${onlyWithUsers}`,
      this.ws.companies,
      (co) => !cur(co).deleted && (!onlyWithUsers || co.userCount > 0),
    );
    const reachable = all.slice(0, 10_000);
    const data = reachable.slice((page - 1) * perPage, page * perPage).map((co) => this.companyText(co));
    return listBytes({ type: 'list' }, 'data', data, {
      pages: pageBased(all.length, page, perPage),
      total_count: all.length,
    });
  }

  // ------------------------------------------------------------ scroll

  /**
   * GET /companies/scroll. One open scroll per app; the same scroll_param on every page; expires
   * after `scrollIdleSeconds` idle; the end is a 200 with empty `data` (the scroll is then closed).
   * An expired, finished or unknown scroll_param answers 404 error.list (code `not_found`): the
   * description only says such calls "will fail"; 404 is what clients have reported seeing.
   */
  private companiesScroll(c: RequestContext): RouteResult {
    const nowMs = Date.now();
    const idleMs = this.opts.scrollIdleSeconds * 1000;
    if (this.scroll && nowMs - this.scroll.lastUsedMs > idleMs) this.scroll = null; // expired
    const param = c.query.get('scroll_param');
    if (!param) {
      if (this.scroll) throw new ApiError(400, 'scroll_exists', 'scroll already exists');
      const idxs = this.ws.companies.filter((co) => !cur(co).deleted).map((co) => co.idx);
      const p = `${this.ws.appId}-${(++this.scrollCounter).toString(16).padStart(4, '0')}-${mix32(this.ws.seed * 7919 + this.scrollCounter).toString(16)}-${nowMs.toString(16)}`;
      this.scroll = { param: p, companyIdxs: idxs, offset: 0, lastUsedMs: nowMs };
      return this.scrollPage(this.scroll);
    }
    if (!this.scroll || this.scroll.param !== param)
      throw new ApiError(404, 'not_found', 'scroll_param not found or expired');
    this.scroll.lastUsedMs = nowMs;
    return this.scrollPage(this.scroll);
  }

  private scrollPage(s: ScrollState): RouteResult {
    const idxs = s.companyIdxs.slice(s.offset, s.offset + this.opts.scrollPageSize);
    s.offset += idxs.length;
    const data = idxs
      .map((i) => this.ws.companies[i] as CompanyCore)
      .filter((co) => !cur(co).deleted)
      .map((co) => this.companyText(co));
    if (idxs.length === 0) this.scroll = null; // end reached: the scroll is closed
    const shapes = this.opts.shapes;
    const key = shapes?.recordsKey === 'alternate' ? 'companies' : 'data';
    const total = shapes?.totalCount === 'null' ? null : s.companyIdxs.length;
    return listBytes({ type: 'list' }, key, data, { pages: null, total_count: total, scroll_param: s.param });
  }

  /** Drops the open scroll (used when a 500 is injected on the scroll route: the client must restart). */
  resetScroll(): void {
    this.scroll = null;
  }

  // ------------------------------------------------------------ search

  private search(stream: SearchStream, c: RequestContext): RouteResult {
    const body = c.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ApiError(400, 'parameter_invalid', 'A JSON body with a query is required');
    const b = body as Record<string, unknown>;
    if (!('query' in b)) throw new ApiError(400, 'parameter_not_found', 'query is a required parameter', 'query');
    let pred: Predicate;
    try {
      pred = compileQuery(stream, b['query']);
    } catch (e) {
      if (e instanceof SearchError) throw new ApiError(400, e.code, e.message, 'query');
      throw e;
    }
    const pag = b['pagination'];
    let perPage = stream === 'contacts' ? 50 : 20;
    let startingAfter: string | null = null;
    if (pag !== undefined && pag !== null) {
      if (typeof pag !== 'object' || Array.isArray(pag))
        throw new ApiError(400, 'parameter_invalid', 'pagination must be an object', 'pagination');
      const p = pag as Record<string, unknown>;
      if (p['per_page'] !== undefined) {
        const pp = p['per_page'];
        if (typeof pp !== 'number' || !Number.isInteger(pp) || pp < 1 || pp > 150)
          throw new ApiError(400, 'parameter_invalid', 'per_page must be an integer between 1 and 150', 'per_page');
        perPage = pp;
      }
      const sa = p['starting_after'];
      if (sa !== undefined && sa !== null) {
        if (typeof sa !== 'string')
          throw new ApiError(400, 'parameter_invalid', 'starting_after must be a string', 'starting_after');
        startingAfter = sa;
      }
    }
    // NB: a starting_after in the query string is ignored on purpose (the real API returns page 1 again).
    const t = this.ws.clock.now();
    const byDay = onlyTestsDayOf(stream, b['query'], 'updated_at');
    const hits = this.matches(stream, pred, byDay, JSON.stringify(b['query']), t);
    let start = 0;
    if (startingAfter) {
      const d = decodeCursor(startingAfter);
      if (!d) throw new ApiError(400, 'parameter_invalid', 'Invalid starting_after', 'starting_after');
      let lo = 0;
      let hi = hits.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const h = hits[mid] as SearchHit;
        if (h.key < d.key || (h.key === d.key && h.rec.idx <= d.idx)) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const slice = hits.slice(start, start + perPage);
    const text = (h: SearchHit): RecordText => {
      if (stream === 'contacts') return this.contactText(h.rec as ContactCore, h.v);
      if (stream === 'conversations') return this.conversationText(h.rec as ConversationCore, h.v);
      return this.ticketText(h.rec as TicketCore, h.v);
    };
    const pages: Json = {
      type: 'pages',
      page: Math.floor(start / perPage) + 1,
      per_page: perPage,
      total_pages: Math.ceil(hits.length / perPage),
    };
    const last = slice[slice.length - 1];
    if (last && start + perPage < hits.length)
      pages['next'] = { per_page: perPage, starting_after: encodeCursor(last.key, last.rec.idx) };
    const key = stream === 'contacts' ? 'data' : stream;
    const type = stream === 'contacts' ? 'list' : stream === 'conversations' ? 'conversation.list' : 'ticket.list';
    return listBytes({ type }, key, slice.map(text), { total_count: hits.length, pages });
  }

  /** All visible records matching the predicate, in a deterministic shuffled order (hash of id + updated_at). */
  private matches(stream: SearchStream, pred: Predicate, byDay: boolean, qkey: string, t: number): SearchHit[] {
    const ck = `${stream}:${qkey}`;
    const cached = this.searchCache.get(ck);
    if (cached && cached.gen === this.ws.generation && t < cached.validUntil) return cached.hits;
    // The visible records, already in search order: filtering keeps the order, no sort per query.
    const index = this.visibleIndex(stream, t);
    const reader = new FieldReader(this.ws, stream);
    const hits = byDay ? scanByDay(index, pred, reader) : scan(index.hits, pred, reader);
    let validUntil = Infinity;
    for (const vt of this.ws.visibilityTimes) if (vt > t && vt < validUntil) validUntil = vt;
    if (this.searchCache.size >= MAX_CACHED_SEARCHES)
      this.searchCache.delete(this.searchCache.keys().next().value as string);
    this.searchCache.set(ck, { gen: this.ws.generation, validUntil, hits });
    return hits;
  }

  /**
   * Every record of the stream visible at `t` with its visible version and sort key, sorted by
   * (key, idx). The visible set only changes with the generation or when the time crosses some
   * version's visibleAt, so it is reused while t stays between the visibleAt values around it.
   */
  private visibleIndex(stream: SearchStream, t: number): VisibleIndex {
    const known = this.visibleIndexes.get(stream);
    if (known && known.gen === this.ws.generation && known.validFrom <= t && t < known.validUntil) return known;
    const list: RecordCore[] =
      stream === 'contacts' ? this.ws.contacts : stream === 'conversations' ? this.ws.conversations : this.ws.tickets;
    const sorted: SearchHit[] = [];
    let validFrom = -Infinity;
    let validUntil = Infinity;
    for (const rec of list) {
      for (const e of rec.versions) {
        if (e.visibleAt > t) validUntil = Math.min(validUntil, e.visibleAt);
        else validFrom = Math.max(validFrom, e.visibleAt);
      }
      const v = this.ws.visibleVersion(rec, t);
      if (v)
        sorted.push({
          rec,
          v,
          key: mix32((rec.idHash + Math.imul(v.updated_at, 0x9e3779b1)) >>> 0),
          updated_at: v.updated_at,
        });
    }
    sorted.sort((a, b) => a.key - b.key || a.rec.idx - b.rec.idx);
    // Fresh objects allocated in search order: a scan then walks memory sequentially instead of
    // jumping around the heap (cache misses made scans ~6x slower).
    const hits = sorted.map((h): SearchHit => ({ rec: h.rec, v: h.v, key: h.key, updated_at: h.updated_at }));
    const days = new Float64Array(hits.length);
    let minDay = Infinity;
    let maxDay = -Infinity;
    hits.forEach((h, i) => {
      const d = Math.floor(h.updated_at / DAY);
      days[i] = d;
      if (!Number.isFinite(d)) minDay = NaN; // (programmatic mutations could pass any number)
      if (d < minDay) minDay = d;
      if (d > maxDay) maxDay = d;
    });
    const index: VisibleIndex = { gen: this.ws.generation, validFrom, validUntil, hits, days, minDay, maxDay };
    this.visibleIndexes.set(stream, index);
    return index;
  }

  /** Fills the rendered-record cache with the current version of every alive record. */
  prerender(): void {
    for (const c of this.ws.contacts) if (!cur(c).deleted) this.contactText(c);
    for (const c of this.ws.conversations) if (!cur(c).deleted) this.conversationText(c);
    for (const t of this.ws.tickets) if (!cur(t).deleted) this.ticketText(t);
    for (const co of this.ws.companies) if (!cur(co).deleted) this.companyText(co);
  }

  /** Exposed for tests: drop cached search results and rendered records. */
  clearSearchCache(): void {
    this.searchCache.clear();
    this.visibleIndexes.clear();
    this.texts.clear();
    this.textsChars = 0;
  }
}

/**
 * The hits satisfying the predicate, in order. A function of its own so that V8 optimizes it once
 * for all queries (a loop inside a bigger method gets on-stack-replaced and deoptimized per query).
 */
function scan(all: SearchHit[], pred: Predicate, reader: FieldReader): SearchHit[] {
  const out: SearchHit[] = [];
  for (let i = 0; i < all.length; i++) {
    const h = all[i] as SearchHit;
    if (pred(reader.at(h))) out.push(h);
  }
  return out;
}

/**
 * scan() for a predicate that depends on the UTC day of updated_at only (onlyTestsDayOf): it is
 * evaluated on the first record of each day and the answer reused for the others.
 */
function scanByDay(index: VisibleIndex, pred: Predicate, reader: FieldReader): SearchHit[] {
  const { hits, days, minDay } = index;
  const span = index.maxDay - minDay + 1;
  if (!(span <= 1_000_000)) return scan(hits, pred, reader); // no records, or absurd/NaN timestamps
  const memo = new Int8Array(span); // 0: not evaluated yet, 1: no match, 2: match
  const out: SearchHit[] = [];
  for (let i = 0; i < hits.length; i++) {
    const d = (days[i] as number) - minDay;
    let m = memo[d] as number;
    if (m === 0) {
      m = pred(reader.at(hits[i] as SearchHit)) ? 2 : 1;
      memo[d] = m;
    }
    if (m === 2) out.push(hits[i] as SearchHit);
  }
  return out;
}

/**
 * Reads search fields of one record at a time: one instance per scan, re-pointed with `at()`
 * (no closure per record). The record is rendered (once) only for fields not read from the core.
 */
class FieldReader {
  private hit!: SearchHit;
  private rendered: Json | null = null;
  private readonly getter: Getter;

  constructor(
    private readonly ws: Workspace,
    private readonly stream: SearchStream,
  ) {
    this.getter =
      stream === 'contacts'
        ? (f) => this.contactField(f)
        : stream === 'conversations'
          ? (f) => this.conversationField(f)
          : (f) => this.ticketField(f);
  }

  at(hit: SearchHit): Getter {
    this.hit = hit;
    this.rendered = null;
    return this.getter;
  }

  private full(): Json {
    if (!this.rendered) {
      const { ws } = this;
      const { rec, v } = this.hit;
      this.rendered =
        this.stream === 'contacts'
          ? ws.renderContact(rec as ContactCore, v)
          : this.stream === 'conversations'
            ? ws.renderConversation(rec as ConversationCore, { v })
            : ws.renderTicket(rec as TicketCore, { v });
    }
    return this.rendered;
  }

  private contactField(f: string): FieldValue {
    const ws = this.ws;
    const c = this.hit.rec as ContactCore;
    switch (f) {
      case 'id':
        return c.id;
      case 'role':
        return c.role;
      case 'email':
        return c.email;
      case 'external_id':
        return c.external_id;
      case 'name':
        return c.name;
      case 'created_at':
        return c.created_at;
      case 'updated_at':
        return this.hit.updated_at;
      case 'signed_up_at':
        return c.role === 'user' ? c.created_at : null;
      case 'tag_id':
        return c.tagIdxs.map((t) => (ws.tags[t] as { id: string }).id);
      case 'segment_id':
        return ws.segments.filter((s) => ws.segmentMembers(s.idx, c)).map((s) => s.id);
      case 'avatar':
        return getPath(this.full(), 'avatar.image_url');
      default:
        return getPath(this.full(), f);
    }
  }

  private conversationField(f: string): FieldValue {
    const ws = this.ws;
    const c = this.hit.rec as ConversationCore;
    switch (f) {
      case 'id':
        return c.id;
      case 'created_at':
        return c.created_at;
      case 'updated_at':
        return this.hit.updated_at;
      case 'open':
        return c.state !== 'closed';
      case 'state':
        return c.state;
      case 'read':
        return c.read;
      case 'contact_ids':
        return c.contactIdxs.map((i) => (ws.contacts[i] as ContactCore).id);
      case 'tag_ids':
        return c.tagIdxs.map((t) => (ws.tags[t] as { id: string }).id);
      case 'teammate_ids':
        return c.adminAssignee === null ? [] : [(ws.admins[c.adminAssignee] as { id: string }).id];
      case 'channel_initiated':
        return undefined;
      default:
        return getPath(this.full(), f);
    }
  }

  private ticketField(f: string): FieldValue {
    const ws = this.ws;
    const t = this.hit.rec as TicketCore;
    switch (f) {
      case 'id':
        return t.id;
      case 'created_at':
        return t.created_at;
      case 'updated_at':
        return this.hit.updated_at;
      case 'open':
        return t.stateCategory !== 'resolved';
      case 'state':
        return t.stateCategory;
      case 'category':
        return ({ Customer: 'request', 'Back-office': 'task', Tracker: 'tracker' } as const)[
          ws.ticketTypeCategory(t.ticketTypeIdx)
        ];
      case 'ticket_type_id':
        return ws.ticketTypeId(t.ticketTypeIdx);
      case 'contact_ids':
        return t.contactIdxs.map((i) => (ws.contacts[i] as ContactCore).id);
      case 'teammate_ids':
        return t.adminAssignee === null ? [] : [(ws.admins[t.adminAssignee] as { id: string }).id];
      case 'title':
        return getPath(this.full(), 'ticket_attributes._default_title_');
      case 'description':
        return getPath(this.full(), 'ticket_attributes._default_description_');
      case 'snoozed_until':
        return undefined;
      default: {
        if (f.startsWith('ticket_attribute.')) {
          const key = f.slice('ticket_attribute.'.length);
          const tt = ws.renderTicketType(t.ticketTypeIdx);
          const attrs = ((tt['ticket_type_attributes'] as Json)['ticket_type_attributes'] as Json[]) ?? [];
          const byId = attrs.find((a) => a['id'] === key);
          const name = byId ? (byId['name'] as string) : key;
          const ta = this.full()['ticket_attributes'] as Json;
          const val = ta[name];
          return typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean' || val === null
            ? val
            : undefined;
        }
        return getPath(this.full(), f);
      }
    }
  }
}
