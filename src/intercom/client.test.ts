import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../core/redact.js';
import { IntercomClient, decodeBody, type ClientOptions } from './client.js';
import { IntercomApiError } from './errors.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'dG9rOnNlY3JldC10b2tlbi1mb3ItdGVzdHM=';

function client(overrides: Partial<ClientOptions> = {}): IntercomClient {
  return new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 4,
    maxRetries: 3,
    maxRateLimitWaitMs: 10_000,
    retryBaseDelayMs: 5,
    ...overrides,
  });
}

const errorList = (code: string, message: string) => ({
  type: 'error.list',
  request_id: 'req-1',
  errors: [{ code, message }],
});

beforeAll(() => {
  nock.disableNetConnect();
  registerSecret(TOKEN);
});
afterEach(() => {
  nock.cleanAll();
});

describe('IntercomClient', () => {
  it('sends bearer auth, the Intercom-Version header and a versioned user agent', async () => {
    const scope = nock(BASE, {
      reqheaders: {
        authorization: `Bearer ${TOKEN}`,
        'intercom-version': '2.15',
        'user-agent': /^intercom-connector\/\d+\.\d+\.\d+/,
      },
    })
      .get('/admins')
      .reply(200, { type: 'admin.list', admins: [] });
    await expect(client({ apiVersion: '2.15' }).request({ path: '/admins' })).resolves.toEqual({
      type: 'admin.list',
      admins: [],
    });
    scope.done();
  });

  it('retries 5xx answers and succeeds', async () => {
    const scope = nock(BASE)
      .get('/tags')
      .reply(500, errorList('server_error', 'boom'))
      .get('/tags')
      .reply(503, 'unavailable')
      .get('/tags')
      .reply(200, { type: 'list', data: [{ id: '1' }] });
    const c = client();
    await expect(c.request({ path: '/tags' })).resolves.toEqual({ type: 'list', data: [{ id: '1' }] });
    expect(c.stats.retried).toBe(2);
    scope.done();
  });

  it('retries a truncated JSON body and a request that times out', async () => {
    const scope = nock(BASE)
      .get('/teams')
      .reply(200, '{"type":"team.list","teams":[{"id":')
      .get('/teams')
      .delay(500)
      .reply(200, { type: 'team.list', teams: ['late'] })
      .get('/teams')
      .reply(200, { type: 'team.list', teams: [] });
    const c = client({ requestTimeoutMs: 100 });
    await expect(c.request({ path: '/teams' })).resolves.toEqual({ type: 'team.list', teams: [] });
    expect(c.stats.retried).toBe(2);
    scope.done();
  });

  it('gives up after max retries with a transient error naming the endpoint', async () => {
    nock(BASE).get('/segments').times(3).reply(502, 'bad gateway');
    const err = await client({ maxRetries: 2 })
      .request({ path: '/segments' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntercomApiError);
    expect((err as IntercomApiError).failureType).toBe('transient_error');
    expect((err as Error).message).toContain('GET /segments');
    expect(nock.isDone()).toBe(true);
  });

  it.each([400, 401, 403, 404, 422])('does not retry HTTP %i and names the problem', async (status) => {
    const scope = nock(BASE).get('/me').once().reply(status, errorList('some_code', 'Some message'));
    const err = (await client()
      .request({ path: '/me' })
      .catch((e: unknown) => e)) as IntercomApiError;
    expect(err).toBeInstanceOf(IntercomApiError);
    expect(err.status).toBe(status);
    expect(err.message).toContain('GET /me');
    expect(err.message).toContain('Some message');
    if (status === 401) expect(err.message).toContain('access token invalid or revoked');
    if (status === 403) expect(err.message).toMatch(/permission/);
    scope.done();
  });

  it('sends bodiless POST and DELETE requests, and a JSON body when there is one', async () => {
    const scope = nock(BASE)
      .delete('/contacts/7')
      .reply(200, { id: '7', deleted: true })
      .post(
        '/contacts/7/archive',
        (body) => body === '' || body === undefined || Object.keys(body as object).length === 0,
      )
      .reply(200, { id: '7', archived: true })
      .post('/tags', { name: 'vip' })
      .reply(200, { type: 'tag', id: '1', name: 'vip' });
    const c = client({ requestTimeoutMs: 2000 });
    await expect(c.request({ method: 'DELETE', path: '/contacts/7' })).resolves.toEqual({ id: '7', deleted: true });
    await expect(c.request({ method: 'POST', path: '/contacts/7/archive' })).resolves.toEqual({
      id: '7',
      archived: true,
    });
    await expect(c.request({ method: 'POST', path: '/tags', json: { name: 'vip' } })).resolves.toEqual({
      type: 'tag',
      id: '1',
      name: 'vip',
    });
    scope.done();
  });

  it('decodes UTF-8 bodies exactly, whether or not they are pure ASCII', async () => {
    const names = ['José Müller', '山田 太郎', 'Zoë 🚀', 'plain ascii'];
    const scope = nock(BASE)
      .get('/contacts')
      .reply(200, { type: 'list', data: names.map((name, i) => ({ id: String(i), name })) });
    const page = await client().request<{ data: { name: string }[] }>({ path: '/contacts' });
    expect(page.data.map((c) => c.name)).toEqual(names);
    scope.done();
    // The ASCII shortcut must give the very string the UTF-8 decoder gives; a multi-byte character
    // (here split from its neighbours only by the buffer boundary) must still go through UTF-8.
    const ascii = Buffer.from(JSON.stringify({ name: 'Brian Okafor', note: 'tab\there, quote " and \\' }));
    expect(decodeBody(ascii)).toBe(ascii.toString('utf8'));
    const utf8 = Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from('é ☕ 𝄞"}')]);
    expect(decodeBody(utf8)).toBe('{"name":"Café ☕ 𝄞"}');
    expect(decodeBody(Buffer.from([0x7b, 0xc3]))).toBe('{\ufffd');
  });

  it('resolves undefined on 404 when allowed', async () => {
    nock(BASE).get('/conversations/9').reply(404, errorList('not_found', 'Conversation not found'));
    await expect(client().requestMaybe({ path: '/conversations/9', allow404: true })).resolves.toBeUndefined();
  });

  it('waits for X-RateLimit-Reset after a 429 and then succeeds, reporting the wait', async () => {
    // At least a second ahead, so the reset is still in the future when the 429 arrives on a busy machine.
    const reset = Math.floor(Date.now() / 1000) + 2;
    nock(BASE)
      .get('/admins')
      .reply(429, errorList('rate_limit_exceeded', 'Exceeded rate limit'), {
        'X-RateLimit-Limit': '10',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(reset),
      })
      .get('/admins')
      .reply(200, { admins: [] });
    const waits: number[] = [];
    const c = client({ onRateLimited: (resetAtMs) => waits.push(resetAtMs) });
    await expect(c.request({ path: '/admins' })).resolves.toEqual({ admins: [] });
    // One wait, exactly until the reset Intercom named, and the retry went out after it.
    expect(waits).toEqual([reset * 1000]);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
    expect(c.stats.rateLimited).toBe(1);
  });

  it('retries at once a 429 whose window has already reset, without idling the new window', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    nock(BASE)
      // The current window (ends in 10 s) has plenty left ...
      .get('/tags')
      .reply(
        200,
        { type: 'list', data: [] },
        { 'X-RateLimit-Limit': '1666', 'X-RateLimit-Remaining': '1500', 'X-RateLimit-Reset': String(nowSec + 10) },
      )
      // ... and a 429 counted in the window before it arrives late.
      .get('/admins')
      .reply(429, errorList('rate_limit_exceeded', 'Exceeded rate limit'), {
        'X-RateLimit-Limit': '1666',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(nowSec - 1),
      })
      .get('/admins')
      .reply(200, { admins: [] })
      .get('/segments')
      .reply(200, { segments: [] });
    const waits: number[] = [];
    const c = client({ onRateLimited: (resetAtMs) => waits.push(resetAtMs) });
    await c.request({ path: '/tags' });
    const asked = Date.now();
    await expect(c.request({ path: '/admins' })).resolves.toEqual({ admins: [] });
    await expect(c.request({ path: '/segments' })).resolves.toEqual({ segments: [] });
    // Before the fix both waited for the current window's reset, 10 s away, and a client that takes
    // the late 429 as a fresh one backs off 2 s. Every wait it plans (reported as a heartbeat, for a
    // 429 or for the pacer) is a short retry instead: its target is what the client decided, not a
    // stopwatch reading.
    expect(waits.length).toBeGreaterThanOrEqual(1);
    for (const until of waits) expect(until - asked).toBeLessThan(1500);
  });

  it('backs off on a 429 without rate-limit headers and fails when the total wait bound is hit', async () => {
    // The bound (5 s) holds the first back-off (about 2 s) but not the second: a client that never
    // retried, or never stopped, fails this. (Real time, about 2 s: the client's timers and nock's
    // answers do not run under vitest's fake timers.)
    let requests = 0;
    nock(BASE)
      .get('/admins')
      .times(10)
      .reply(() => {
        requests++;
        return [429, errorList('rate_limit_exceeded', 'Exceeded rate limit')];
      });
    const waits: number[] = [];
    const err = (await client({ maxRateLimitWaitMs: 5000, onRateLimited: (at) => waits.push(at) })
      .request({ path: '/admins' })
      .catch((e: unknown) => e)) as IntercomApiError;
    expect(err).toBeInstanceOf(IntercomApiError);
    expect(err.failureType).toBe('transient_error');
    expect(err.message).toMatch(/429/);
    // It retried after waiting, and stopped once the next wait would pass the bound.
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(requests).toBe(waits.length + 1);
    expect(requests).toBeLessThan(10);
  });

  it('pauses when X-RateLimit-Remaining reaches 0 until the window resets', async () => {
    // At least a second ahead, so the reset is still in the future when the 429 arrives on a busy machine.
    const reset = Math.floor(Date.now() / 1000) + 2;
    nock(BASE)
      .get('/tags')
      .reply(
        200,
        { data: [] },
        { 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) },
      )
      .get('/tags')
      .reply(200, { data: [] });
    const waits: number[] = [];
    const c = client({ maxConcurrency: 1, onRateLimited: (resetAtMs) => waits.push(resetAtMs) });
    await c.request({ path: '/tags' });
    await c.request({ path: '/tags' });
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
    expect(c.stats.rateLimited).toBe(0);
    // The pause is reported (a heartbeat for orchestrators) though no 429 was received.
    expect(waits).toEqual([reset * 1000]);
  });

  it('limits requests in flight to max_concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    nock(BASE)
      .get(/\/contacts\/\d+/)
      .times(12)
      .reply(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return [200, { type: 'contact' }];
      });
    const c = client({ maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.request({ path: `/contacts/${i}` })));
    expect(peak).toBe(3);
  });
});

describe('IntercomClient trust boundaries', () => {
  it('refuses a next link on another host, port or scheme without sending anything there', async () => {
    const other = nock('http://127.0.0.2:8080')
      .get(/.*/)
      .reply(200, { data: ['stolen'] });
    const c = client();
    for (const url of [
      'http://127.0.0.2:8080/admins?page=2',
      'https://api.intercom.io:8443/admins',
      'http://api.intercom.io/admins',
      'HTTPS://evil.example/admins',
      '//evil.example/admins',
    ]) {
      const err = (await c.request({ path: url }).catch((e: unknown) => e)) as IntercomApiError;
      expect(err).toBeInstanceOf(IntercomApiError);
      expect(err.failureType).toBe('system_error');
      expect(err.message).toMatch(/another origin than the configured https:\/\/api\.intercom\.io/);
    }
    expect(other.isDone()).toBe(false);
    expect(c.stats.retried).toBe(0);
  });

  it('follows a next link on the configured origin and names a refused URL without its credentials', async () => {
    nock(BASE).get('/admins').query({ page: '2' }).reply(200, { admins: [] });
    await expect(client().request({ path: `${BASE}/admins?page=2` })).resolves.toEqual({ admins: [] });
    const err = (await client()
      .request({ path: 'https://user:hunter2pass@evil.example/x' })
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('https://evil.example/x');
    expect(err.message).not.toContain('hunter2pass');
  });

  it('follows a redirect within the origin but not one to another origin', async () => {
    const evil = nock('https://evil.example')
      .get(/.*/)
      .reply(200, { admins: ['stolen'] });
    nock(BASE).get('/admins').reply(302, '', { location: '/admins/v2' }).get('/admins/v2').reply(200, { admins: [] });
    await expect(client().request({ path: '/admins' })).resolves.toEqual({ admins: [] });
    nock(BASE).get('/tags').reply(301, '', { location: 'https://evil.example/tags' });
    const err = (await client()
      .request({ path: '/tags' })
      .catch((e: unknown) => e)) as IntercomApiError;
    expect(err).toBeInstanceOf(IntercomApiError);
    expect(err.message).toMatch(/redirect \(HTTP 301\) to https:\/\/evil\.example\/tags.*not followed/);
    expect(evil.isDone()).toBe(false);
  });

  it('stops reading a body over max_response_bytes, counted after decompression, and does not retry it', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(10_000);
    nock(BASE).get('/tags').reply(200, bomb, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    const c = client({ maxResponseBytes: 256 * 1024 });
    const err = (await c.request({ path: '/tags' }).catch((e: unknown) => e)) as IntercomApiError;
    expect(err).toBeInstanceOf(IntercomApiError);
    expect(err.message).toMatch(/GET \/tags is larger than max_response_bytes \(262144 bytes/);
    expect(c.stats.requests).toBe(1);
    // A body just under the bound is read.
    nock(BASE)
      .get('/tags')
      .reply(200, JSON.stringify({ data: 'x'.repeat(200 * 1024) }));
    await expect(c.request<{ data: string }>({ path: '/tags' })).resolves.toHaveProperty('data');
  });

  it('refuses a body nested deeper than the bound before parsing it, and reads strings that only look deep', async () => {
    nock(BASE)
      .get('/tags')
      .reply(200, `{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const c = client();
    const err = (await c.request({ path: '/tags' }).catch((e: unknown) => e)) as IntercomApiError;
    expect(err.message).toMatch(/nests JSON deeper than 64 levels/);
    expect(c.stats.requests).toBe(1);
    const looksDeep = { data: ['['.repeat(500), '\\"[[[[', `"${'{'.repeat(100)}`] };
    nock(BASE).get('/tags').reply(200, looksDeep);
    await expect(c.request({ path: '/tags' })).resolves.toEqual(looksDeep);
  });

  it('removes the token from a body that echoes it (raw and JSON-escaped)', async () => {
    nock(BASE)
      .get('/admins')
      .reply(200, (_uri, _body) => JSON.stringify({ admins: [{ id: '1', name: `Bearer ${TOKEN}` }] }));
    await expect(client().request({ path: '/admins' })).resolves.toEqual({ admins: [{ id: '1', name: 'Bearer ***' }] });
    const odd = 'tok"with\\quote-and-backslash';
    nock(BASE)
      .get('/admins')
      .reply(200, JSON.stringify({ admins: [{ id: '1', name: odd }] }));
    await expect(client({ accessToken: odd }).request({ path: '/admins' })).resolves.toEqual({
      admins: [{ id: '1', name: '***' }],
    });
  });

  it('fails at once, without retries, when the host cannot be reached on the first request', async () => {
    nock.enableNetConnect('127.0.0.1');
    try {
      const { createServer } = await import('node:net');
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      await new Promise((r) => server.close(r)); // a port nobody listens on: ECONNREFUSED
      const c = client({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 6, retryBaseDelayMs: 1000 });
      const err = (await c.request({ path: '/admins' }).catch((e: unknown) => e)) as IntercomApiError;
      expect(err.message).toMatch(
        /Could not reach Intercom at http:\/\/127\.0\.0\.1:\d+\/admins: the connection was refused \(ECONNREFUSED\) on the first request/,
      );
      expect(c.stats.retried).toBe(0);
      expect(c.stats.requests).toBe(1);
      // The rest of the run fails the same way without trying (and waiting on) the host again.
      await expect(c.request({ path: '/tags' })).rejects.toThrow(/Could not reach Intercom .*ECONNREFUSED/);
      expect(c.stats.requests).toBe(1);
    } finally {
      nock.disableNetConnect();
    }
  });

  it('keeps refused connections retryable once the host has answered in this run', async () => {
    nock.enableNetConnect('127.0.0.1');
    const { createServer } = await import('node:http');
    const listen = (server: ReturnType<typeof createServer>, port = 0) =>
      new Promise<number>((r) =>
        server.listen(port, '127.0.0.1', () => r((server.address() as { port: number }).port)),
      );
    const answer = () => createServer((_req, res) => res.end('{"data":[]}'));
    let second: ReturnType<typeof createServer> | undefined;
    try {
      const first = answer();
      const port = await listen(first);
      const c = client({ baseUrl: `http://127.0.0.1:${port}`, retryBaseDelayMs: 300 });
      await c.request({ path: '/me' });
      first.closeAllConnections();
      await new Promise((r) => first.close(r));
      // Refused now; the host comes back while the client backs off.
      const pending = c.request({ path: '/tags' });
      setTimeout(() => void listen((second = answer()), port), 100);
      await expect(pending).resolves.toEqual({ data: [] });
      expect(c.stats.retried).toBeGreaterThanOrEqual(1);
    } finally {
      second?.closeAllConnections();
      if (second) await new Promise((r) => second!.close(r));
      nock.disableNetConnect();
    }
  });

  it('fails at once on a DNS failure of the first request', async () => {
    nock.enableNetConnect('nonexistent-host.invalid');
    try {
      const c = client({ baseUrl: 'https://nonexistent-host.invalid', retryBaseDelayMs: 1000 });
      const err = (await c.request({ path: '/me' }).catch((e: unknown) => e)) as IntercomApiError;
      expect(err.message).toMatch(/host name could not be resolved \(DNS\) \((ENOTFOUND|EAI_AGAIN)\)/);
      expect(c.stats.retried).toBe(0);
    } finally {
      nock.disableNetConnect();
    }
  });

  it('refuses a 429 whose reset (far, in milliseconds or via Retry-After) exceeds the wait bound, stating the real wait', async () => {
    const farCases: Record<string, string>[] = [
      { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600) },
      { 'X-RateLimit-Reset': '99999999999' },
      { 'Retry-After': '7200' },
    ];
    for (const headers of farCases) {
      nock(BASE).get('/admins').reply(429, errorList('rate_limit_exceeded', 'slow down'), headers);
      const err = (await client({ maxRateLimitWaitMs: 5000 })
        .request({ path: '/admins' })
        .catch((e: unknown) => e)) as IntercomApiError;
      expect(err.message).toMatch(
        /answered 429 .* asks to wait until .* s more\); this request has waited 0\.0 s so far, and max_rate_limit_wait_seconds allows 5\.0 s/,
      );
      expect(err.message).not.toMatch(/for 0 s/);
    }
    // Reset in milliseconds, 1 s ahead: recognised as such and waited for.
    nock(BASE)
      .get('/admins')
      .reply(429, errorList('rate_limit_exceeded', 'slow down'), { 'X-RateLimit-Reset': String(Date.now() + 1000) })
      .get('/admins')
      .reply(200, { admins: [] });
    await expect(client({ maxRateLimitWaitMs: 5000 }).request({ path: '/admins' })).resolves.toEqual({ admins: [] });
  });

  it('refuses to wait for a far reset announced on a 200 with no budget left', async () => {
    nock(BASE)
      .get('/tags')
      .reply(
        200,
        { data: [] },
        {
          'X-RateLimit-Limit': '10',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600),
        },
      );
    const c = client({ maxRateLimitWaitMs: 5000 });
    await c.request({ path: '/tags' });
    const err = (await c.request({ path: '/tags' }).catch((e: unknown) => e)) as IntercomApiError;
    expect(err.message).toMatch(
      /rate-limit headers say the budget for GET \/tags is used up until .*max_rate_limit_wait_seconds allows 5\.0 s/,
    );
    expect(err.failureType).toBe('transient_error');
  });
});
