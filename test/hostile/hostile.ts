import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { BIN, writeJsonFiles } from '../helpers/run-cli.js';
import { recordOutput, recordSecret } from '../helpers/secret-audit.js';

/** The token every hostile case configures; no 8-character run of it may appear in any output. */
export const TOKEN = 'hostile-suite-token-Zq8wX3vB7nL2pR5t';
recordSecret(TOKEN);

export interface Hit {
  server: string;
  method: string;
  url: string;
  authorization: string | undefined;
}

export interface HostileServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Every request any hostile server of this file received, in order. */
export const hits: Hit[] = [];

/** One small HTTP server on a loopback address, answering with `handler`. */
export async function hostileServer(
  name: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<HostileServer> {
  const server: Server = createServer((req, res) => {
    hits.push({
      server: name,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      authorization: req.headers.authorization,
    });
    // Read a request body (searches) before answering; handlers find it as req.body.
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(Object.assign(req, { body }), res));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export const ADMINS = [
  { type: 'admin', id: '1', name: 'Ada', email: 'ada@example.com' },
  { type: 'admin', id: '2', name: 'Bo', email: 'bo@example.com' },
];

/** Streams read incrementally on `updated_at`; the others full refresh. */
const INCREMENTAL = new Set(['contacts']);

export function catalog(streams: string[]): unknown {
  return {
    streams: streams.map((name) =>
      INCREMENTAL.has(name)
        ? {
            stream: {
              name,
              json_schema: {},
              supported_sync_modes: ['full_refresh', 'incremental'],
              source_defined_cursor: true,
              default_cursor_field: ['updated_at'],
            },
            sync_mode: 'incremental',
            cursor_field: ['updated_at'],
            destination_sync_mode: 'append_dedup',
            primary_key: [['id']],
          }
        : {
            stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
            sync_mode: 'full_refresh',
            destination_sync_mode: 'overwrite',
          },
    ),
  };
}

/** The cursor of every STATE the run emitted for `stream`. */
export function stateCursors(run: HostileRun, stream: string): number[] {
  return run.messages
    .filter((m) => m.type === 'STATE')
    .map(
      (m) =>
        (m.state as { stream?: { stream_descriptor: { name: string }; stream_state: { updated_at?: number } } }).stream,
    )
    .filter((s) => s?.stream_descriptor.name === stream)
    .map((s) => Number(s!.stream_state.updated_at));
}

export interface HostileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Record<string, unknown>[];
  /** Peak resident memory of the connector process (from /usr/bin/time), in MB. */
  peakRssMb: number;
}

/**
 * Runs the built connector (Airbyte `read` or the Singer tap) against `baseUrl` under
 * /usr/bin/time, so the peak memory is the kernel's figure, not a stopwatch or a guess.
 */
export function runConnector(
  kind: 'airbyte' | 'tap',
  baseUrl: string,
  streams: string[],
  config: Record<string, unknown> = {},
  opts: { state?: unknown; timeoutMs?: number } = {},
): Promise<HostileRun> {
  const timeoutMs = opts.timeoutMs ?? 45_000;
  const files = writeJsonFiles({
    config: {
      access_token: TOKEN,
      base_url: baseUrl,
      max_retries: 1,
      request_timeout_seconds: 10,
      max_rate_limit_wait_seconds: 3,
      max_concurrency: 2,
      ...config,
    },
    catalog: kind === 'airbyte' ? catalog(streams) : singerCatalog(streams),
    ...(opts.state === undefined ? {} : { state: opts.state }),
  });
  const state = files.state ? ['--state', files.state] : [];
  const args =
    kind === 'airbyte'
      ? [BIN.airbyte, 'read', '--config', files.config!, '--catalog', files.catalog!, ...state, '--quiet']
      : [BIN.tap, '--config', files.config!, '--catalog', files.catalog!, ...state, '--quiet'];
  return new Promise((resolve, reject) => {
    // Its own process group, so the hang guard ends the connector too, not only /usr/bin/time.
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', process.execPath, ...args], {
      env: { ...process.env, INTERCOM_CONNECTOR_RETRY_BASE_MS: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // A hang guard only: the cases assert on requests and messages, never on elapsed time.
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`connector did not finish: ${stderr.slice(-1500)}`));
    }, timeoutMs);
    const t0 = Date.now();
    child.on('close', (code) => {
      clearTimeout(timer);
      // HOSTILE_REPORT=1 prints each run's exit, time, peak memory and error (the before/after figures); nothing asserts on time.
      if (process.env.HOSTILE_REPORT)
        console.log(
          `HOSTILE_RUN ${kind} code=${code} ms=${Date.now() - t0} ${/PEAK_RSS_KB=(\d+)/.exec(stderr)?.[0]} lines=${stdout.split('\n').length} err=${
            /"error":\{"message":"([^"]{0,160})/.exec(stdout)?.[1] ??
            stderr
              .split('\n')
              .filter((l) => /CRITICAL|ERROR/.test(l))[0]
              ?.slice(0, 160)
          }`,
        );
      recordOutput(`hostile ${kind} ${baseUrl}`, stdout + stderr);
      const rss = /PEAK_RSS_KB=(\d+)/.exec(stderr);
      const messages = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { __unparsable: l };
          }
        });
      resolve({
        code,
        stdout,
        stderr: stderr.replace(/PEAK_RSS_KB=\d+\n?/, ''),
        messages,
        peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
      });
    });
  });
}

function singerCatalog(streams: string[]): unknown {
  return {
    streams: streams.map((name) => ({
      tap_stream_id: name,
      stream: name,
      schema: { type: 'object' },
      metadata: [{ breadcrumb: [], metadata: { selected: true } }],
    })),
  };
}

export function traceErrors(run: HostileRun): { message: string; internal_message?: string; failure_type: string }[] {
  return run.messages
    .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR')
    .map((m) => (m.trace as { error: { message: string; internal_message?: string; failure_type: string } }).error);
}

export function recordIds(run: HostileRun, stream: string): string[] {
  return run.messages
    .filter((m) => m.type === 'RECORD')
    .map(
      (m) =>
        (m.stream === stream
          ? m.record
          : (m.record as { stream: string; data: unknown }).stream === stream
            ? (m.record as { data: unknown }).data
            : undefined) as { id?: string } | undefined,
    )
    .filter((r): r is { id?: string } => r !== undefined)
    .map((r) => String(r.id));
}

/** No run of 8 characters of the token in any output, and no request with it to a server other than `allowed`. */
export function assertTokenContained(run: HostileRun, allowed: string[]): void {
  for (let i = 0; i + 8 <= TOKEN.length; i++) {
    const fragment = TOKEN.slice(i, i + 8);
    expect(run.stdout, `stdout holds "${fragment}"`).not.toContain(fragment);
    expect(run.stderr, `stderr holds "${fragment}"`).not.toContain(fragment);
  }
  for (const hit of hits)
    if (hit.authorization?.includes(TOKEN))
      expect(allowed, `token sent to ${hit.server} ${hit.url}`).toContain(hit.server);
}

/** Every stdout line is one JSON message (the protocol only). */
export function assertProtocolOnly(run: HostileRun): void {
  expect(run.messages.filter((m) => '__unparsable' in m)).toEqual([]);
}
