import { describe, expect, it } from 'vitest';
import { HEARTBEAT_MS, RateLimitWaitTooLong, RatePacer, parseRateLimitHeaders, retryAfterTime } from './rate-pacer.js';

/** A pacer on a virtual clock: sleeping advances the clock and is recorded. */
function virtualPacer(
  startMs: number,
  onWait?: (resetAtMs: number) => void,
): { pacer: RatePacer; sleeps: number[]; clock: { now: number } } {
  const clock = { now: startMs };
  const sleeps: number[] = [];
  const pacer = new RatePacer({
    onWait,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
  });
  return { pacer, sleeps, clock };
}

describe('RatePacer', () => {
  it('paced turns go round-robin between lanes: one request of a walk is not paced behind twenty of a fan-out', async () => {
    const { pacer, clock } = virtualPacer(1_000_000);
    // 100 left for 1 s: one request every 10 ms.
    pacer.update({ limit: 1000, remaining: 100, resetAtMs: 1_001_000 });
    const order: string[] = [];
    const turns = Array.from({ length: 20 }, (_, i) =>
      pacer.acquire(60_000, 'conversation_parts').then(() => order.push(`part${i}`)),
    );
    turns.push(pacer.acquire(60_000, 'companies').then(() => order.push('scroll page')));
    await Promise.all(turns);
    // part0 was already being paced and part1's lane was first in the rotation; then the walk's turn.
    expect(order.indexOf('scroll page')).toBe(2);
    expect(order.filter((o) => o !== 'scroll page')).toEqual(Array.from({ length: 20 }, (_, i) => `part${i}`));
    // Still paced: 21 turns, 10 ms apart.
    expect(clock.now).toBeGreaterThanOrEqual(1_000_000 + 20 * 10 - 1);
  });

  it("takes the requests sent after an answer's own request off its Remaining (they were in flight when it answered)", async () => {
    const { pacer, clock } = virtualPacer(1_000_000);
    // No window known yet: three requests go at once.
    await pacer.acquire();
    const ticket = pacer.sent;
    await pacer.acquire();
    await pacer.acquire();
    // The first one's answer opens the window with 3 left, but the other two were sent after it.
    pacer.update({ limit: 5, remaining: 3, resetAtMs: 1_010_000 }, ticket);
    await pacer.acquire();
    expect(clock.now).toBeLessThan(1_010_000);
    // That was the last one of the window: the next waits for the reset.
    await pacer.acquire();
    expect(clock.now).toBeGreaterThanOrEqual(1_010_000);
  });

  it("sends without spacing while more than half the window's limit is left, then spreads the rest until the reset", async () => {
    const { pacer, clock } = virtualPacer(1_000_000);
    pacer.update({ limit: 100, remaining: 80, resetAtMs: 1_010_000 });
    const sentAt: number[] = [];
    for (let i = 0; i < 40; i++) {
      await pacer.acquire(60_000);
      sentAt.push(clock.now - 1_000_000);
    }
    // 80 -> 50 left: thirty requests at once (an incremental sync's few hundred in a 1,666 window).
    expect(sentAt.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => 0));
    // Then the last 50 share the 10 s to the reset, about 200 ms apart.
    expect(sentAt[30]).toBeCloseTo(10_000 / 51, 3);
    for (let i = 31; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(190);
    // The window's budget lasts to its reset: the last of the 80 goes shortly before it.
    for (let i = 0; i < 40; i++) await pacer.acquire(60_000);
    expect(clock.now).toBeLessThanOrEqual(1_010_000);
    expect(clock.now).toBeGreaterThan(1_009_000);
  });

  it('paces every request when the headers give no limit (no share of it can be sent at once)', async () => {
    const { pacer, clock } = virtualPacer(1_000_000);
    pacer.update({ remaining: 80, resetAtMs: 1_010_000 });
    await pacer.acquire(60_000);
    await pacer.acquire(60_000);
    expect(clock.now).toBe(1_000_000 + 125);
  });

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

  it('waits for an exhausted budget in slices of at most 30 s, a heartbeat each, and reports the time waited', async () => {
    const beats: number[] = [];
    const { pacer, sleeps, clock } = virtualPacer(1_000_000, (reset) => beats.push(reset));
    pacer.update({ limit: 100, remaining: 0, resetAtMs: 1_100_000 });
    const waited = await pacer.acquire(200_000);
    expect(clock.now).toBeGreaterThanOrEqual(1_100_000);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(HEARTBEAT_MS);
    expect(waited).toBe(100_050);
    expect(beats.length).toBe(Math.ceil(100_050 / HEARTBEAT_MS));
  });

  it('refuses, without sleeping, a wait longer than the bound (a reset an hour or a century ahead)', async () => {
    for (const resetAtMs of [1_000_000 + 3_600_000, 99_999_999_999_000]) {
      const { pacer, sleeps } = virtualPacer(1_000_000);
      pacer.update({ limit: 100, remaining: 0, resetAtMs });
      const err = await pacer.acquire(900_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitWaitTooLong);
      expect((err as RateLimitWaitTooLong).resetAtMs).toBe(resetAtMs);
      expect(sleeps).toEqual([]);
    }
  });

  it('never spreads requests over more than one 10 s window, whatever the reset says', async () => {
    const { pacer, sleeps } = virtualPacer(1_000_000);
    pacer.update({ limit: 100, remaining: 2, resetAtMs: 1_000_000 + 3_600_000 });
    await pacer.acquire(60_000);
    await pacer.acquire(60_000);
    expect(sleeps.every((ms) => ms <= 10_000)).toBe(true);
  });
});

describe('rate-limit headers', () => {
  const now = 1_750_000_000_000;
  it('reads X-RateLimit-Reset as Unix seconds, milliseconds or seconds from now by its size', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '1750000010' }, now).resetAtMs).toBe(1_750_000_010_000);
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '1750000010000' }, now).resetAtMs).toBe(1_750_000_010_000);
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '10' }, now).resetAtMs).toBe(now + 10_000);
  });

  it('ignores non-numeric, empty, non-positive and partly numeric values', () => {
    for (const value of ['soon', '', '0', '-5', '12abc', 'NaN', 'Infinity', '1e400']) {
      expect(parseRateLimitHeaders({ 'x-ratelimit-reset': value, 'x-ratelimit-remaining': value }, now)).toEqual({
        limit: undefined,
        remaining: value === '0' ? 0 : undefined,
        resetAtMs: undefined,
      });
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterTime({ 'retry-after': '120' }, now)).toBe(now + 120_000);
    expect(retryAfterTime({ 'retry-after': new Date(now + 5000).toUTCString() }, now)).toBe(now + 5000);
    expect(retryAfterTime({ 'retry-after': 'whenever' }, now)).toBeUndefined();
  });
});
