/**
 * Virtual clock of the fake: starts at `now` (unix seconds) and advances with wall time.
 * `advance()` lets tests jump ahead (index lag, 90-day windows) without sleeping.
 * Rate-limit windows and scroll expiry use the real wall clock instead.
 */
export class Clock {
  private readonly startMs = Date.now();
  private offset = 0;
  constructor(readonly base: number) {}
  now(): number {
    return this.base + Math.floor((Date.now() - this.startMs) / 1000) + this.offset;
  }
  advance(seconds: number): number {
    this.offset += Math.trunc(seconds);
    return this.now();
  }
}

export const DAY = 86_400;
