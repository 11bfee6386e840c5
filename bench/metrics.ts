/** Figures derived from one connector run: budget ratios, window use, per-stream rates. */
import type { WindowCount } from '../src/fake-intercom/types.js';
import { budgetUse, drawnLatencySeconds, type BudgetUse, type LatencyBound } from './bounds.js';
import type { ConnectorRunResult } from './connector-run.js';
import type { CpuVersusFloor, FloorTiming } from './floor.js';
import { streamRate } from './output-scanner.js';

const WINDOW_SEC = 10;

export interface WindowUse {
  /** Mean of count / budget over the full windows between the first and the last request. */
  mean: number;
  min: number;
  /** Share of those windows at ≥ 90 % of the budget. */
  atLeast90: number;
  windows: number;
}

/**
 * Budget use while work remained: the windows strictly between the first and the last window that
 * saw a request (both of those are partial), with windows that saw no request counted as 0.
 */
export function windowUse(
  windows: WindowCount[],
  budgetPer10s: number,
  fromSec?: number,
  toSec?: number,
): WindowUse | undefined {
  if (budgetPer10s <= 0 || windows.length === 0) return undefined;
  const byStart = new Map(windows.map((w) => [w.start, w.count]));
  let first = windows[0]!.start;
  let last = windows[windows.length - 1]!.start;
  // A phase: only windows that lie entirely inside [fromSec, toSec).
  if (fromSec !== undefined) first = Math.max(first, Math.ceil(fromSec / WINDOW_SEC) * WINDOW_SEC - WINDOW_SEC);
  if (toSec !== undefined) last = Math.min(last, Math.floor(toSec / WINDOW_SEC) * WINDOW_SEC);
  const uses: number[] = [];
  for (let start = first + WINDOW_SEC; start < last; start += WINDOW_SEC)
    uses.push((byStart.get(start) ?? 0) / budgetPer10s);
  if (uses.length === 0) return undefined;
  return {
    mean: uses.reduce((a, b) => a + b, 0) / uses.length,
    min: Math.min(...uses),
    atLeast90: uses.filter((u) => u >= 0.9).length / uses.length,
    windows: uses.length,
  };
}

/** What the bench knew about a run beyond the run itself: the workspace's bounds and the CPU floor. */
export interface RunInfo {
  /** Workspace size factor of the run's scenario. */
  scale?: number;
  /** The bench's estimate of the requests the sync needs at least (scenarios.ts estimateRequests). */
  neededRequests?: number;
  latency?: LatencyBound;
  /** CPU-floor sub-runs: the stream measured, its floor timing and the connector's CPU against it. */
  floor?: { stream: string; timing: FloorTiming; vs?: CpuVersusFloor; startupCpuSec: number };
}

export interface RunFigures {
  requests: number;
  rateLimited: number;
  /** Requests the budget allowed during the wall time. */
  allowed?: number;
  /** (requests − 429s) at the budget rate: no connector making these requests can be faster. */
  lowerBoundSec?: number;
  /** The longest unavoidable chain of dependent requests × mean latency (bounds.ts). */
  latencyBoundSec?: number;
  /** The same chain × the latency the fake drew for its requests in this run (bounds.ts drawnLatencySeconds). */
  drawnLatencyBoundSec?: number;
  /** max(budget bound, latency bound with the latency drawn, else with the mean). */
  boundSec?: number;
  /** True when the budget bound is the larger one: the budget, not latency, limits the sync. */
  budgetBinds: boolean;
  /** Budget use over every window the run overlapped, partial ones pro rata (bounds.ts budgetUse). */
  budgetUse?: BudgetUse;
  /** The full windows between the first and last request (the older figure; windows ≥ 90 %). */
  use?: WindowUse;
  recordsPerSec: number;
  cpuShare: number;
}

export function figures(run: ConnectorRunResult, info: RunInfo = {}): RunFigures {
  const requests = run.fakeStats.totalRequests;
  const rateLimited = run.fakeStats.rateLimited;
  const perSec = run.budgetPer10s / WINDOW_SEC;
  const lowerBoundSec = run.budgetPer10s > 0 ? (requests - rateLimited) / perSec : undefined;
  const latencyBoundSec = info.latency?.seconds;
  const drawnLatencyBoundSec = info.latency ? drawnLatencySeconds(info.latency, run.fakeStats) : undefined;
  const latencySec = drawnLatencyBoundSec ?? latencyBoundSec;
  const bounds = [lowerBoundSec, latencySec].filter((x): x is number => x !== undefined && x > 0);
  return {
    requests,
    rateLimited,
    allowed: run.budgetPer10s > 0 ? perSec * run.wallSec : undefined,
    lowerBoundSec,
    latencyBoundSec,
    drawnLatencyBoundSec,
    boundSec: bounds.length ? Math.max(...bounds) : undefined,
    budgetBinds: lowerBoundSec !== undefined && lowerBoundSec >= (latencySec ?? 0),
    budgetUse: budgetUse(run.windows, run.budgetPer10s, run.startedAtMs, run.startedAtMs + run.wallSec * 1000),
    use: windowUse(run.windows, run.budgetPer10s),
    recordsPerSec: run.scan.totalRecords / run.wallSec,
    cpuShare: run.cpuSec / run.wallSec,
  };
}

export interface PhaseUse {
  streams: string[];
  seconds: number;
  records: number;
  use?: WindowUse;
  /** Largest VmRSS sampled during the phase, kB. */
  maxRssKb?: number;
}

/**
 * Budget use per reader phase (streams read in the same pass start and complete together): shows
 * which part of a sync leaves the budget idle.
 */
export function phaseUse(run: ConnectorRunResult): PhaseUse[] {
  const phases: { start: number; end: number; streams: string[]; records: number }[] = [];
  for (const [name, t] of run.scan.streams) {
    if (t.startedMs === undefined || t.completeMs === undefined) continue;
    const same = phases.find((p) => Math.abs(p.start - t.startedMs!) < 250 && Math.abs(p.end - t.completeMs!) < 250);
    if (same) {
      same.streams.push(name);
      same.records += t.records;
    } else phases.push({ start: t.startedMs, end: t.completeMs, streams: [name], records: t.records });
  }
  phases.sort((a, b) => a.start - b.start);
  return phases.map((p) => ({
    streams: p.streams,
    seconds: (p.end - p.start) / 1000,
    records: p.records,
    use: windowUse(run.windows, run.budgetPer10s, (run.startedAtMs + p.start) / 1000, (run.startedAtMs + p.end) / 1000),
    maxRssKb: run.rssTimeline
      .filter(([ms]) => ms >= p.start && ms <= p.end + 100)
      .reduce<number | undefined>((m, [, kb]) => Math.max(m ?? 0, kb), undefined),
  }));
}

export function streamRates(
  run: ConnectorRunResult,
): Map<string, { records: number; perSec?: number; seconds?: number }> {
  const out = new Map<string, { records: number; perSec?: number; seconds?: number }>();
  for (const [name, t] of run.scan.streams) {
    const rate = streamRate(t);
    out.set(name, { records: t.records, perSec: rate?.perSec, seconds: rate?.seconds });
  }
  return out;
}
