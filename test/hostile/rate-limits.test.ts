import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMINS,
  assertProtocolOnly,
  assertTokenContained,
  hits,
  hostileServer,
  json,
  recordIds,
  runConnector,
  traceErrors,
  type HostileServer,
} from './hostile.js';

/**
 * Rate-limit headers a broken or hostile server sends: every wait counts against
 * max_rate_limit_wait_seconds (3 s in these runs), absurd resets are refused rather than waited
 * for (no timer overflow, no busy loop), and unreadable ones are ignored.
 */
const servers: HostileServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

const nowS = () => Math.floor(Date.now() / 1000);

/** Page 1 honest but announcing `headers`; page 2 (if asked) answered by `second`. */
async function withHeaders(headers: () => Record<string, string>, status = 200): Promise<HostileServer> {
  const server = await hostileServer('intercom', (req, res) => {
    const next = (req.url ?? '').includes('page=2') ? null : `http://127.0.0.1:${server.port}/admins?page=2`;
    if (status === 429)
      return json(
        res,
        429,
        { type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'slow down' }] },
        headers(),
      );
    json(
      res,
      200,
      { type: 'admin.list', admins: next ? ADMINS : [{ type: 'admin', id: '3' }], pages: { next } },
      headers(),
    );
  });
  servers.push(server);
  return server;
}

function logLines(run: Awaited<ReturnType<typeof runConnector>>): number {
  return run.messages.filter(
    (m) => m.type === 'LOG' || (m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS'),
  ).length;
}

describe('hostile server: every rate-limit wait is bounded', () => {
  it.each([
    ['an hour ahead', () => String(nowS() + 3600)],
    ['99999999999 (year 5138)', () => '99999999999'],
    ['in milliseconds, an hour ahead', () => String(Date.now() + 3_600_000)],
  ])(
    'a 200 with no budget left and a reset %s stops the stream at once with the bound in the message',
    async (_label, reset) => {
      const server = await withHeaders(() => ({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset(),
      }));
      const before = hits.length;
      const run = await runConnector('airbyte', server.url, ['admins']);
      expect(recordIds(run, 'admins')).toEqual(['1', '2']);
      expect(hits.length - before).toBe(1);
      const errors = traceErrors(run);
      expect(
        errors.some((e) =>
          /rate-limit headers say the budget for GET \/admins is used up until .* max_rate_limit_wait_seconds allows 3\.0 s/.test(
            e.message,
          ),
        ),
      ).toBe(true);
      expect(errors.every((e) => e.failure_type === 'transient_error' || e.failure_type === 'system_error')).toBe(true);
      // No busy loop: a handful of LOG/status lines, not thousands.
      expect(logLines(run)).toBeLessThan(20);
      expect(run.code).toBe(1);
      assertProtocolOnly(run);
      assertTokenContained(run, ['intercom']);
    },
  );

  it('a 429 with a far reset names the wait it asked for and the real time waited (not "for 0 s")', async () => {
    const server = await withHeaders(
      () => ({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowS() + 7200) }),
      429,
    );
    const before = hits.length;
    const run = await runConnector('airbyte', server.url, ['admins']);
    expect(hits.length - before).toBe(1);
    const message = traceErrors(run)
      .map((e) => e.message)
      .join('\n');
    expect(message).toMatch(
      /answered 429 \(rate limit exceeded\) for GET \/admins and asks to wait until .* \(\d{4} s more\); this request has waited 0\.0 s so far/,
    );
    expect(message).not.toMatch(/for 0 s/);
    expect(run.code).toBe(1);
  });

  it('a 429 with a huge Retry-After is refused the same way', async () => {
    const server = await withHeaders(() => ({ 'retry-after': '4294967296' }), 429);
    const run = await runConnector('airbyte', server.url, ['admins']);
    expect(traceErrors(run).some((e) => /answered 429 .* asks to wait until/.test(e.message))).toBe(true);
    expect(logLines(run)).toBeLessThan(20);
    expect(run.code).toBe(1);
  });

  it.each([
    ['non-numeric', 'soon'],
    ['negative', '-1'],
    ['empty', ''],
  ])('a %s reset is ignored and the sync completes', async (_label, reset) => {
    const server = await withHeaders(() => ({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': reset,
    }));
    const run = await runConnector('airbyte', server.url, ['admins']);
    expect(recordIds(run, 'admins')).toEqual(['1', '2', '3']);
    expect(traceErrors(run)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('a reset a few seconds ahead within the bound is waited for, then the sync completes', async () => {
    const server = await withHeaders(() => ({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(nowS() + 1),
    }));
    const run = await runConnector('airbyte', server.url, ['admins'], { max_rate_limit_wait_seconds: 30 });
    expect(recordIds(run, 'admins')).toEqual(['1', '2', '3']);
    expect(run.code).toBe(0);
  });
});
