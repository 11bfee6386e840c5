/**
 * The API request pipeline: count stats -> latency wait (counted as in flight) -> mutateEvery ->
 * rate-limit window accounting -> Intercom-Version check -> bearer auth -> 429 when over budget ->
 * injected faults -> route handler (writes first, then reads).
 */
import type http from 'node:http';
import type { Faults } from './faults.js';
import { STATUS_CODES, rewriteRecords } from './faults.js';
import { ApiError, type RequestContext, type RouteResult } from './http.js';
import type { Json } from './model.js';
import { Rng, hash32 } from './rng.js';
import type { Api } from './routes.js';
import { JSON_TYPE, Responder, bodyText, readBody } from './responder.js';
import { countWindow, type RateLimiter } from './stats.js';
import type { FakeStats, FaultRule, MutateEvery } from './types.js';
import type { Workspace } from './workspace.js';
import type { FakeWrites } from './writes.js';

export const SUPPORTED_VERSIONS = ['2.14', '2.15'];

type Matched = ReturnType<Api['match']>;

export interface PipelineParts {
  seed: number;
  token: string;
  workspace: Workspace;
  api: Api;
  writes: FakeWrites;
  stats: FakeStats;
  faults: Faults;
  rateLimiter: RateLimiter;
  responder: Responder;
  latencyMs: number;
  jitterMs: number;
  mutateEvery: MutateEvery | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const MALFORMED = '<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>';

export class ApiPipeline {
  /** Connections held open by 'hang' faults (destroyed on close). */
  readonly hanging = new Set<http.ServerResponse>();
  /** Base URL of the server (for absolute `next` links), known once it listens. */
  baseUrl = '';
  mutateEvery: MutateEvery | null;
  private apiRequestCounter = 0;
  private readonly jitterRng: Rng;
  private readonly out: Responder;

  constructor(private readonly p: PipelineParts) {
    this.mutateEvery = p.mutateEvery;
    this.jitterRng = new Rng(hash32(p.seed, 'jitter'));
    this.out = p.responder;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const route = this.p.writes.match(method, path) ?? this.p.api.match(method, path);
    this.countArrival(res, route.template);
    // Counted on arrival, like the stats windows: a request belongs to the window it arrived in.
    const presented = /^Bearer\s+(.+)$/i.exec(req.headers['authorization'] ?? '')?.[1]?.trim() ?? '';
    const rl = this.p.rateLimiter.account(presented);
    const headers = rl.headers;
    const raw = await readBody(req);
    const delay = Math.max(
      0,
      this.p.latencyMs + (this.p.jitterMs > 0 ? (this.jitterRng.next() * 2 - 1) * this.p.jitterMs : 0),
    );
    const drawn = this.p.stats.latencyMsByRoute;
    drawn[route.template] = (drawn[route.template] ?? 0) + delay;
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;
    this.autoMutate();
    const version = req.headers['intercom-version'];
    const refused = this.refusal(version, presented, rl.over);
    if (refused) return this.out.sendJson(res, refused.status, refused.body, headers);
    const fault = this.p.faults.pick(`${method} ${path}`);
    if (fault) {
      this.p.stats.faultsInjected++;
      if (this.earlyFault(fault, res, headers, route.template)) return;
    }
    const ctx: RequestContext = {
      method,
      path,
      query: url.searchParams,
      body: undefined,
      baseUrl: this.baseUrl,
      accept: req.headers.accept,
      version: (version as string).trim(),
    };
    let out = this.run(route, ctx, raw);
    if (fault?.kind === 'records' && out.status === 200)
      out = {
        status: out.status,
        body: rewriteRecords(JSON.parse(bodyText(out).toString()) as Json, fault.records ?? []),
      };
    if (fault && (fault.kind === 'reset' || fault.kind === 'truncate'))
      return this.sendHalf(res, out, headers, fault.kind);
    this.out.send(res, out, headers);
  }

  /** Stats of an arriving request; it stays in flight until its connection closes. */
  private countArrival(res: http.ServerResponse, template: string): void {
    const { stats } = this.p;
    stats.totalRequests++;
    stats.byRoute[template] = (stats.byRoute[template] ?? 0) + 1;
    countWindow(stats);
    stats.currentInFlight++;
    if (stats.currentInFlight > stats.maxInFlight) stats.maxInFlight = stats.currentInFlight;
    let done = false;
    res.on('close', () => {
      if (!done) {
        done = true;
        stats.currentInFlight--;
      }
      this.hanging.delete(res);
    });
  }

  private autoMutate(): void {
    this.apiRequestCounter++;
    const m = this.mutateEvery;
    if (m && m.requests > 0 && this.apiRequestCounter % m.requests === 0) {
      this.p.workspace.mutate(m.spec);
      this.p.stats.autoMutations++;
    }
  }

  /** 400 for a missing or unknown Intercom-Version, 401 for a wrong token, 429 over budget; null: go on. */
  private refusal(version: string | string[] | undefined, presented: string, over: boolean) {
    if (typeof version !== 'string' || !SUPPORTED_VERSIONS.includes(version.trim())) {
      const message =
        version === undefined
          ? 'Intercom-Version header is required'
          : `Requested version ${String(version)} is not valid`;
      return { status: 400, body: this.out.errorBody('intercom_version_invalid', message) };
    }
    if (presented !== this.p.token)
      return { status: 401, body: this.out.errorBody('unauthorized', 'Access Token Invalid') };
    if (over) return { status: 429, body: this.out.errorBody('rate_limit_exceeded', 'Rate Limit Exceeded') };
    return null;
  }

  /** Faults answered without running the route; false for those that need the real body (reset, truncate, records). */
  private earlyFault(
    fault: FaultRule,
    res: http.ServerResponse,
    headers: Record<string, string>,
    template: string,
  ): boolean {
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 500;
        const [code, message] = STATUS_CODES[status] ?? ['server_error', `HTTP ${status}`];
        if (template === 'GET /companies/scroll' && status >= 500) this.p.api.resetScroll();
        this.out.sendJson(res, status, this.out.errorBody(code, message), headers);
        return true;
      }
      case '429': {
        const sent = fault.withHeaders === false ? {} : { ...headers, 'X-RateLimit-Remaining': '0' };
        this.out.sendJson(res, 429, this.out.errorBody('rate_limit_exceeded', 'Rate Limit Exceeded'), sent);
        return true;
      }
      case 'hang':
        this.hanging.add(res);
        this.out.count('hang');
        return true;
      case 'malformed':
        res.writeHead(200, {
          ...headers,
          'Content-Type': JSON_TYPE,
          'Content-Length': String(Buffer.byteLength(MALFORMED)),
        });
        res.end(MALFORMED);
        this.out.count('200');
        return true;
      default:
        return false;
    }
  }

  /** The route's answer, or the error.list of the ApiError it threw. */
  private run(route: Matched, ctx: RequestContext, raw: string): RouteResult {
    try {
      if (!route.run) throw new ApiError(404, 'not_found', 'Resource Not Found');
      if (raw.trim() !== '') {
        try {
          ctx.body = JSON.parse(raw) as unknown;
        } catch {
          throw new ApiError(400, 'parameter_invalid', 'The request body is not valid JSON');
        }
      }
      return route.run(ctx);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return { status: e.status, body: this.out.errorBody(e.code, e.message, e.field) };
    }
  }

  /**
   * 'reset': full Content-Length announced, half the body sent, then the socket is destroyed.
   * 'truncate': a chunked answer that ends cleanly after half of the JSON.
   */
  private sendHalf(
    res: http.ServerResponse,
    out: RouteResult,
    headers: Record<string, string>,
    kind: 'reset' | 'truncate',
  ): void {
    const txt = Buffer.from(bodyText(out));
    const half = txt.subarray(0, Math.max(1, Math.floor(txt.length / 2)));
    if (kind === 'reset') {
      res.writeHead(out.status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': String(txt.length) });
      res.write(half, () => setTimeout(() => res.socket?.destroy(), 5));
      this.out.count('reset');
    } else {
      res.writeHead(out.status, { ...headers, 'Content-Type': JSON_TYPE });
      res.end(half);
      this.out.count(String(out.status));
    }
  }
}
