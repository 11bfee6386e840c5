import { describe, expect, it } from 'vitest';
import { RatePacer } from './rate-pacer.js';

/** A pacer on a virtual clock: sleeping advances the clock and is recorded. */
function virtualPacer(startMs: number): { pacer: RatePacer; sleeps: number[]; clock: { now: number } } {
  const clock = { now: startMs };
  const sleeps: number[] = [];
  const pacer = new RatePacer({
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
  });
  return { pacer, sleeps, clock };
}

describe('RatePacer', () => {
  it('after a 429 of the current window, waits for its reset', async () => {
    const { pacer, clock } = virtualPacer(1_000_000);
    pacer.update({ limit: 100, remaining: 40, resetAtMs: 1_008_000 });
    pacer.exhaustedUntil(1_008_000);
    await pacer.acquire();
    expect(clock.now).toBeGreaterThanOrEqual(1_008_000);
  });

  it('ignores a 429 of a window older than the one the headers already reported (no idle window)', async () => {
    const { pacer, sleeps, clock } = virtualPacer(1_000_000);
    // A response of the new window says 1,500 are left until 1,010,000 ...
    pacer.update({ limit: 1666, remaining: 1500, resetAtMs: 1_010_000 });
    // ... then a late 429 of the previous window (reset 1,000,000) arrives.
    pacer.exhaustedUntil(1_000_000);
    await pacer.acquire();
    expect(clock.now).toBe(1_000_000);
    expect(sleeps).toEqual([]);
  });
});
