import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMINS,
  assertProtocolOnly,
  assertTokenContained,
  hostileServer,
  json,
  recordIds,
  runConnector,
  stateCursors,
  traceErrors,
  type HostileServer,
} from './hostile.js';

/**
 * Size and depth: a gzip bomb, a huge body and deep nesting each fail their request with a clear
 * TRACE ERROR and bounded memory; the page before the fault is delivered.
 */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Peak RSS a run may reach: Node itself plus a few times max_response_bytes. */
const MEMORY_BOUND_MB = 200;
const servers: HostileServer[] = [];
let bomb: Buffer;

beforeAll(() => {
  // 256 MiB of spaces inflate from about 250 KB of gzip: 256 times max_response_bytes.
  bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, 0x20), { level: 1 });
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** Page 1 is honest (two admins and a next link); page 2 is the attack. */
async function secondPage(attack: (res: Parameters<typeof json>[0]) => void): Promise<HostileServer> {
  const server = await hostileServer('intercom', (req, res) => {
    if ((req.url ?? '').includes('page=2')) return attack(res);
    json(res, 200, {
      type: 'admin.list',
      admins: ADMINS,
      pages: { next: `http://127.0.0.1:${server.port}/admins?page=2` },
    });
  });
  servers.push(server);
  return server;
}

function expectCleanFailure(run: Awaited<ReturnType<typeof runConnector>>, pattern: RegExp): void {
  expect(recordIds(run, 'admins')).toEqual(['1', '2']);
  const errors = traceErrors(run);
  expect(errors.some((e) => pattern.test(e.message))).toBe(true);
  expect(errors.map((e) => e.message).join(' ')).not.toMatch(/Maximum call stack|ERR_STRING_TOO_LONG|Unexpected error/);
  expect(run.code).toBe(1);
  expect(run.peakRssMb).toBeLessThan(MEMORY_BOUND_MB);
  assertProtocolOnly(run);
  assertTokenContained(run, ['intercom']);
}

describe('hostile server: bounded body size and nesting', () => {
  it('a gzip bomb stops at max_response_bytes, counted after decompression', async () => {
    const server = await secondPage((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const run = await runConnector('airbyte', server.url, ['admins'], { max_response_bytes: MAX_RESPONSE_BYTES });
    expectCleanFailure(
      run,
      /GET \/admins is larger than max_response_bytes \(1048576 bytes, counted after decompression\)/,
    );
  });

  it('a huge plain body stops at max_response_bytes while it streams', async () => {
    const server = await secondPage((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      // Up to 512 MiB, sent as the client reads it; the connector hangs up long before.
      const pump = (): void => {
        while (sent < 512) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = 512));
      pump();
    });
    const run = await runConnector('airbyte', server.url, ['admins'], { max_response_bytes: MAX_RESPONSE_BYTES });
    expectCleanFailure(run, /larger than max_response_bytes/);
  });

  it('JSON nested 100,000 deep is refused before parsing, with a clear error', async () => {
    const server = await secondPage((res) =>
      json(res, 200, `{"type":"admin.list","admins":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    );
    const run = await runConnector('airbyte', server.url, ['admins']);
    expectCleanFailure(run, /nests JSON deeper than 64 levels/);
  });

  it('the Singer tap fails the same way (CRITICAL, exit 1, bounded memory)', async () => {
    const server = await secondPage((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const run = await runConnector('tap', server.url, ['admins'], { max_response_bytes: MAX_RESPONSE_BYTES });
    expect(recordIds(run, 'admins')).toEqual(['1', '2']);
    expect(run.stderr).toMatch(/CRITICAL .*larger than max_response_bytes|larger than max_response_bytes/);
    expect(run.code).toBe(1);
    expect(run.peakRssMb).toBeLessThan(MEMORY_BOUND_MB);
    assertTokenContained(run, ['intercom']);
  });
});

describe('hostile server: an incremental stream keeps its state behind the fault', () => {
  it('contacts: records before a gzip bomb are delivered and no STATE passes the unread page', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const cursor = nowS - 5 * 86_400;
    const contacts = [
      { type: 'contact', id: 'c1', role: 'user', updated_at: nowS - 120, created_at: nowS - 9000 },
      { type: 'contact', id: 'c2', role: 'user', updated_at: nowS - 60, created_at: nowS - 9000 },
    ];
    let faultStart = Number.POSITIVE_INFINITY;
    const server = await hostileServer('intercom', (req, res) => {
      const body = (req as { body?: string }).body ?? '';
      // The time range of the slice this search is for: the Unix times in its query.
      const times = (body.match(/\b1\d{9}\b/g) ?? []).map(Number);
      // The last slice has no upper bound; the others end (a day late, on purpose) at their largest time.
      const last = !body.includes('"<"');
      const holdsRecords =
        times.length > 0 && Math.min(...times) <= nowS - 120 && (last || Math.max(...times) >= nowS - 60);
      if (body.includes('"starting_after"')) {
        faultStart = Math.min(faultStart, ...times);
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return res.end(bomb);
      }
      // Earlier slices are empty and complete; the slice with the records has a second page.
      if (!holdsRecords)
        return json(res, 200, {
          type: 'list',
          data: [],
          total_count: 0,
          pages: { type: 'pages', page: 1, per_page: 150, total_pages: 0 },
        });
      json(res, 200, {
        type: 'list',
        data: contacts,
        total_count: 3,
        pages: {
          type: 'pages',
          page: 1,
          per_page: 150,
          total_pages: 2,
          next: { page: 2, starting_after: 'c2-cursor' },
        },
      });
    });
    servers.push(server);
    const state = [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'contacts' }, stream_state: { updated_at: cursor } } },
    ];
    const run = await runConnector(
      'airbyte',
      server.url,
      ['contacts'],
      // Day slices (a window this small is otherwise one walk): the earlier ones complete, one faults.
      { max_response_bytes: MAX_RESPONSE_BYTES, lookback_window_minutes: 0, slice_days: 1 },
      { state },
    );
    expect(recordIds(run, 'contacts').sort()).toEqual(['c1', 'c2']);
    expect(traceErrors(run).some((e) => /larger than max_response_bytes/.test(e.message))).toBe(true);
    expect(Number.isFinite(faultStart)).toBe(true);
    // The completed earlier slices are checkpointed; the slice with the unread page is not.
    const cursors = stateCursors(run, 'contacts');
    expect(cursors.length).toBeGreaterThan(0);
    for (const at of cursors) expect(at).toBeLessThanOrEqual(faultStart);
    expect(run.code).toBe(1);
    expect(run.peakRssMb).toBeLessThan(MEMORY_BOUND_MB);
    assertTokenContained(run, ['intercom']);
  });
});
