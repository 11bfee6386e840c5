/**
 * Paces requests from Intercom's own rate-limit headers so the window's budget lasts until its
 * reset, instead of bursting into 429s. Generic limiter libraries (p-throttle, bottleneck) count
 * against a fixed local quota; Intercom's budget is shared with other apps and only the response
 * headers tell what is left, so the pacing decision has to be driven by them.
 *
 * Intercom enforces limits per 10-second window. A user cap (max_requests_per_minute) is applied
 * the same way: cap / 6 per wall-clock 10-second window.
 */
export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  /** Unix milliseconds when the window resets. */
  resetAtMs?: number;
}

export interface PacerOptions {
  maxRequestsPerMinute?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called when the pacer has to wait for a window reset (for heartbeats / RATE_LIMITED). */
  onWait?: (resetAtMs: number) => void;
}

const WINDOW_MS = 10_000;
/** Below this gap between requests, pacing is pointless (see take()). */
const MIN_GAP_MS = 2;

export class RatePacer {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Server window as last reported, minus what we sent since. */
  private serverResetAtMs = 0;
  private serverRemaining = Number.POSITIVE_INFINITY;
  /** Local cap window. */
  private capWindowStart = 0;
  private capUsed = 0;
  private readonly capPerWindow: number | undefined;
  private nextSendAtMs = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PacerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.capPerWindow = opts.maxRequestsPerMinute ? Math.max(1, Math.floor(opts.maxRequestsPerMinute / 6)) : undefined;
  }

  /** Resolves when one more request may be sent. Calls are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Feed every response's headers back. */
  update(headers: RateLimitHeaders): void {
    if (headers.remaining === undefined || headers.resetAtMs === undefined) return;
    if (headers.resetAtMs > this.serverResetAtMs) {
      this.serverResetAtMs = headers.resetAtMs;
      this.serverRemaining = headers.remaining;
    } else if (headers.resetAtMs === this.serverResetAtMs) {
      this.serverRemaining = Math.min(this.serverRemaining, headers.remaining);
    }
  }

  /**
   * After a 429: nothing more until the reset. A 429 of a window older than the latest one the
   * headers reported says nothing about the current budget and is ignored.
   */
  exhaustedUntil(resetAtMs: number): void {
    if (resetAtMs < this.serverResetAtMs) return;
    this.serverResetAtMs = resetAtMs;
    this.serverRemaining = 0;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      const capWait = this.capWaitMs(now);
      if (capWait > 0) {
        this.opts.onWait?.(now + capWait);
        await this.sleep(capWait);
        continue;
      }
      if (now >= this.serverResetAtMs) {
        // The reported window is over: the next response tells the new budget.
        this.serverRemaining = Number.POSITIVE_INFINITY;
        this.nextSendAtMs = 0;
      } else if (this.serverRemaining <= 0) {
        const wait = this.serverResetAtMs - now + 50;
        this.opts.onWait?.(this.serverResetAtMs);
        await this.sleep(wait);
        continue;
      } else if (now < this.nextSendAtMs) {
        await this.sleep(this.nextSendAtMs - now);
        continue;
      }
      this.take(now);
      return;
    }
  }

  private capWaitMs(now: number): number {
    if (this.capPerWindow === undefined) return 0;
    const windowStart = now - (now % WINDOW_MS);
    if (windowStart !== this.capWindowStart) {
      this.capWindowStart = windowStart;
      this.capUsed = 0;
    }
    return this.capUsed >= this.capPerWindow ? windowStart + WINDOW_MS - now + 5 : 0;
  }

  private take(now: number): void {
    if (this.capPerWindow !== undefined) this.capUsed++;
    if (Number.isFinite(this.serverRemaining)) {
      // Spread what is left evenly over the rest of the window. A gap under MIN_GAP_MS means the
      // budget cannot run out at any speed we reach: a timer per request would only serialise
      // requests behind timer ticks (measured: twice the wall time with a large budget).
      const interval = (this.serverResetAtMs - now) / Math.max(1, this.serverRemaining);
      this.serverRemaining--;
      this.nextSendAtMs = interval >= MIN_GAP_MS ? now + interval : 0;
    }
  }
}

export function parseRateLimitHeaders(headers: Record<string, string | string[] | undefined>): RateLimitHeaders {
  const num = (name: string): number | undefined => {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  };
  const reset = num('x-ratelimit-reset');
  return { limit: num('x-ratelimit-limit'), remaining: num('x-ratelimit-remaining'), resetAtMs: reset === undefined ? undefined : reset * 1000 };
}
