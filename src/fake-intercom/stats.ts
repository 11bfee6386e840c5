/** The fake's request statistics (GET /__fake/stats) and its per-token rate-limit windows. */
import type { FakeStats } from './types.js';

/** X-RateLimit-Limit sent when no budget is configured. */
export const UNLIMITED_RATE = 1_000_000;

export function newStats(): FakeStats {
  return {
    totalRequests: 0,
    byRoute: {},
    latencyMsByRoute: {},
    byStatus: {},
    rateLimited: 0,
    faultsInjected: 0,
    currentInFlight: 0,
    maxInFlight: 0,
    windows: [],
    autoMutations: 0,
  };
}

/** Counts a request in its wall-clock aligned 10 s window (the last hour of windows is kept). */
export function countWindow(stats: FakeStats): void {
  const start = Math.floor(Date.now() / 10_000) * 10;
  const last = stats.windows[stats.windows.length - 1];
  if (last && last.start === start) last.count++;
  else {
    stats.windows.push({ start, count: 1 });
    if (stats.windows.length > 360) stats.windows.shift();
  }
}

export function countStatus(stats: FakeStats, k: string): void {
  stats.byStatus[k] = (stats.byStatus[k] ?? 0) + 1;
}

/** Requests per token in wall-clock aligned 10 s windows; `ratePer10s` 0 = unlimited. */
export class RateLimiter {
  private readonly windowsByToken = new Map<string, { start: number; count: number }>();

  constructor(private readonly ratePer10s: number) {}

  /** Accounts the request in the token's window: the headers to send and whether it is over budget. */
  account(tok: string): { headers: Record<string, string>; over: boolean } {
    const start = Math.floor(Date.now() / 10_000) * 10;
    let w = this.windowsByToken.get(tok);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windowsByToken.set(tok, w);
    }
    w.count++;
    const limit = this.ratePer10s || UNLIMITED_RATE;
    return {
      headers: {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': String(Math.max(0, limit - w.count)),
        'X-RateLimit-Reset': String(start + 10),
      },
      over: this.ratePer10s > 0 && w.count > this.ratePer10s,
    };
  }
}
