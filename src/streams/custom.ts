import { ConfigError, ConnectorError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import type { IntercomClient, RequestOptions } from '../intercom/client.js';
import type { CustomStreamDef } from '../transform/controls.js';
import { selectAll, selectOne } from '../transform/jsonpath.js';
import { expandMacros, expandMacrosDeep, type MacroContext } from '../transform/macros.js';
import { inferSchema } from '../transform/schema-infer.js';
import type { Reader, ReaderItem, ReadContext, StreamSpec } from './types.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Custom streams: one configured endpoint each, read through the shared client like every stream. */
export function customSpec(def: CustomStreamDef): StreamSpec {
  return { name: def.name, primaryKey: [...def.primaryKey], ...(def.cursorField ? { cursorField: def.cursorField } : {}) };
}

/** What is known of a custom stream without calling it: its key, cursor and _metadata; anything else is allowed. */
export function customBaseSchema(def: CustomStreamDef): JsonObject {
  const properties: JsonObject = {};
  for (const field of [...def.primaryKey, ...(def.cursorField ? [def.cursorField] : [])]) properties[field] = {};
  if (def.metadataPath) properties._metadata = {};
  return { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true, properties };
}

/** The schema of a custom stream inferred from one response: its records' fields, _metadata, key and cursor. */
export function inferCustomSchema(def: CustomStreamDef, body: unknown): JsonObject {
  const records = def.recordsPath ? selectAll(def.recordsPath, body).filter(isObject) : [];
  if (def.metadataPath) {
    const metadata = selectOne(def.metadataPath, body);
    for (const record of records) record._metadata = metadata;
  }
  const schema = inferSchema(records);
  const properties = schema.properties as JsonObject;
  for (const [field, sub] of Object.entries((customBaseSchema(def).properties ?? {}) as JsonObject)) properties[field] ??= sub;
  return schema;
}

interface RequestPlan {
  path: string;
  searchParams: Record<string, string | number>;
  json?: unknown;
}

/** The first request of a read, macros expanded; the path's query string becomes parameters. */
export function firstRequest(def: CustomStreamDef, macros: MacroContext): RequestPlan {
  const expanded = expandMacros(def.path, macros);
  const q = expanded.indexOf('?');
  const path = q === -1 ? expanded : expanded.slice(0, q);
  const searchParams: Record<string, string | number> = q === -1 ? {} : Object.fromEntries(new URLSearchParams(expanded.slice(q + 1)));
  const json = def.body === undefined ? undefined : expandMacrosDeep(def.body, macros);
  return { path, searchParams, ...(json !== undefined ? { json } : def.method === 'POST' ? { json: {} } : {}) };
}

function request(def: CustomStreamDef, plan: RequestPlan): RequestOptions {
  return {
    method: def.method,
    path: plan.path,
    searchParams: plan.searchParams,
    ...(plan.json !== undefined ? { json: plan.json } : {}),
    ...(Object.keys(def.headers).length ? { headers: def.headers } : {}),
    stream: def.name,
  };
}

type Next = { kind: 'done' } | { kind: 'url'; url: string } | { kind: 'cursor'; cursor: string } | { kind: 'page'; page: number };

function pagesOf(body: unknown): JsonObject | undefined {
  return isObject(body) && isObject(body.pages) ? body.pages : undefined;
}

function nextPage(def: CustomStreamDef, body: unknown, page: number, records: number, perPage: number): Next {
  const pages = pagesOf(body);
  switch (def.pagination) {
    case 'none':
      return { kind: 'done' };
    case 'page': {
      const totalPages = pages?.total_pages;
      if (records === 0 || (typeof totalPages === 'number' ? page >= totalPages : records < perPage)) return { kind: 'done' };
      return { kind: 'page', page: page + 1 };
    }
    case 'cursor':
    case 'search': {
      const next = pages?.next;
      if (def.pagination === 'cursor' && typeof next === 'string' && next) return { kind: 'url', url: next };
      const cursor = isObject(next) ? next.starting_after : undefined;
      return typeof cursor === 'string' && cursor ? { kind: 'cursor', cursor } : { kind: 'done' };
    }
  }
}

const DEFAULT_PER_PAGE: Record<CustomStreamDef['pagination'], number | undefined> = { none: undefined, cursor: undefined, search: 150, page: 50 };

/** The request for a page after the first, or undefined at the end. */
function followUp(def: CustomStreamDef, first: RequestPlan, next: Next, baseUrl: string): RequestPlan | undefined {
  const perPage = def.pageSize ?? DEFAULT_PER_PAGE[def.pagination];
  switch (next.kind) {
    case 'done':
      return undefined;
    case 'url': {
      // pages.next is a URL: follow it only on the API's own host, where the token belongs.
      const url = new URL(next.url, baseUrl);
      const home = new URL(baseUrl).origin;
      if (url.origin !== home) {
        throw new ConnectorError(`Custom stream ${def.name}: pages.next points to another host (${url.origin}); the connector only follows links on ${home}.`, { failureType: 'system_error', stream: def.name });
      }
      // The link's query goes in searchParams: an empty searchParams would replace it.
      return { path: `${url.origin}${url.pathname}`, searchParams: Object.fromEntries(url.searchParams) };
    }
    case 'page':
      return { ...first, searchParams: { ...first.searchParams, page: next.page, per_page: perPage ?? 50 } };
    case 'cursor':
      if (def.pagination === 'search') {
        const body = isObject(first.json) ? first.json : {};
        const pagination = isObject(body.pagination) ? body.pagination : {};
        return { ...first, json: { ...body, pagination: { ...pagination, per_page: perPage ?? pagination.per_page ?? 150, starting_after: next.cursor } } };
      }
      return { ...first, searchParams: { ...first.searchParams, starting_after: next.cursor, ...(perPage ? { per_page: perPage } : {}) } };
  }
}

/** The first request with the pagination's page-size (and page number) parameters. */
function withPaging(def: CustomStreamDef, plan: RequestPlan): RequestPlan {
  const perPage = def.pageSize ?? DEFAULT_PER_PAGE[def.pagination];
  if (def.pagination === 'page') return { ...plan, searchParams: { ...plan.searchParams, page: 1, per_page: perPage ?? 50 } };
  if (def.pagination === 'search') {
    const body = isObject(plan.json) ? plan.json : {};
    const pagination = isObject(body.pagination) ? body.pagination : {};
    return { ...plan, json: { ...body, pagination: { ...pagination, per_page: def.pageSize ?? pagination.per_page ?? perPage } } };
  }
  if (def.pagination === 'cursor' && def.pageSize) return { ...plan, searchParams: { ...plan.searchParams, per_page: def.pageSize } };
  return plan;
}

/** Records of one response; a records path that selects something other than objects is a config error. */
export function recordsOfResponse(def: CustomStreamDef, body: unknown): JsonObject[] {
  if (!def.recordsPath) {
    throw new ConfigError(`Custom stream ${def.name} has no records_path. Run "intercom-connector preview --config <config> --stream ${def.name}" to see the candidate paths in its response, then set one (e.g. $.data[*]).`);
  }
  const selected = selectAll(def.recordsPath, body);
  const records: JsonObject[] = [];
  for (const value of selected) {
    if (!isObject(value)) throw new ConfigError(`Custom stream ${def.name}: records_path ${def.recordsPath} selects ${Array.isArray(value) ? 'an array' : typeof value} values, not objects; point it at the records, e.g. $.data[*].`);
    records.push(value);
  }
  if (def.metadataPath) {
    const metadata = selectOne(def.metadataPath, body);
    for (const record of records) record._metadata = metadata;
  }
  return records;
}

/** Orders cursor values of the same kind (numbers, or strings such as ISO dates); others are not comparable. */
function compareCursor(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

export function macroContext(def: CustomStreamDef, now: number, state: unknown): MacroContext {
  return { now, unit: def.timeUnit, format: def.dateFormat, state };
}

/** One request (the first page), for discover's schema inference and preview's path suggestions. */
export async function fetchFirstPage(client: IntercomClient, def: CustomStreamDef, now: number, startDate: number | undefined): Promise<unknown> {
  const plan = withPaging(def, firstRequest(def, macroContext(def, now, startDate ?? 0)));
  return client.request<unknown>(request(def, plan));
}

/** The reader of a custom stream: pages through the endpoint; state is the highest cursor value seen. */
export function customReader(def: CustomStreamDef): Reader {
  return {
    streams: [customSpec(def)],
    async *read(ctx: ReadContext): AsyncGenerator<ReaderItem> {
      recordsOfResponse(def, undefined); // no records_path: say so before calling the endpoint
      const previous = def.cursorField ? ctx.state?.[def.cursorField] : undefined;
      const first = withPaging(def, firstRequest(def, macroContext(def, ctx.syncStartedAt, previous ?? ctx.config.startDate ?? 0)));
      const perPage = def.pageSize ?? DEFAULT_PER_PAGE[def.pagination] ?? 0;
      const seen = new Set<string>();
      let max = previous;
      let plan: RequestPlan | undefined = first;
      for (let page = 1; plan; page++) {
        const body = await ctx.client.request<unknown>(request(def, plan));
        if (page === 1 && isObject(body) && typeof body.total_count === 'number') yield { kind: 'estimate', stream: def.name, rows: body.total_count };
        const records = recordsOfResponse(def, body);
        for (const record of records) {
          if (def.cursorField) {
            const value = record[def.cursorField];
            // Endpoints without a server-side filter send everything: skip what the last sync had.
            if (previous !== undefined && (compareCursor(value, previous) ?? 0) < 0) continue;
            if (value !== undefined && value !== null && (max === undefined || max === null || (compareCursor(value, max) ?? 0) > 0)) max = value;
          }
          yield { kind: 'record', stream: def.name, record };
        }
        const next = nextPage(def, body, page, records.length, perPage);
        if (next.kind === 'cursor' || next.kind === 'url') {
          const key = next.kind === 'cursor' ? next.cursor : next.url;
          if (seen.has(key)) throw new ConnectorError(`Custom stream ${def.name}: the endpoint returned a pagination cursor it had already returned; stopping instead of looping.`, { failureType: 'system_error', stream: def.name });
          seen.add(key);
        }
        plan = followUp(def, first, next, ctx.config.baseUrl);
      }
      // Records need not arrive in cursor order: only the end of a read is a safe checkpoint.
      if (def.cursorField) yield { kind: 'checkpoint', state: max === undefined ? {} : { [def.cursorField]: max } };
    },
  };
}
