import type { Method } from 'got';
import type { JsonObject } from '../../core/events.js';
import type { IntercomClient } from '../client.js';
import { DEFAULT_PAGE_LIMITS, ProgressGuard, type PageLimits } from './stalled.js';
import { totalCountOf } from './records.js';

export type Params = Record<string, string | number | boolean | undefined>;

/** One page's request: a path (or a same-origin URL from `pages.next`), its query and body. */
export interface PageRequest {
  path: string;
  searchParams?: Params;
  json?: unknown;
  /** The page number asked for, when the walk goes by page numbers. */
  page?: number;
}

/** What follows a page: the next request and the position it stands for (a repeat is a cycle). */
export interface NextStep {
  request: PageRequest;
  position: string;
  /** How the position reads in an error message ("the cursor abc", "page 4"). */
  describe: string;
}

/** A pagination strategy: how the first page is asked for and how a page points to the next. */
export interface PaginationStrategy {
  first(): PageRequest;
  /** The step after a page, or undefined at the end; throws PaginationStalledError when the page cannot be progress. */
  next(body: unknown, records: JsonObject[], current: PageRequest, guard: ProgressGuard): NextStep | undefined;
}

export interface WalkOptions {
  /** 'GET /admins': names the endpoint in errors. */
  endpoint: string;
  stream?: string;
  method?: Method;
  headers?: Record<string, string>;
  retries?: number;
  recordsOf(body: unknown): JsonObject[];
  limits?: Partial<PageLimits>;
  /**
   * The answer to the strategy's first request when it is already known (a search planner asked
   * exactly that request to learn total_count): used instead of asking again.
   */
  firstBody?: unknown;
}

export interface WalkedPage {
  records: JsonObject[];
  totalCount?: number;
  body: unknown;
}

/**
 * Requests page after page as the strategy says, proving progress before each next request. A page
 * is handed out before its successor is checked: records read before a stall are delivered.
 */
export async function* walkPages(
  client: IntercomClient,
  strategy: PaginationStrategy,
  opts: WalkOptions,
): AsyncGenerator<WalkedPage> {
  const guard = new ProgressGuard(opts.endpoint, opts.stream, { ...DEFAULT_PAGE_LIMITS, ...opts.limits });
  let request: PageRequest | undefined = strategy.first();
  let known = opts.firstBody;
  while (request) {
    const body: unknown = known !== undefined ? known : await requestPage(client, request, opts);
    known = undefined;
    const records = opts.recordsOf(body);
    guard.page(records);
    const total = totalCountOf(body);
    yield { records, body, ...(total !== undefined ? { totalCount: total } : {}) };
    const step = strategy.next(body, records, request, guard);
    if (step) guard.advance(step.position, step.describe);
    request = step?.request;
  }
}

type RequestOptions = Pick<WalkOptions, 'method' | 'headers' | 'retries' | 'stream'>;

function requestPage(client: IntercomClient, request: PageRequest, opts: RequestOptions): Promise<unknown> {
  return client.request<unknown>({
    path: request.path,
    ...(opts.method ? { method: opts.method } : {}),
    ...(request.searchParams ? { searchParams: request.searchParams } : {}),
    ...(request.json !== undefined ? { json: request.json } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.stream ? { stream: opts.stream } : {}),
  });
}

/** The first request of a walk, asked alone: a planner reads its answer, then hands it back as `firstBody`. */
export function requestFirstPage(
  client: IntercomClient,
  strategy: PaginationStrategy,
  opts: RequestOptions,
): Promise<unknown> {
  return requestPage(client, strategy.first(), opts);
}
