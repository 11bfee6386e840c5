/**
 * POST /contacts/search, /conversations/search and /tickets/search: the query (search.ts compiles
 * it) over the records search sees at the fake's virtual time (index lag), in a deterministic
 * shuffled order (hash of id + updated_at), paged by an opaque key cursor in the body.
 */
import { DAY } from './clock.js';
import { ApiError, type RequestContext, type RouteResult } from './http.js';
import type { ContactCore, ConversationCore, Json, RecordCore, TicketCore, VersionEntry } from './model.js';
import { renderContact, contactText } from './objects/contacts.js';
import { renderConversation, conversationText } from './objects/conversations.js';
import { renderTicket, renderTicketType, ticketText, ticketTypeCategory, ticketTypeId } from './objects/tickets.js';
import { mix32 } from './rng.js';
import { getPath, listBytes, type RecordText, type Router } from './router.js';
import { SearchError, compileQuery, decodeCursor, encodeCursor, onlyTestsDayOf } from './search.js';
import type { FieldValue, Getter, Predicate, SearchStream } from './search.js';
import type { WorkspaceState } from './state.js';

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

/**
 * Distinct search queries whose hits are kept. Not raised: tag attach/detach does not invalidate
 * cached hits (tag_id queries), so a longer memory would change what such searches answer.
 */
const MAX_CACHED_SEARCHES = 32;

interface SearchRequest {
  query: unknown;
  pred: Predicate;
  perPage: number;
  startingAfter: string | null;
}

/** The body's query (compiled) and pagination, checked like Intercom does. */
function parseSearch(stream: SearchStream, body: unknown): SearchRequest {
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
  const req: SearchRequest = { query: b['query'], pred, perPage: stream === 'contacts' ? 50 : 20, startingAfter: null };
  const pag = b['pagination'];
  if (pag === undefined || pag === null) return req;
  if (typeof pag !== 'object' || Array.isArray(pag))
    throw new ApiError(400, 'parameter_invalid', 'pagination must be an object', 'pagination');
  const p = pag as Record<string, unknown>;
  if (p['per_page'] !== undefined) {
    const pp = p['per_page'];
    if (typeof pp !== 'number' || !Number.isInteger(pp) || pp < 1 || pp > 150)
      throw new ApiError(400, 'parameter_invalid', 'per_page must be an integer between 1 and 150', 'per_page');
    req.perPage = pp;
  }
  const sa = p['starting_after'];
  if (sa !== undefined && sa !== null) {
    if (typeof sa !== 'string')
      throw new ApiError(400, 'parameter_invalid', 'starting_after must be a string', 'starting_after');
    req.startingAfter = sa;
  }
  return req;
}

/** Position of the first hit after the cursor (hits are sorted by key, then idx). */
function startAfter(hits: SearchHit[], startingAfter: string | null): number {
  if (!startingAfter) return 0;
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
  return lo;
}

/** The searches of the three streams, with their caches of hits and visible records. */
export class Search {
  private readonly searchCache = new Map<string, SearchCacheEntry>();
  private readonly visibleIndexes = new Map<SearchStream, VisibleIndex>();

  constructor(private readonly api: Router) {}

  register(): void {
    this.api.route('POST', '/contacts/search', (c) => this.search('contacts', c));
    this.api.route('POST', '/conversations/search', (c) => this.search('conversations', c));
    this.api.route('POST', '/tickets/search', (c) => this.search('tickets', c));
  }

  private search(stream: SearchStream, c: RequestContext): RouteResult {
    const req = parseSearch(stream, c.body);
    const { perPage } = req;
    // NB: a starting_after in the query string is ignored on purpose (the real API returns page 1 again).
    const t = this.api.ws.clock.now();
    const byDay = onlyTestsDayOf(stream, req.query, 'updated_at');
    const hits = this.matches(stream, req.pred, byDay, JSON.stringify(req.query), t);
    const start = startAfter(hits, req.startingAfter);
    const slice = hits.slice(start, start + perPage);
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
    const text = (h: SearchHit): RecordText => this.text(stream, h, c.version);
    return listBytes({ type }, key, slice.map(text), { total_count: hits.length, pages });
  }

  private text(stream: SearchStream, h: SearchHit, apiVersion?: string): RecordText {
    if (stream === 'contacts') return contactText(this.api, h.rec as ContactCore, h.v);
    if (stream === 'conversations') return conversationText(this.api, h.rec as ConversationCore, h.v, apiVersion);
    return ticketText(this.api, h.rec as TicketCore, h.v);
  }

  /** All visible records matching the predicate, in a deterministic shuffled order (hash of id + updated_at). */
  private matches(stream: SearchStream, pred: Predicate, byDay: boolean, qkey: string, t: number): SearchHit[] {
    const ck = `${stream}:${qkey}`;
    const cached = this.searchCache.get(ck);
    if (cached && cached.gen === this.api.ws.generation && t < cached.validUntil) return cached.hits;
    // The visible records, already in search order: filtering keeps the order, no sort per query.
    const index = this.visibleIndex(stream, t);
    const reader = new FieldReader(this.api.ws, stream);
    const hits = byDay ? scanByDay(index, pred, reader) : scan(index.hits, pred, reader);
    let validUntil = Infinity;
    for (const vt of this.api.ws.visibilityTimes) if (vt > t && vt < validUntil) validUntil = vt;
    if (this.searchCache.size >= MAX_CACHED_SEARCHES)
      this.searchCache.delete(this.searchCache.keys().next().value as string);
    this.searchCache.set(ck, { gen: this.api.ws.generation, validUntil, hits });
    return hits;
  }

  /**
   * Every record of the stream visible at `t` with its visible version and sort key, sorted by
   * (key, idx). The visible set only changes with the generation or when the time crosses some
   * version's visibleAt, so it is reused while t stays between the visibleAt values around it.
   */
  private visibleIndex(stream: SearchStream, t: number): VisibleIndex {
    const known = this.visibleIndexes.get(stream);
    if (known && known.gen === this.api.ws.generation && known.validFrom <= t && t < known.validUntil) return known;
    const list: RecordCore[] =
      stream === 'contacts'
        ? this.api.ws.contacts
        : stream === 'conversations'
          ? this.api.ws.conversations
          : this.api.ws.tickets;
    const sorted: SearchHit[] = [];
    let validFrom = -Infinity;
    let validUntil = Infinity;
    for (const rec of list) {
      for (const e of rec.versions) {
        if (e.visibleAt > t) validUntil = Math.min(validUntil, e.visibleAt);
        else validFrom = Math.max(validFrom, e.visibleAt);
      }
      const v = this.api.ws.visibleVersion(rec, t);
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
    const index: VisibleIndex = { gen: this.api.ws.generation, validFrom, validUntil, hits, days, minDay, maxDay };
    this.visibleIndexes.set(stream, index);
    return index;
  }

  /** Exposed for tests: drop cached search results. */
  clear(): void {
    this.searchCache.clear();
    this.visibleIndexes.clear();
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
    private readonly ws: WorkspaceState,
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
          ? renderContact(ws, rec as ContactCore, v)
          : this.stream === 'conversations'
            ? renderConversation(ws, rec as ConversationCore, { v })
            : renderTicket(ws, rec as TicketCore, { v });
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
          ticketTypeCategory(t.ticketTypeIdx)
        ];
      case 'ticket_type_id':
        return ticketTypeId(t.ticketTypeIdx);
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
      default:
        if (f.startsWith('ticket_attribute.')) return this.ticketAttribute(f.slice('ticket_attribute.'.length));
        return getPath(this.full(), f);
    }
  }

  /** A ticket attribute by id or name (the search accepts either). */
  private ticketAttribute(key: string): FieldValue {
    const t = this.hit.rec as TicketCore;
    const tt = renderTicketType(this.ws, t.ticketTypeIdx);
    const attrs = ((tt['ticket_type_attributes'] as Json)['ticket_type_attributes'] as Json[]) ?? [];
    const byId = attrs.find((a) => a['id'] === key);
    const name = byId ? (byId['name'] as string) : key;
    const val = (this.full()['ticket_attributes'] as Json)[name];
    return typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean' || val === null
      ? val
      : undefined;
  }
}
