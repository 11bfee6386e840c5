/** Auth, versions, rate limits, injected faults, latency and stats. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom } from './index.js';
import type { FakeIntercom } from './index.js';
import { NOW, apiHeaders, expectValid, get, sleep } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let base: string;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 4,
    now: NOW,
    size: { contacts: 30, conversations: 10, tickets: 3, companies: 5 },
  });
  base = fake.url;
});
afterAll(async () => {
  await fake.close();
});

/** Waits until at least `marginMs` remain in the current wall-clock 10 s window. */
async function freshWindow(marginMs = 3_000): Promise<void> {
  const left = 10_000 - (Date.now() % 10_000);
  if (left < marginMs) await sleep(left + 20);
}

describe('auth and versions', () => {
  it('wrong or missing token -> 401; missing or unsupported Intercom-Version -> 400; 2.15 accepted', async () => {
    const wrong = await get(base, '/me', apiHeaders('nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors).toEqual([{ code: 'unauthorized', message: 'Access Token Invalid' }]);
    const missing = await get(base, '/me', { 'Intercom-Version': '2.14' });
    expect(missing.status).toBe(401);
    const noVersion = await get(base, '/me', { Authorization: 'Bearer fake-token' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.errors[0].code).toBe('intercom_version_invalid');
    expect((await get(base, '/me', apiHeaders('fake-token', '2.13'))).status).toBe(400);
    expect((await get(base, '/me', apiHeaders('fake-token', '2.15'))).status).toBe(200);
    const custom = await startFakeIntercom({ token: 'sekret', size: { contacts: 1, conversations: 1, tickets: 1 } });
    try {
      expect((await get(custom.url, '/me', apiHeaders('sekret'))).status).toBe(200);
      expect((await get(custom.url, '/me')).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe('rate limits', () => {
  it('unlimited mode still sends X-RateLimit-* headers', async () => {
    const r = await get(base, '/me');
    expect(Number(r.headers.get('x-ratelimit-limit'))).toBeGreaterThanOrEqual(100_000);
    expect(Number(r.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    const reset = Number(r.headers.get('x-ratelimit-reset'));
    expect(reset % 10).toBe(0);
    expect(reset).toBeGreaterThan(Date.now() / 1000);
  });

  it('429 error.list after the per-10s budget, with headers; budget is per aligned window', async () => {
    const limited = await startFakeIntercom({ ratePer10s: 5, size: { contacts: 3, conversations: 1, tickets: 1 } });
    try {
      await freshWindow();
      const rs = [];
      for (let i = 0; i < 7; i++) rs.push(await get(limited.url, '/admins'));
      expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(rs.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0', '0']);
      for (const r of rs) expect(r.headers.get('x-ratelimit-limit')).toBe('5');
      const resetAt = Number(rs[6]?.headers.get('x-ratelimit-reset'));
      expect(resetAt % 10).toBe(0);
      expect(resetAt * 1000).toBeGreaterThan(Date.now());
      expect(resetAt * 1000 - Date.now()).toBeLessThanOrEqual(10_000);
      expectValid('error', rs[6]?.body);
      expect(rs[6]?.body.errors[0].code).toBe('rate_limit_exceeded');
      expect(limited.stats.rateLimited).toBe(2);
      // next window: budget restored
      await sleep(resetAt * 1000 - Date.now() + 30);
      expect((await get(limited.url, '/admins')).status).toBe(200);
      // control endpoints are not rate limited or counted
      const total = limited.stats.totalRequests;
      for (let i = 0; i < 10; i++) expect((await fetch(`${limited.url}/__fake/stats`)).status).toBe(200);
      expect(limited.stats.totalRequests).toBe(total);
    } finally {
      await limited.close();
    }
  });
});

describe('faults', () => {
  it('status faults answer error.list with the given status, `times` and `after` are honoured', async () => {
    fake.setFaults([{ route: 'GET /teams', kind: 'status', status: 503, times: 2, after: 1 }]);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(base, '/teams')).status);
    expect(statuses).toEqual([200, 503, 503, 200, 200]);
    for (const status of [500, 502, 401, 403, 404]) {
      fake.setFaults([{ route: 'GET /tags', kind: 'status', status }]);
      const r = await get(base, '/tags');
      expect(r.status).toBe(status);
      expectValid('error', r.body, `fault ${status}`);
      expect((await get(base, '/tags')).status).toBe(200);
    }
  });

  it('routes may be templates or regular expressions; no route = every request', async () => {
    const conv = fake.workspace.conversations[0]!.id;
    fake.setFaults([{ route: 'GET /conversations/{id}', kind: 'status', status: 502, times: -1 }]);
    expect((await get(base, `/conversations/${conv}`)).status).toBe(502);
    expect((await get(base, '/conversations')).status).toBe(200);
    fake.setFaults([{ route: '^POST /(contacts|tickets)/search$', kind: 'status', status: 500, times: -1 }]);
    expect(
      (
        await fetch(`${base}/tickets/search`, {
          method: 'POST',
          headers: apiHeaders(),
          body: '{"query":{"field":"id","operator":"=","value":"1"}}',
        })
      ).status,
    ).toBe(500);
    expect((await get(base, `/conversations/${conv}`)).status).toBe(200);
    fake.setFaults([{ kind: 'status', status: 500 }]);
    expect((await get(base, '/admins')).status).toBe(500);
    fake.setFaults([]);
  });

  it('429 faults with and without rate-limit headers', async () => {
    fake.setFaults([{ route: 'GET /admins', kind: '429', withHeaders: true }]);
    const a = await get(base, '/admins');
    expect(a.status).toBe(429);
    expect(a.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(a.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    expect(a.body.errors[0].code).toBe('rate_limit_exceeded');
    fake.setFaults([{ route: 'GET /admins', kind: '429', withHeaders: false }]);
    const b = await get(base, '/admins');
    expect(b.status).toBe(429);
    expect(b.headers.get('x-ratelimit-remaining')).toBeNull();
    expect(b.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('reset destroys the socket mid-body', async () => {
    fake.setFaults([{ route: 'GET /contacts', kind: 'reset' }]);
    await expect(
      (async () => {
        const r = await fetch(`${base}/contacts`, { headers: apiHeaders() });
        return r.text();
      })(),
    ).rejects.toThrow();
    expect((await get(base, '/contacts')).status).toBe(200);
  });

  it('truncate sends half of the JSON and ends the response', async () => {
    const full = await get(base, '/contacts?per_page=20');
    fake.setFaults([{ route: 'GET /contacts', kind: 'truncate' }]);
    const r = await get(base, '/contacts?per_page=20');
    expect(r.status).toBe(200);
    expect(r.body).toBeUndefined(); // not parseable
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.text.length).toBeLessThan(full.text.length);
    expect(full.text.startsWith(r.text.slice(0, 200))).toBe(true);
  });

  it('malformed answers 200 with a non-JSON body', async () => {
    fake.setFaults([{ route: 'GET /me', kind: 'malformed' }]);
    const r = await get(base, '/me');
    expect(r.status).toBe(200);
    expect(r.body).toBeUndefined();
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('hang never answers; the request stays in flight until the client gives up', async () => {
    fake.setFaults([{ route: 'GET /me', kind: 'hang' }]);
    // Only the client's own timeout ends it (no answer, no reset): a TimeoutError, not a network error.
    const err = (await fetch(`${base}/me`, { headers: apiHeaders(), signal: AbortSignal.timeout(300) }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.name).toBe('TimeoutError');
    expect(fake.stats.byStatus['hang']).toBeGreaterThanOrEqual(1);
    // The server notices the closed connection; wait for that (bounded), not for a guessed delay.
    for (let i = 0; i < 200 && fake.stats.currentInFlight > 0; i++) await sleep(5);
    expect(fake.stats.currentInFlight).toBe(0);
    expect((await get(base, '/me')).status).toBe(200);
  });

  it('probability is seeded: same seed, same pattern', async () => {
    const pattern = async (): Promise<number[]> => {
      const f = await startFakeIntercom({
        seed: 77,
        size: { contacts: 1, conversations: 1, tickets: 1 },
        faults: [{ route: 'GET /tags', kind: 'status', status: 500, times: -1, probability: 0.5 }],
      });
      try {
        const out: number[] = [];
        for (let i = 0; i < 30; i++) out.push((await get(f.url, '/tags')).status);
        return out;
      } finally {
        await f.close();
      }
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toEqual(b);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(5);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(5);
  });
});

describe('latency and stats', () => {
  it('latency is applied per request and in-flight counting includes the wait', async () => {
    const slow = await startFakeIntercom({
      latencyMs: 150,
      jitterMs: 20,
      size: { contacts: 5, conversations: 2, tickets: 1 },
    });
    try {
      const t0 = Date.now();
      const rs = await Promise.all(Array.from({ length: 10 }, () => get(slow.url, '/admins')));
      const elapsed = Date.now() - t0;
      expect(rs.every((r) => r.status === 200)).toBe(true);
      // At least the latency (minus jitter) was applied; that the ten ran at once is shown by
      // maxInFlight, not by a stopwatch bound.
      expect(elapsed).toBeGreaterThanOrEqual(125);
      expect(slow.stats.maxInFlight).toBe(10);
      expect(slow.stats.currentInFlight).toBe(0);
      expect(slow.stats.byRoute['GET /admins']).toBe(10);
      // The latency drawn for the ten (150 ± 20 each) is summed per route for the bench's bounds.
      const drawn = slow.stats.latencyMsByRoute['GET /admins']!;
      expect(drawn).toBeGreaterThanOrEqual(10 * 130);
      expect(drawn).toBeLessThanOrEqual(10 * 170);
      expect(drawn).not.toBe(1500);
      expect(slow.stats.windows.reduce((s, w) => s + w.count, 0)).toBe(10);
      slow.resetStats();
      expect(slow.stats.totalRequests).toBe(0);
      expect(slow.stats.latencyMsByRoute).toEqual({});
      expect(slow.stats.maxInFlight).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('stats count routes by template and statuses', async () => {
    fake.resetStats();
    fake.setFaults([]);
    const ids = fake.workspace.conversations.slice(0, 3).map((c) => c.id);
    for (const id of ids) await get(base, `/conversations/${id}`);
    await get(base, '/conversations/424242');
    expect(fake.stats.byRoute['GET /conversations/{id}']).toBe(4);
    expect(fake.stats.byStatus['200']).toBe(3);
    expect(fake.stats.byStatus['404']).toBe(1);
    expect(fake.stats.totalRequests).toBe(4);
  });
});
