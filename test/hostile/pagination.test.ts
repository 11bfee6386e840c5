// Hostile pagination: small servers on 127.0.0.1 that page forever, in cycles, or without
// advancing, one per paginator kind (cursor, next URL, page number, scroll, search cursor, time
// windows, custom streams). Each run must end within its bound with exactly one TRACE ERROR naming
// the stall, deliver the records read before it, and leave no STATE past unread data.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';

const TOKEN = 'hostile-paging-token-5e7a90c1';
const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;
const DAY = 86_400;

type Json = Record<string, unknown>;
/** Answers one request: the body to send as JSON (status 200), or [status, body]. */
type Answer = (path: string, query: URLSearchParams, body: Json | undefined, n: number) => Json | [number, Json];

interface Hostile {
  url: string;
  /** Requests per path. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

let servers: Hostile[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function hostile(answer: Answer): Promise<Hostile> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const n = (counts.get(url.pathname) ?? 0) + 1;
      counts.set(url.pathname, n);
      const text = Buffer.concat(chunks).toString('utf8');
      let out: Json | [number, Json];
      if (url.pathname === '/me') out = { type: 'admin', id: '1', app: { id_code: 'h', created_at: NOW - 30 * DAY } };
      else out = answer(url.pathname, url.searchParams, text ? (JSON.parse(text) as Json) : undefined, n);
      const [status, body] = Array.isArray(out) ? out : [200, out];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h: Hostile = { url, counts, close: () => new Promise((resolve) => server.close(() => resolve())) };
  servers.push(h);
  return h;
}

async function read(
  server: Hostile,
  streams: { name: string; incremental?: boolean }[],
  config: Json = {},
): Promise<CliRun> {
  const files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: server.url, max_retries: 0, request_timeout_seconds: 5, ...config },
    catalog: {
      streams: streams.map((s) => ({
        stream: { name: s.name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: s.incremental ? 'incremental' : 'full_refresh',
        destination_sync_mode: s.incremental ? 'append' : 'overwrite',
      })),
    },
  });
  const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
    timeoutMs: 60_000,
  });
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

function errorsOf(run: CliRun): string[] {
  return run.messages
    .filter((m) => m.type === 'TRACE' && (m.trace as Json).type === 'ERROR')
    .map((m) => ((m.trace as Json).error as { message: string }).message);
}

/** One clear error: exactly one TRACE ERROR, naming a stalled pagination, and a failing exit. */
function expectOneStall(run: CliRun, pattern: RegExp): string {
  const errors = errorsOf(run);
  expect(errors, run.stderr.slice(-1500)).toHaveLength(1);
  expect(errors[0]).toMatch(/stopped making progress/);
  expect(errors[0]).toMatch(pattern);
  expect(errors[0]).not.toMatch(/read again/);
  expect(run.code).not.toBe(0);
  return errors[0]!;
}

const tag = (id: string): Json => ({ type: 'tag', id, name: `t${id}` });

describe('hostile pagination: every paginator kind ends with one clear error within its bound', () => {
  it('cursor: a new starting_after with empty data forever stops after the idle-page bound', async () => {
    const server = await hostile((path, q) => {
      if (path !== '/tags') return [404, {}];
      const n = Number(q.get('starting_after')?.slice(1) ?? 0);
      return {
        type: 'list',
        data: n === 0 ? [tag('1'), tag('2')] : [],
        pages: { type: 'pages', next: { starting_after: `c${n + 1}` } },
      };
    });
    const run = await read(server, [{ name: 'tags' }]);
    expectOneStall(run, /GET \/tags.*pages in a row brought no new record/);
    // The first page, its records, then at most 1 + 5 idle pages: bounded.
    expect(server.counts.get('/tags')).toBeLessThanOrEqual(8);
    expect(recordsOf(run, 'tags').map((r) => r.id)).toEqual(['1', '2']);
  });

  it('next URL: links that cycle A → B → A stop at the first repeat', async () => {
    const server = await hostile((path, q) => {
      if (path !== '/admins') return [404, {}];
      const at = q.get('at') ?? 'A';
      const next = at === 'A' ? 'B' : 'A';
      return {
        type: 'admin.list',
        admins: [{ type: 'admin', id: at === 'A' ? '10' : '11', name: at }],
        pages: { next: `${server.url}/admins?at=${next}` },
      };
    });
    const run = await read(server, [{ name: 'admins' }]);
    expectOneStall(run, /GET \/admins.*returned the next URL .*at=B it had already returned/);
    expect(server.counts.get('/admins')).toBeLessThanOrEqual(4);
    // A is first asked for without `at`, so it is read twice before the repeat shows: same key, no loss.
    expect(new Set(recordsOf(run, 'admins').map((r) => r.id))).toEqual(new Set(['10', '11']));
  });

  it('page number: a server that always answers page 1 is caught on the second page', async () => {
    const server = await hostile((path) => {
      if (path !== '/help_center/collections') return [404, {}];
      return {
        type: 'list',
        data: [{ id: '5', name: 'c' }],
        total_count: 5,
        pages: { type: 'pages', page: 1, per_page: 1, total_pages: 5 },
      };
    });
    const run = await read(server, [{ name: 'collections' }]);
    expectOneStall(run, /page 2 was asked for and page 1 came back/);
    expect(server.counts.get('/help_center/collections')).toBe(2);
    expect(recordsOf(run, 'collections').map((r) => r.id)).toEqual(['5']);
  });

  it('page number: 37 million total_pages with the same records on every page stops after the idle-page bound', async () => {
    const server = await hostile((path, q) => {
      if (path !== '/help_center/collections') return [404, {}];
      const page = Number(q.get('page') ?? 1);
      return {
        type: 'list',
        data: [{ id: '7', name: 'same' }],
        total_count: 37_000_000,
        pages: { type: 'pages', page, per_page: 1, total_pages: 37_000_000 },
      };
    });
    const run = await read(server, [{ name: 'collections' }]);
    expectOneStall(run, /pages in a row brought no new record/);
    expect(server.counts.get('/help_center/collections')).toBeLessThanOrEqual(8);
    expect(recordsOf(run, 'collections').map((r) => r.id)).toEqual(['7']);
  });

  it('page number: 37 million total_pages is trusted only as far as the records go (an empty page ends the walk)', async () => {
    const server = await hostile((path, q) => {
      if (path !== '/help_center/collections') return [404, {}];
      const page = Number(q.get('page') ?? 1);
      const data = page <= 2 ? [{ id: String(page), name: 'c' }] : [];
      return {
        type: 'list',
        data,
        total_count: 37_000_000,
        pages: { type: 'pages', page, per_page: 1, total_pages: 37_000_000 },
      };
    });
    const run = await read(server, [{ name: 'collections' }]);
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(server.counts.get('/help_center/collections')).toBe(3);
    expect(recordsOf(run, 'collections').map((r) => r.id)).toEqual(['1', '2']);
  });

  it('scroll: the same scroll_param and the same company forever stops on the first repeated page', async () => {
    const server = await hostile((path) => {
      if (path !== '/companies/scroll') return [404, {}];
      return {
        type: 'list',
        data: [{ type: 'company', id: 'co1', updated_at: NOW - HOUR, tags: { tags: [] }, segments: { segments: [] } }],
        pages: null,
        total_count: null,
        scroll_param: 'same',
      };
    });
    const run = await read(server, [{ name: 'companies', incremental: true }]);
    expectOneStall(run, /GET \/companies\/scroll.*companies it had already returned/);
    expect(server.counts.get('/companies/scroll')).toBe(2);
    expect(recordsOf(run, 'companies').map((r) => r.id)).toEqual(['co1']);
    // The walk did not finish: no STATE may claim the companies were read up to now.
    expect(lastStates(run).filter((s) => JSON.stringify(s).includes('"companies"'))).toEqual([]);
  });

  it('search: a new body cursor with empty data forever stops after the idle-page bound; no STATE passes the slice', async () => {
    const server = await hostile((path, _q, body) => {
      if (path !== '/contacts/search') return [404, {}];
      const cursor = ((body?.pagination as Json | undefined)?.starting_after as string | undefined) ?? 's0';
      const n = Number(cursor.slice(1));
      const data = n === 0 ? [{ type: 'contact', id: 'ct1', updated_at: NOW - HOUR }] : [];
      return { type: 'list', data, total_count: 1, pages: { type: 'pages', next: { starting_after: `s${n + 1}` } } };
    });
    const run = await read(server, [{ name: 'contacts', incremental: true }], {
      start_date: new Date((NOW - 2 * DAY) * 1000).toISOString(),
    });
    expectOneStall(run, /POST \/contacts\/search.*pages in a row brought no new record/);
    // Every slice stalls: a few slices, each bounded by 1 + 6 requests.
    expect(server.counts.get('/contacts/search')).toBeLessThanOrEqual(40);
    expect(recordsOf(run, 'contacts').map((r) => r.id)).toContain('ct1');
    for (const state of lastStates(run)) expect(JSON.stringify(state)).not.toMatch(/"updated_at":\s*\d/);
  });

  it('search: cursors that cycle A → B → A are retried a bounded number of times, then the stream stops', async () => {
    const server = await hostile((path, _q, body) => {
      if (path !== '/contacts/search') return [404, {}];
      const cursor = (body?.pagination as Json | undefined)?.starting_after as string | undefined;
      const next = cursor === 'A' ? 'B' : 'A';
      return {
        type: 'list',
        data: [{ type: 'contact', id: `ct-${cursor ?? '0'}`, updated_at: NOW - HOUR }],
        total_count: 3,
        pages: { type: 'pages', next: { starting_after: next } },
      };
    });
    const run = await read(server, [{ name: 'contacts', incremental: true }], {
      start_date: new Date((NOW - 2 * HOUR) * 1000).toISOString(),
    });
    expectOneStall(run, /returned the cursor A it had already returned/);
    // Per slice (the window may cross a day boundary: at most 2), 1 + 3 re-reads of 3 requests each.
    expect(server.counts.get('/contacts/search')).toBeLessThanOrEqual(2 * 4 * 3);
    expect(new Set(recordsOf(run, 'contacts').map((r) => r.id))).toEqual(new Set(['ct-0', 'ct-A', 'ct-B']));
  });

  it('time windows: activity-log pages that never advance stop the stream; STATE stays before the stalled window', async () => {
    const stallFrom = NOW - 10 * DAY;
    let firstStalledWindow = Infinity;
    const server = await hostile((path, q) => {
      if (path !== '/admins/activity_logs') return [404, {}];
      const after = Number(q.get('created_at_after'));
      if (after < stallFrom)
        return {
          type: 'activity_log.list',
          activity_logs: [],
          pages: { type: 'pages', next: null, page: 1, per_page: 20, total_pages: 1 },
        };
      firstStalledWindow = Math.min(firstStalledWindow, after + 1);
      const log = {
        id: `log-${after}`,
        created_at: after + 10,
        activity_type: 'admin_login_success',
        performed_by: { id: '1' },
      };
      return {
        type: 'activity_log.list',
        activity_logs: [log],
        pages: { type: 'pages', next: null, page: 1, per_page: 1, total_pages: 3 },
      };
    });
    const run = await read(server, [{ name: 'activity_logs', incremental: true }], {
      start_date: new Date((NOW - 20 * DAY) * 1000).toISOString(),
      max_concurrency: 1,
    });
    expectOneStall(run, /page 2 was asked for and page 1 came back/);
    expect(server.counts.get('/admins/activity_logs')).toBeLessThanOrEqual(10);
    expect(recordsOf(run, 'activity_logs').length).toBeGreaterThan(0);
    const states = lastStates(run).map(
      (s) => ((s as Json).stream as { stream_state: { created_at?: number } }).stream_state.created_at ?? 0,
    );
    expect(states.length).toBeGreaterThan(0);
    for (const createdAt of states) expect(createdAt).toBeLessThanOrEqual(firstStalledWindow);
  });

  it('custom stream: a new cursor with the same record forever stops after the idle-page bound', async () => {
    const server = await hostile((path, q) => {
      if (path !== '/things') return [404, {}];
      const n = Number(q.get('starting_after')?.slice(1) ?? 0);
      return { data: [{ id: 'thing-1' }], pages: { next: { starting_after: `x${n + 1}` } } };
    });
    const run = await read(server, [{ name: 'things' }], {
      custom_streams: [
        { name: 'things', path: '/things', records_path: '$.data[*]', pagination: 'cursor', primary_key: ['id'] },
      ],
    });
    expectOneStall(run, /GET \/things.*pages in a row brought no new record/);
    expect(server.counts.get('/things')).toBeLessThanOrEqual(8);
    expect(recordsOf(run, 'things').map((r) => r.id)).toContain('thing-1');
  });
});
