import { ConfigError, ConnectorError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import type { IntercomClient, RequestOptions } from '../intercom/client.js';
import { listStrategy, searchStrategy, walkPages, type PaginationStrategy } from '../intercom/paginators/index.js';
import type { CustomStreamDef } from '../config/custom-streams.js';
import { selectAll, selectOne } from '../util/jsonpath.js';
import { expandMacros, expandMacrosDeep, type MacroContext } from '../util/macros.js';
import { inferSchema } from '../util/schema-infer.js';
import type { Reader, ReaderItem, ReadContext, StreamSpec } from './types.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Custom streams: one configured endpoint each, read through the shared client like every stream. */
export function customSpec(def: CustomStreamDef): StreamSpec {
  return {
    name: def.name,
    primaryKey: [...def.primaryKey],
    ...(def.cursorField ? { cursorField: def.cursorField } : {}),
  };
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
  for (const [field, sub] of Object.entries((customBaseSchema(def).properties ?? {}) as JsonObject))
    properties[field] ??= sub;
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
  const searchParams: Record<string, string | number> =
    q === -1 ? {} : Object.fromEntries(new URLSearchParams(expanded.slice(q + 1)));
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

const DEFAULT_PER_PAGE: Record<CustomStreamDef['pagination'], number | undefined> = {
  none: undefined,
  cursor: undefined,
  search: 150,
  page: 50,
};

/** pages.next URLs are followed only on the API's own host, where the token belongs. */
function sameOrigin(def: CustomStreamDef, strategy: PaginationStrategy, baseUrl: string): PaginationStrategy {
  const home = new URL(baseUrl).origin;
  return {
    first: () => strategy.first(),
    next(body, records, current, guard) {
      const step = strategy.next(body, records, current, guard);
      if (!step || (!/^https?:\/\//i.test(step.request.path) && !step.request.path.startsWith('/'))) return step;
      const url = new URL(step.request.path, baseUrl);
      if (url.origin !== home) {
        throw new ConnectorError(
          `Custom stream ${def.name}: pages.next points to another host (${url.origin}); the connector only follows links on ${home}.`,
          { failureType: 'system_error', stream: def.name },
        );
      }
      return step;
    },
  };
}

const SINGLE_PAGE: (first: RequestPlan) => PaginationStrategy = (first) => ({
  first: () => first,
  next: () => undefined,
});

/** The custom stream's paginator from the kit: its first request already carries its page size. */
function strategyOf(def: CustomStreamDef, first: RequestPlan, baseUrl: string): PaginationStrategy {
  const perPage = def.pageSize ?? DEFAULT_PER_PAGE[def.pagination];
  switch (def.pagination) {
    case 'none':
      return SINGLE_PAGE(first);
    case 'search':
      return searchStrategy(first.path, isObject(first.json) ? first.json : {}, def.pageSize);
    case 'page':
      return sameOrigin(def, listStrategy(first, { perPage: perPage ?? 50, numbered: true }), baseUrl);
    case 'cursor':
      return sameOrigin(def, listStrategy(first, perPage ? { perPage } : {}), baseUrl);
  }
}

/** The first request with the pagination's page-size (and page number) parameters. */
function withPaging(def: CustomStreamDef, plan: RequestPlan): RequestPlan {
  const perPage = def.pageSize ?? DEFAULT_PER_PAGE[def.pagination];
  if (def.pagination === 'page')
    return { ...plan, searchParams: { ...plan.searchParams, page: 1, per_page: perPage ?? 50 } };
  if (def.pagination === 'search') {
    const body = isObject(plan.json) ? plan.json : {};
    const pagination = isObject(body.pagination) ? body.pagination : {};
    return {
      ...plan,
      json: { ...body, pagination: { ...pagination, per_page: def.pageSize ?? pagination.per_page ?? perPage } },
    };
  }
  if (def.pagination === 'cursor' && def.pageSize)
    return { ...plan, searchParams: { ...plan.searchParams, per_page: def.pageSize } };
  return plan;
}

/** Records of one response; a records path that selects something other than objects is a config error. */
export function recordsOfResponse(def: CustomStreamDef, body: unknown): JsonObject[] {
  if (!def.recordsPath) {
    throw new ConfigError(
      `Custom stream ${def.name} has no records_path. Run "intercom-connector preview --config <config> --stream ${def.name}" to see the candidate paths in its response, then set one (e.g. $.data[*]).`,
    );
  }
  const selected = selectAll(def.recordsPath, body);
  const records: JsonObject[] = [];
  for (const value of selected) {
    if (!isObject(value))
      throw new ConfigError(
        `Custom stream ${def.name}: records_path ${def.recordsPath} selects ${Array.isArray(value) ? 'an array' : typeof value} values, not objects; point it at the records, e.g. $.data[*].`,
      );
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
export async function fetchFirstPage(
  client: IntercomClient,
  def: CustomStreamDef,
  now: number,
  startDate: number | undefined,
): Promise<unknown> {
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
      const first = firstRequest(def, macroContext(def, ctx.syncStartedAt, previous ?? ctx.config.startDate ?? 0));
      const strategy = strategyOf(def, first, ctx.config.baseUrl);
      let max = previous;
      let firstPage = true;
      const pages = walkPages(ctx.client, strategy, {
        endpoint: `${def.method} ${first.path}`,
        stream: def.name,
        method: def.method,
        ...(Object.keys(def.headers).length ? { headers: def.headers } : {}),
        recordsOf: (body) => recordsOfResponse(def, body),
      });
      for await (const page of pages) {
        if (firstPage && page.totalCount !== undefined)
          yield { kind: 'estimate', stream: def.name, rows: page.totalCount };
        firstPage = false;
        for (const record of page.records) {
          if (def.cursorField) {
            const value = record[def.cursorField];
            // Endpoints without a server-side filter send everything: skip what the last sync had.
            if (previous !== undefined && (compareCursor(value, previous) ?? 0) < 0) continue;
            if (
              value !== undefined &&
              value !== null &&
              (max === undefined || max === null || (compareCursor(value, max) ?? 0) > 0)
            )
              max = value;
          }
          yield { kind: 'record', stream: def.name, record };
        }
      }
      // Records need not arrive in cursor order: only the end of a read is a safe checkpoint.
      if (def.cursorField) yield { kind: 'checkpoint', state: max === undefined ? {} : { [def.cursorField]: max } };
    },
  };
}
