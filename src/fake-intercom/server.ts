/**
 * Fake Intercom REST API server (plain node:http) for end-to-end tests, benchmarks and demos.
 *
 * API requests go through the pipeline (pipeline.ts: stats, latency, rate limit, version, auth,
 * faults, route); control endpoints under /__fake/ (control.ts) need no auth and are neither
 * rate-limited nor counted. The routes are the object modules' (routes.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from './clock.js';
import { handleControl } from './control.js';
import { Faults } from './faults.js';
import { ApiPipeline } from './pipeline.js';
import { Responder } from './responder.js';
import { Api } from './routes.js';
import { shapesForSeed } from './shapes.js';
import { RateLimiter, newStats } from './stats.js';
import type {
  FakeIntercomOptions,
  FakeStats,
  FaultRule,
  GroundTruth,
  MutateEvery,
  MutationResult,
  MutationSpec,
  WorkspaceSize,
} from './types.js';
import { DEFAULT_SIZE, Workspace } from './workspace.js';
import { FakeWrites } from './writes.js';

export { SUPPORTED_VERSIONS } from './pipeline.js';
export { UNLIMITED_RATE } from './stats.js';

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

/** The workspace and its routes, as the options say. */
function buildApi(opts: FakeIntercomOptions, seed: number, clock: Clock): Api {
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
  if (opts.prerender) api.prerender();
  return api;
}

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function startFakeIntercom(opts: FakeIntercomOptions = {}): Promise<FakeIntercom> {
  const seed = opts.seed ?? 1;
  const clock = new Clock(opts.now ?? Math.floor(Date.now() / 1000));
  const api = buildApi(opts, seed, clock);
  const workspace = api.ws;
  const writes = new FakeWrites(workspace);
  const stats = newStats();
  const faults = new Faults(seed, opts.faults ?? []);
  const responder = new Responder(seed, stats);
  const pipeline = new ApiPipeline({
    ...{ seed, token: opts.token ?? 'fake-token', workspace, api, writes, stats, faults, responder },
    rateLimiter: new RateLimiter(opts.ratePer10s && opts.ratePer10s > 0 ? opts.ratePer10s : 0),
    latencyMs: opts.latencyMs ?? 0,
    jitterMs: opts.jitterMs ?? 0,
    mutateEvery: opts.mutateEvery ?? null,
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const done = url.pathname.startsWith('/__fake/')
      ? handleControl(handle, req, res, url.pathname)
      : pipeline.handle(req, res, url);
    done.catch((e: unknown) => responder.crash(res, e));
  });
  server.keepAliveTimeout = 30_000;
  const host = opts.host ?? '127.0.0.1';
  pipeline.baseUrl = `http://${host}:${await listen(server, opts.port ?? 0, host)}`;

  const handle: FakeIntercom = {
    url: pipeline.baseUrl,
    workspace,
    writes,
    stats,
    async close() {
      for (const r of pipeline.hanging) r.socket?.destroy();
      pipeline.hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    setFaults: (rules) => faults.set(rules),
    mutate: (spec) => workspace.mutate(spec),
    resetStats() {
      const fresh = newStats();
      fresh.currentInFlight = stats.currentInFlight;
      fresh.maxInFlight = stats.currentInFlight;
      Object.assign(stats, fresh);
    },
    setMutateEvery(m) {
      pipeline.mutateEvery = m;
    },
    advanceTime: (seconds) => clock.advance(seconds),
    now: () => clock.now(),
    groundTruth: () => workspace.groundTruth(),
  };
  return handle;
}
