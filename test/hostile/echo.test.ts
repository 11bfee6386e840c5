import { afterAll, describe, expect, it } from 'vitest';
import {
  assertProtocolOnly,
  assertTokenContained,
  hostileServer,
  json,
  recordIds,
  runConnector,
  traceErrors,
  type HostileServer,
} from './hostile.js';

/** Servers that echo the Authorization header back: into records, an error body, a malformed body. */
const servers: HostileServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function echoing(answer: (auth: string) => { status: number; body: string }): Promise<HostileServer> {
  const server = await hostileServer('intercom', (req, res) => {
    const { status, body } = answer(req.headers.authorization ?? '');
    json(res, status, body);
  });
  servers.push(server);
  return server;
}

describe('hostile server: echoed credentials never reach an output', () => {
  it('a token echoed into records is removed from them', async () => {
    const server = await echoing((auth) => ({
      status: 200,
      body: JSON.stringify({
        type: 'admin.list',
        admins: [{ type: 'admin', id: '1', name: auth, email: `${auth.slice(7)}@x` }],
      }),
    }));
    const run = await runConnector('airbyte', server.url, ['admins']);
    expect(recordIds(run, 'admins')).toEqual(['1']);
    expect(run.code).toBe(0);
    assertTokenContained(run, ['intercom']);
  });

  it('a token echoed into a 4xx error body is redacted from the TRACE ERROR', async () => {
    const server = await echoing((auth) => ({
      status: 400,
      body: JSON.stringify({ type: 'error.list', errors: [{ code: 'bad', message: `you sent ${auth}` }] }),
    }));
    const run = await runConnector('airbyte', server.url, ['admins']);
    expect(traceErrors(run).some((e) => /HTTP 400/.test(e.message))).toBe(true);
    assertProtocolOnly(run);
    assertTokenContained(run, ['intercom']);
  });

  it('a malformed body echoing the token is cut for the excerpt without leaving a fragment of it', async () => {
    // The echoed token straddles the 200-character cut of the excerpt (34, 24, 14 and 9 of its characters before it).
    for (const pad of [120, 130, 140, 145]) {
      const server = await echoing((auth) => ({
        status: 200,
        body: JSON.stringify({ type: 'admin.list', note: 'x'.repeat(pad), echo: auth, tail: 'y'.repeat(300) }),
      }));
      const run = await runConnector('airbyte', server.url, ['admins']);
      expect(
        traceErrors(run).some(
          (e) => /no 'admins' array/.test(e.message) && /body starts with/.test(e.internal_message ?? ''),
        ),
      ).toBe(true);
      assertTokenContained(run, ['intercom']);
    }
  });
});
