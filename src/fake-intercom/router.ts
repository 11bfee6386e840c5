/**
 * The fake's router and the answer-building kit the object modules (objects/*.ts) register their
 * routes with: path templates, whole or shaped lists, page-number and cursor lists, and a cache of
 * rendered record texts so hot routes answer pre-serialized bodies (byte-identical to
 * JSON.stringify of the rendered records) and the fake's CPU stays small next to a connector's.
 */
import { ApiError, type BytesResult, type RequestContext, type RouteResult } from './http.js';
import { cur, type Json, type JsonValue, type RecordCore, type VersionEntry } from './model.js';
import { decodeCursor, encodeCursor } from './search.js';
import type { FieldValue } from './search.js';
import { shapedPage, type ListShapes, type ShapedList } from './shapes.js';
import type { WorkspaceState } from './state.js';

export type Handler = (ctx: RequestContext, params: string[]) => RouteResult;

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

/** A record's JSON and its UTF-8 length (equal to text.length when the text is ASCII). */
export interface RecordText {
  text: string;
  bytes: number;
}

/** Characters of rendered records kept at most (~2 KB per record); beyond that the cache starts over. */
const MAX_CACHED_CHARS = 1_000_000_000;

export const ok = (body: Json): RouteResult => ({ status: 200, body });

/**
 * JSON of `{...head, [key]: [items...], ...tail}` from already serialized items: the same bytes as
 * JSON.stringify of that object (keys of head, then key, then keys of tail).
 */
export function listBytes(head: Json, key: string, items: RecordText[], tail: Json): BytesResult {
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

/** An integer query parameter: `def` when absent, 400 when malformed or below `min`, clamped or 400 above `max`. */
export function intParam(
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

/** A scalar at a dotted path of a rendered record (undefined: absent or not a scalar). */
export function getPath(obj: JsonValue | undefined, path: string): FieldValue {
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

export function pageBased(total: number, page: number, perPage: number): Json {
  return { type: 'pages', page, per_page: perPage, total_pages: Math.ceil(total / perPage) };
}

/** The router and the shared answer builders; the object modules register their routes on it. */
export class Router {
  private readonly routes: Route[] = [];
  /**
   * JSON text of a record as rendered for lists and searches, by rendering variant (an API version
   * that renders differently) and version rendered. Valid for one `ws.renderEpoch` (a mutation or a
   * core edit may change any rendering, e.g. a contact's name inside a conversation).
   */
  private readonly texts = new Map<string, Map<VersionEntry, RecordText>>();
  private textsChars = 0;
  private textsEpoch = -1;
  /** Per-generation derived lists (alive records of a stream...), keyed by name. */
  private readonly genMemo = new Map<string, { gen: number; value: RecordCore[] }>();

  constructor(
    readonly ws: WorkspaceState,
    readonly opts: ApiOptions,
  ) {}

  /** Adds a route; `{name}` segments of the template become the handler's params. */
  route(method: string, template: string, handler: Handler): void {
    const re = new RegExp('^' + template.replace(/\{[a-z_]+\}/g, '([^/]+)') + '$');
    this.routes.push({ method, re, template, handler });
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

  /** A whole list in one answer, or (with shapes) one page of it in the configured shape. */
  list(c: RequestContext, list: ShapedList, all: Json[]): RouteResult {
    if (this.opts.shapes) return shapedPage(c, this.opts.shapes, all, list);
    return ok({ type: list.type, [list.key]: all });
  }

  /** Records of `list` (in idx order) with `keep`, recomputed once per workspace generation. */
  memoFilter<T extends RecordCore>(name: string, list: T[], keep: (x: T) => boolean): T[] {
    const m = this.genMemo.get(name);
    if (m && m.gen === this.ws.generation) return m.value as T[];
    const value = list.filter(keep);
    this.genMemo.set(name, { gen: this.ws.generation, value });
    return value;
  }

  /** JSON of a record's rendering (as of version `v`, in `variant`), cached for the current render epoch. */
  recordText(v: VersionEntry, render: () => Json, variant = ''): RecordText {
    if (this.textsEpoch !== this.ws.renderEpoch || this.textsChars > MAX_CACHED_CHARS) {
      this.texts.clear();
      this.textsChars = 0;
      this.textsEpoch = this.ws.renderEpoch;
    }
    let byVersion = this.texts.get(variant);
    if (!byVersion) this.texts.set(variant, (byVersion = new Map()));
    let rt = byVersion.get(v);
    if (rt === undefined) {
      const text = JSON.stringify(render());
      rt = { text, bytes: Buffer.byteLength(text) };
      byVersion.set(v, rt);
      this.textsChars += text.length;
    }
    return rt;
  }

  /** Drops the rendered-record texts (tests measure rendering from scratch). */
  clearTexts(): void {
    this.texts.clear();
    this.textsChars = 0;
  }

  /** A `starting_after` cursor list of the alive records in idx order, pre-serialized. */
  cursorList<T extends RecordCore>(
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
}
