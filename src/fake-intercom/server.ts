/**
 * Fake Intercom REST API server (plain node:http) for end-to-end tests, benchmarks and demos.
 *
 * Request pipeline (API routes): count stats -> latency wait (counted as in flight) ->
 * mutateEvery -> rate-limit window accounting -> Intercom-Version check -> bearer auth ->
 * 429 when over budget -> injected faults -> route handler.
 * Control endpoints under /__fake/ need no auth and are neither rate-limited nor counted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from './clock.js';
import { Rng, hash32 } from './rng.js';
import { Api, ApiError } from './routes.js';
import { shapesForSeed } from './shapes.js';
import type { RequestContext, RouteResult } from './routes.js';
import type {
  FakeIntercomOptions,
  FakeStats,
  FaultRule,
  GroundTruth,
  MutateEvery,
  MutationResult,
  MutationSpec,
  RecordRewrite,
  WorkspaceSize,
} from './types.js';
import { DEFAULT_SIZE, Workspace } from './workspace.js';
import { FakeWrites } from './writes.js';
import type { Json } from './workspace.js';

export interface FakeIntercom {
  url: string;
  close(): Promise<void>;
  workspace: Workspace;
  /** Everything written through the write endpoints (destination tests assert on it). */
  writes: FakeWrites;
  stats: FakeStats;
  setFaults(rules: FaultRule[]): void;
  mutate(opts: MutationSpec): MutationResult;
  resetStats(): void;
  /** Starts/stops automatic mutations every N API requests. */
  setMutateEvery(m: MutateEvery | null): void;
  /** Moves the fake's virtual clock forward (index lag, 90-day windows) and returns the new "now". */
  advanceTime(seconds: number): number;
  /** The fake's current virtual time (unix seconds). */
  now(): number;
  groundTruth(): GroundTruth;
}

export const SUPPORTED_VERSIONS = ['2.14', '2.15'];
/** X-RateLimit-Limit sent when no budget is configured. */
export const UNLIMITED_RATE = 1_000_000;

interface FaultState {
  rule: FaultRule;
  re: RegExp | null;
  seen: number;
  hits: number;
}

const STATUS_CODES: Record<number, [string, string]> = {
  400: ['parameter_invalid', 'Bad Request'],
  401: ['unauthorized', 'Access Token Invalid'],
  403: ['api_plan_restricted', 'Active subscription needed.'],
  404: ['not_found', 'Resource Not Found'],
  409: ['conflict', 'Conflict'],
  422: ['parameter_invalid', 'Unprocessable Entity'],
  429: ['rate_limit_exceeded', 'Rate Limit Exceeded'],
  500: ['server_error', 'Request failed due to an internal network error. Please restart the scroll operation.'],
  502: ['bad_gateway', 'Bad Gateway'],
  503: ['service_unavailable', 'Service Unavailable'],
  504: ['gateway_timeout', 'Gateway Timeout'],
};

function newStats(): FakeStats {
  return {
    totalRequests: 0,
    byRoute: {},
    byStatus: {},
    rateLimited: 0,
    faultsInjected: 0,
    currentInFlight: 0,
    maxInFlight: 0,
    windows: [],
    autoMutations: 0,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function compileFault(rule: FaultRule): FaultState {
  const r = rule.route;
  let re: RegExp | null = null;
  if (r !== undefined) {
    if (/^[A-Z]+ \/[\w\-./{}]*$/.test(r)) {
      // 'METHOD /path' (exact) or 'METHOD /path/{param}' (template)
      if (r.includes('{')) re = new RegExp('^' + r.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$');
    } else {
      re = new RegExp(r);
    }
  }
  return { rule, re, seen: 0, hits: 0 };
}

export async function startFakeIntercom(opts: FakeIntercomOptions = {}): Promise<FakeIntercom> {
  const seed = opts.seed ?? 1;
  const token = opts.token ?? 'fake-token';
  const clock = new Clock(opts.now ?? Math.floor(Date.now() / 1000));
  const size: WorkspaceSize = { ...DEFAULT_SIZE, ...(opts.size ?? {}) };
  const workspace = new Workspace({ seed, now: clock.base, size, clock, indexLagSeconds: opts.indexLagSeconds ?? 0 });
  const shapes = opts.shapes === 'seed' ? shapesForSeed(seed) : opts.shapes;
  const api = new Api(workspace, {
    scrollIdleSeconds: opts.scrollIdleSeconds ?? 60,
    // With shapes, the scroll pages are as small as the lists' (several pages per walk).
    scrollPageSize: opts.scrollPageSize ?? shapes?.pageSize ?? 50,
    activityLogMaxWindowDays: opts.activityLogMaxWindowDays ?? 30,
    ...(shapes ? { shapes } : {}),
  });
  const writes = new FakeWrites(workspace);
  if (opts.prerender) api.prerender();
  const latencyMs = opts.latencyMs ?? 0;
  const jitterMs = opts.jitterMs ?? 0;
  const ratePer10s = opts.ratePer10s && opts.ratePer10s > 0 ? opts.ratePer10s : 0;
  const stats = newStats();
  const faultRng = new Rng(hash32(seed, 'faults'));
  const jitterRng = new Rng(hash32(seed, 'jitter'));
  let faults: FaultState[] = (opts.faults ?? []).map(compileFault);
  let mutateEvery: MutateEvery | null = opts.mutateEvery ?? null;
  let apiRequestCounter = 0;
  let requestIdCounter = 0;
  const windowsByToken = new Map<string, { start: number; count: number }>();
  const hanging = new Set<http.ServerResponse>();

  const requestId = (): string => {
    const h = (hash32(seed, 'rid', ++requestIdCounter) >>> 0).toString(16).padStart(8, '0');
    return `${h}-${(requestIdCounter & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
  };
  const errorBody = (code: string, message: string, field?: string): Json => {
    const err: Json = { code, message };
    if (field !== undefined) err['field'] = field;
    return { type: 'error.list', request_id: requestId(), errors: [err] };
  };

  const countWindow = (): void => {
    const start = Math.floor(Date.now() / 10_000) * 10;
    const last = stats.windows[stats.windows.length - 1];
    if (last && last.start === start) last.count++;
    else {
      stats.windows.push({ start, count: 1 });
      if (stats.windows.length > 360) stats.windows.shift();
    }
  };

  /** Accounts the request in the token's wall-clock aligned 10 s window. */
  const rateLimit = (tok: string): { headers: Record<string, string>; over: boolean } => {
    const start = Math.floor(Date.now() / 10_000) * 10;
    let w = windowsByToken.get(tok);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      windowsByToken.set(tok, w);
    }
    w.count++;
    const limit = ratePer10s || UNLIMITED_RATE;
    return {
      headers: {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': String(Math.max(0, limit - w.count)),
        'X-RateLimit-Reset': String(start + 10),
      },
      over: ratePer10s > 0 && w.count > ratePer10s,
    };
  };

  const pickFault = (key: string): FaultRule | null => {
    for (const f of faults) {
      const matches = f.rule.route === undefined || (f.re ? f.re.test(key) : f.rule.route === key);
      if (!matches) continue;
      const times = f.rule.times ?? 1;
      if (times >= 0 && f.hits >= times) continue;
      f.seen++;
      if (f.seen <= (f.rule.after ?? 0)) continue;
      if (f.rule.probability !== undefined && faultRng.next() >= f.rule.probability) continue;
      f.hits++;
      return f.rule;
    }
    return null;
  };

  const countStatus = (k: string): void => {
    stats.byStatus[k] = (stats.byStatus[k] ?? 0) + 1;
  };

  /** The exact body of a route's answer (hot routes hand over pre-serialized bytes). */
  const bodyText = (out: RouteResult): string | Buffer => ('bytes' in out ? out.bytes : JSON.stringify(out.body));

  const sendJson = (res: http.ServerResponse, status: number, body: Json, headers: Record<string, string>): void =>
    sendResult(res, { status, body }, headers);

  const sendResult = (res: http.ServerResponse, out: RouteResult, headers: Record<string, string>): void => {
    const status = out.status;
    if (status === 202 || status === 204) {
      // Accepted / no content: no body (POST /events).
      res.writeHead(status, headers).end();
      countStatus(String(status));
      return;
    }
    const txt = bodyText(out);
    const contentType = ('bytes' in out && out.contentType) || 'application/json; charset=utf-8';
    res.writeHead(status, {
      ...headers,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(txt)),
    });
    res.end(txt);
    countStatus(String(status));
    if (status === 429) stats.rateLimited++;
  };

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  let baseUrl = '';

  const handleControl = async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = null;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : null;
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid JSON' }));
      return;
    }
    const reply = (status: number, payload: unknown): void => {
      const txt = JSON.stringify(payload);
      res
        .writeHead(status, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': String(Buffer.byteLength(txt)),
        })
        .end(txt);
    };
    try {
      if (method === 'GET' && path === '/__fake/stats') return reply(200, stats);
      if (method === 'GET' && path === '/__fake/ids') return reply(200, workspace.groundTruth());
      if (method === 'GET' && path === '/__fake/now') return reply(200, { now: clock.now() });
      if (method === 'POST' && path === '/__fake/faults') {
        if (!Array.isArray(body)) return reply(400, { error: 'body must be an array of FaultRule' });
        handle.setFaults(body as FaultRule[]);
        return reply(200, { ok: true, faults: body.length });
      }
      if (method === 'POST' && path === '/__fake/mutate') {
        if (typeof body !== 'object' || body === null) return reply(400, { error: 'body must be a MutationSpec' });
        return reply(200, handle.mutate(body as MutationSpec));
      }
      if (method === 'POST' && path === '/__fake/mutate-every') {
        handle.setMutateEvery(body === null ? null : (body as MutateEvery));
        return reply(200, { ok: true });
      }
      if (method === 'POST' && path === '/__fake/reset-stats') {
        handle.resetStats();
        return reply(200, { ok: true });
      }
      if (method === 'POST' && path === '/__fake/advance-time') {
        const secs = (body as { seconds?: unknown } | null)?.seconds;
        if (typeof secs !== 'number') return reply(400, { error: 'body must be {"seconds": number}' });
        return reply(200, { now: handle.advanceTime(secs) });
      }
      return reply(404, { error: `unknown control endpoint ${method} ${path}` });
    } catch (e) {
      return reply(400, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const route = writes.match(method, path) ?? api.match(method, path);
    stats.totalRequests++;
    stats.byRoute[route.template] = (stats.byRoute[route.template] ?? 0) + 1;
    countWindow();
    stats.currentInFlight++;
    if (stats.currentInFlight > stats.maxInFlight) stats.maxInFlight = stats.currentInFlight;
    let done = false;
    res.on('close', () => {
      if (!done) {
        done = true;
        stats.currentInFlight--;
      }
      hanging.delete(res);
    });

    // Counted on arrival, like the stats windows: a request belongs to the window it arrived in.
    const auth = req.headers['authorization'] ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? '';
    const rl = rateLimit(presented);
    const headers = rl.headers;

    const raw = await readBody(req);
    const delay = latencyMs + (jitterMs > 0 ? (jitterRng.next() * 2 - 1) * jitterMs : 0);
    if (delay > 0) await sleep(Math.max(0, delay));
    if (res.destroyed) return;

    apiRequestCounter++;
    if (mutateEvery && mutateEvery.requests > 0 && apiRequestCounter % mutateEvery.requests === 0) {
      workspace.mutate(mutateEvery.spec);
      stats.autoMutations++;
    }

    const version = req.headers['intercom-version'];
    if (typeof version !== 'string' || !SUPPORTED_VERSIONS.includes(version.trim())) {
      return sendJson(
        res,
        400,
        errorBody(
          'intercom_version_invalid',
          version === undefined
            ? 'Intercom-Version header is required'
            : `Requested version ${String(version)} is not valid`,
        ),
        headers,
      );
    }
    if (presented !== token) return sendJson(res, 401, errorBody('unauthorized', 'Access Token Invalid'), headers);
    if (rl.over) return sendJson(res, 429, errorBody('rate_limit_exceeded', 'Rate Limit Exceeded'), headers);

    const fault = pickFault(`${method} ${path}`);
    if (fault) {
      stats.faultsInjected++;
      switch (fault.kind) {
        case 'status': {
          const status = fault.status ?? 500;
          const [code, message] = STATUS_CODES[status] ?? ['server_error', `HTTP ${status}`];
          if (route.template === 'GET /companies/scroll' && status >= 500) api.resetScroll();
          return sendJson(res, status, errorBody(code, message), headers);
        }
        case '429':
          return sendJson(
            res,
            429,
            errorBody('rate_limit_exceeded', 'Rate Limit Exceeded'),
            fault.withHeaders === false ? {} : { ...headers, 'X-RateLimit-Remaining': '0' },
          );
        case 'hang':
          hanging.add(res);
          countStatus('hang');
          return;
        case 'malformed': {
          const txt = '<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>';
          res.writeHead(200, {
            ...headers,
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': String(Buffer.byteLength(txt)),
          });
          res.end(txt);
          countStatus('200');
          return;
        }
        case 'reset':
        case 'truncate':
        case 'records':
          break; // need the real body first
      }
    }

    let out: RouteResult;
    try {
      if (!route.run) throw new ApiError(404, 'not_found', 'Resource Not Found');
      let parsed: unknown = undefined;
      if (raw.trim() !== '') {
        try {
          parsed = JSON.parse(raw) as unknown;
        } catch {
          throw new ApiError(400, 'parameter_invalid', 'The request body is not valid JSON');
        }
      }
      const ctx: RequestContext = {
        method,
        path,
        query: url.searchParams,
        body: parsed,
        baseUrl,
        accept: req.headers.accept,
      };
      out = route.run(ctx);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      out = { status: e.status, body: errorBody(e.code, e.message, e.field) };
    }
    const status = out.status;
    if (fault?.kind === 'records' && status === 200)
      out = { status, body: rewriteRecords(JSON.parse(bodyText(out).toString()) as Json, fault.records ?? []) };

    if (fault && (fault.kind === 'reset' || fault.kind === 'truncate')) {
      const txt = Buffer.from(bodyText(out));
      const half = txt.subarray(0, Math.max(1, Math.floor(txt.length / 2)));
      if (fault.kind === 'reset') {
        // Full Content-Length announced, half the body sent, then the socket is destroyed.
        res.writeHead(status, {
          ...headers,
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': String(txt.length),
        });
        res.write(half, () => setTimeout(() => res.socket?.destroy(), 5));
        countStatus('reset');
      } else {
        // Chunked response that ends cleanly after half of the JSON.
        res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
        res.end(half);
        countStatus(String(status));
      }
      return;
    }
    sendResult(res, out, headers);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname.startsWith('/__fake/') ? handleControl(req, res, url.pathname) : handleApi(req, res, url);
    p.catch((e: unknown) => {
      if (!res.headersSent) {
        const txt = JSON.stringify({
          type: 'error.list',
          request_id: requestId(),
          errors: [{ code: 'server_error', message: e instanceof Error ? e.message : String(e) }],
        });
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(txt);
        countStatus('500');
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;

  const handle: FakeIntercom = {
    url: baseUrl,
    workspace,
    writes,
    stats,
    async close() {
      for (const r of hanging) r.socket?.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    setFaults(rules: FaultRule[]) {
      faults = rules.map(compileFault);
    },
    mutate(spec: MutationSpec) {
      return workspace.mutate(spec);
    },
    resetStats() {
      const fresh = newStats();
      fresh.currentInFlight = stats.currentInFlight;
      fresh.maxInFlight = stats.currentInFlight;
      Object.assign(stats, fresh);
    },
    setMutateEvery(m: MutateEvery | null) {
      mutateEvery = m;
    },
    advanceTime(seconds: number) {
      return clock.advance(seconds);
    },
    now() {
      return clock.now();
    },
    groundTruth() {
      return workspace.groundTruth();
    },
  };
  return handle;
}

/** Kind 'records': a hostile rewrite of the records in a list answer (the first array of objects). */
function rewriteRecords(body: Json, rewrites: RecordRewrite[]): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const list = Object.values(body as Record<string, Json>).find((v) => Array.isArray(v)) as Json[] | undefined;
  if (list) for (const spec of rewrites) rewriteList(list, spec);
  return body;
}

function rewriteList(list: Json[], spec: RecordRewrite): void {
  // Matched before any rewrite: a rewrite may remove the id itself.
  const matched = list.filter(
    (item) => item && typeof item === 'object' && spec.ids?.includes(String((item as Record<string, Json>).id)),
  );
  for (const item of matched) {
    const record = item as Record<string, Json>;
    for (const field of spec.unset ?? []) delete record[field];
    Object.assign(record, spec.set ?? {});
  }
  for (let i = 0; i < (spec.nulls ?? 0); i++) (list as unknown[]).push(null);
}
