import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * One origin: a next link or a redirect that leaves scheme://host:port of base_url is refused with
 * a TRACE ERROR naming it; the other server gets nothing, the records before it are delivered.
 */
let thief: HostileServer;
let otherHost: HostileServer;
const servers: HostileServer[] = [];

beforeAll(async () => {
  const stolen = (_req: unknown, res: Parameters<typeof json>[0]) =>
    json(res, 200, { type: 'admin.list', admins: [{ type: 'admin', id: 'stolen' }] });
  thief = await hostileServer('thief', stolen);
  // Another loopback address: another host, same port space.
  otherHost = await hostileServer('other-host', stolen, '127.0.0.2');
  servers.push(thief, otherHost);
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function intercomWith(
  nextOrRedirect: (path: string) => { next?: string; redirect?: string },
): Promise<HostileServer> {
  const server = await hostileServer('intercom', (req, res) => {
    const plan = nextOrRedirect(req.url ?? '/');
    if (plan.redirect) return json(res, 302, '', { location: plan.redirect });
    json(res, 200, { type: 'admin.list', admins: ADMINS, pages: { next: plan.next ?? null } });
  });
  servers.push(server);
  return server;
}

describe('hostile server: the token goes to the configured origin only', () => {
  it.each([
    ['another port', () => `${thief.url}/admins?page=2`],
    ['another host', () => `${otherHost.url}/admins?page=2`],
    ['another scheme', () => 'https://127.0.0.1:1/admins?page=2'],
    ['credentials in the link', () => `http://user:pw@127.0.0.1:${thief.port}/admins`],
  ])('a next link to %s is refused (Airbyte)', async (_label, link) => {
    const intercom = await intercomWith(() => ({ next: link() }));
    const before = hits.length;
    const run = await runConnector('airbyte', intercom.url, ['admins']);
    const mine = hits.slice(before);
    expect(mine.map((h) => h.server)).toEqual(['intercom']);
    expect(recordIds(run, 'admins')).toEqual(['1', '2']);
    const errors = traceErrors(run);
    expect(
      errors.some((e) =>
        /Refused to request .*another origin than the configured http:\/\/127\.0\.0\.1:\d+/.test(e.message),
      ),
    ).toBe(true);
    expect(errors.map((e) => e.message).join('\n')).not.toMatch(/user:pw/);
    expect(run.code).not.toBe(0);
    assertProtocolOnly(run);
    assertTokenContained(run, ['intercom']);
  });

  it('a next link to another port is refused by tap-intercom too (CRITICAL on stderr, exit 1)', async () => {
    const intercom = await intercomWith(() => ({ next: `${thief.url}/admins?page=2` }));
    const before = hits.length;
    const run = await runConnector('tap', intercom.url, ['admins']);
    expect(hits.slice(before).map((h) => h.server)).toEqual(['intercom']);
    expect(recordIds(run, 'admins')).toEqual(['1', '2']);
    expect(run.stderr).toMatch(/another origin than the configured/);
    expect(run.code).toBe(1);
    assertTokenContained(run, ['intercom']);
  });

  it('a redirect to another port is not followed; one within the origin is', async () => {
    const intercom = await intercomWith((path) =>
      path.startsWith('/admins') ? { redirect: `${thief.url}/admins` } : {},
    );
    const before = hits.length;
    const run = await runConnector('airbyte', intercom.url, ['admins']);
    expect(hits.slice(before).map((h) => h.server)).toEqual(['intercom']);
    expect(
      traceErrors(run).some((e) =>
        /redirect \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/admins, outside the configured .* not followed/.test(
          e.message,
        ),
      ),
    ).toBe(true);
    expect(run.code).not.toBe(0);
    assertTokenContained(run, ['intercom']);

    const same = await intercomWith((path) => (path.startsWith('/admins') ? { redirect: '/v2/list' } : {}));
    const ok = await runConnector('airbyte', same.url, ['admins']);
    expect(recordIds(ok, 'admins')).toEqual(['1', '2']);
    expect(ok.code).toBe(0);
  });
});
