import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, LogLevel } from '../../src/core/events.js';
import { parseDestinationConfig } from '../../src/destination/config.js';
import { WriteEngine, type WriteResult } from '../../src/destination/engine.js';
import type { InputEvent } from '../../src/destination/input.js';
import { StreamRoutes } from '../../src/destination/routes.js';
import type { WriteShell } from '../../src/destination/shells.js';
import { BUILT_IN_WRITERS } from '../../src/destination/writers/registry.js';
import type { ObjectWriter, Operation, WriterRoute } from '../../src/destination/writers/types.js';
import { IntercomClient } from '../../src/intercom/client.js';
import { recordSecret, recordOutput } from '../helpers/secret-audit.js';

/**
 * Crafted identifiers against every path a destination writer builds from a record. The cases come
 * from the writers' own route declarations (and generic-mode templates), so a new writer or route
 * is covered without touching this file. Each case writes one good record, then the crafted one,
 * then a STATE, through the real engine and HTTP client against a server that logs every request:
 * only the good record's request may arrive, the crafted one is dead-lettered as
 * invalid_identifier, the counts say so, the STATE is echoed, and the token appears nowhere.
 */

// Random letters, so that any 8 characters of it found in an output are a leak, not a coincidence.
const TOKEN = 'hx7Qz9Lm4Rk8Wp3Jd6Hs1Vb5Nc2Ty0Ae';
recordSecret(TOKEN);

/** A value that must never shape a request path. */
const CRAFTED: readonly string[] = [
  '..',
  '.',
  '%2F',
  '%2e%2e',
  '?',
  '#',
  '/',
  '\\',
  '\n',
  '',
  '../../tags/1',
  '%252e%252e',
  'x?y=1',
  'x#y',
  '\u0000',
  '\ud800',
  `${TOKEN}/..`,
];

/** Generic mode: Intercom's attach and detach of a company (OpenAPI 2.14), as a user would configure them. */
const GENERIC_STREAMS = {
  generic_attach_company: { method: 'POST', path: '/contacts/{contact_id}/companies' },
  generic_detach_company: { method: 'DELETE', path: '/contacts/{contact_id}/companies/{company_id}' },
} as const;

interface Case {
  stream: string;
  config: JsonObject;
  operation: Operation;
  field: string;
  route: WriterRoute;
}

/** One case per writer, operation and placeholder field (a lookup GET route shares its POST's fields). */
function pathCases(): Case[] {
  const writers: { stream: string; config: JsonObject; writer: ObjectWriter }[] = [...BUILT_IN_WRITERS.values()].map(
    (writer) => ({ stream: writer.object, config: {}, writer }),
  );
  const generic = new StreamRoutes({ ...GENERIC_STREAMS });
  for (const [stream, config] of Object.entries(GENERIC_STREAMS)) {
    const route = generic.get(stream);
    if (typeof route === 'string') throw new Error(route);
    writers.push({ stream, config: { ...config }, writer: route.writer });
  }
  const cases = new Map<string, Case>();
  for (const { stream, config, writer } of writers) {
    for (const route of writer.routes) {
      if (route.method === 'GET') continue;
      const operations = Object.keys(config).length ? [writer.defaultOperation] : route.operations;
      for (const operation of operations) {
        for (const field of placeholders(route.template))
          cases.set(`${stream}|${operation}|${field}`, {
            stream,
            config: { ...config, ...(Object.keys(config).length ? {} : { operation }) },
            operation,
            field,
            route,
          });
      }
    }
  }
  return [...cases.values()];
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);
}

/** The good record's request, filled by hand (plain ids need no encoding). */
function expectedRequest(route: WriterRoute): string {
  return `${route.method} ${route.template.replace(/\{([^{}]+)\}/g, (_m, name: string) => String(route.example[name]))}`;
}

class MemoryShell implements WriteShell {
  readonly logs: { level: LogLevel; message: string }[] = [];
  readonly states: unknown[] = [];
  failure: string | undefined;
  log(level: LogLevel, message: string): void {
    this.logs.push({ level, message });
  }
  echoState(payload: unknown): void {
    this.states.push(payload);
  }
  fail(message: string): void {
    this.failure = message;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Answers every request 200 and logs `METHOD /path?query` as it arrived on the wire. */
let server: Server;
let baseUrl: string;
let requests: string[] = [];
let answer: (method: string, path: string) => unknown = () => ({ type: 'ok', id: 'ok-1' });

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(req.method ?? '', req.url ?? '')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = [];
  answer = () => ({ type: 'ok', id: 'ok-1' });
});

interface Run {
  result: WriteResult;
  shell: MemoryShell;
  deadLetters: JsonObject[];
  files: string;
}

async function write(
  stream: string,
  streamConfig: JsonObject,
  events: InputEvent[],
  afterConfig?: (paths: Record<string, string>) => void,
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'ic-hostile-dest-'));
  const paths = {
    dead_letter_path: join(dir, 'dl.jsonl'),
    responses_path: join(dir, 'responses.jsonl'),
    ledger_path: join(dir, 'ledger.jsonl'),
  };
  const config = parseDestinationConfig(
    { access_token: TOKEN, base_url: baseUrl, ...paths, max_retries: 0, streams: { [stream]: streamConfig } },
    {},
  );
  afterConfig?.(paths);
  const client = new IntercomClient({
    baseUrl,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 4,
    maxRetries: 0,
    maxRateLimitWaitMs: 1000,
    retryBaseDelayMs: 5,
  });
  const shell = new MemoryShell();
  const engine = new WriteEngine({ client, config, routes: new StreamRoutes(config.streams), shell, retryBaseMs: 5 });
  const result = await engine.run(
    (async function* () {
      yield* events;
    })(),
  );
  // Only what the engine wrote: a link planted by a test is not its output.
  const read = (path: string): string =>
    existsSync(path) && !lstatSync(path).isSymbolicLink() ? readFileSync(path, 'utf8') : '';
  const deadLetters = read(paths.dead_letter_path)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonObject);
  const files = [read(paths.dead_letter_path), read(paths.responses_path), read(paths.ledger_path)].join('\n');
  recordOutput(
    `hostile destination ${stream}`,
    [files, ...shell.logs.map((l) => l.message), JSON.stringify(shell.states), shell.failure ?? ''].join('\n'),
  );
  return { result, shell, deadLetters, files };
}

const record = (stream: string, data: JsonObject): InputEvent => ({ type: 'record', stream, data });
const state = (n: number): InputEvent => ({ type: 'state', payload: { n } });

/** Neither the token nor any 8 characters of it appear in the files, logs, echoed states or failure. */
function expectNoToken(run: Run): void {
  const outputs = [
    run.files,
    ...run.shell.logs.map((l) => l.message),
    JSON.stringify(run.shell.states),
    run.shell.failure ?? '',
  ].join('\n');
  for (let i = 0; i + 8 <= TOKEN.length; i++)
    expect(outputs, `token fragment at ${i}`).not.toContain(TOKEN.slice(i, i + 8));
}

const CASES = pathCases();

describe('the table covers every writer that fills a path from a record', () => {
  it('has cases for every built-in writer with path placeholders and for generic mode', () => {
    const covered = new Set(CASES.map((c) => c.stream));
    for (const writer of BUILT_IN_WRITERS.values())
      if (writer.routes.some((r) => placeholders(r.template).length))
        expect(covered, writer.object).toContain(writer.object);
    expect([...covered].sort()).toEqual([
      'companies',
      'contact_tags',
      'contacts',
      'conversation_replies',
      'generic_attach_company',
      'generic_detach_company',
      'notes',
      'tickets',
    ]);
  });

  it('every path a writer plans for its examples is one of its declared routes', () => {
    for (const writer of BUILT_IN_WRITERS.values()) {
      for (const route of writer.routes) {
        const planned = writer
          .prepare(route.example, route.operations[0]!, () => {})
          .plan.map((p) => `${p.method} ${p.path}`);
        expect(planned, `${writer.object} ${route.operations[0]}`).toContain(
          expectedRequest(
            writer.routes.find((r) => r.method !== 'GET' && r.operations.includes(route.operations[0]!))!,
          ),
        );
      }
    }
  });
});

describe.each(CASES)('$stream $operation: crafted {$field}', ({ stream, config, field, route }) => {
  it.each(CRAFTED.map((value) => [JSON.stringify(value), value]))(
    '%s is dead-lettered as invalid_identifier and never sent',
    async (_label, value) => {
      const crafted = { ...route.example, [field]: value };
      const run = await write(stream, config, [record(stream, route.example), record(stream, crafted), state(1)]);

      expect(requests).toEqual([expectedRequest(route)]);
      expect(run.deadLetters).toHaveLength(1);
      expect(run.deadLetters[0]).toMatchObject({
        stream,
        code: 'invalid_identifier',
        status: null,
        message: expect.stringContaining(`record.${field}`),
      });
      const counts = run.result.summary.stream(stream);
      expect(counts).toMatchObject({ received: 2, written: 1, failed: 1, skipped: 0 });
      expect(run.shell.states).toEqual([{ n: 1 }]);
      expect(run.result.ok).toBe(true);
      expectNoToken(run);
    },
  );
});

describe('a dead letter that cannot be written', () => {
  it('stops the run: the STATE after the refused record is not echoed (it was neither sent nor durably dead-lettered)', async () => {
    const victim = join(mkdtempSync(join(tmpdir(), 'ic-hostile-victim-')), 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    // A link swapped in after the config check: the open refuses it (O_NOFOLLOW) instead of appending to the victim.
    const run = await write(
      'contact_tags',
      { operation: 'detach' },
      [record('contact_tags', { contact_id: '..', tag_id: '1' }), state(1)],
      (paths) => symlinkSync(victim, paths.dead_letter_path!),
    );
    expect(requests).toEqual([]);
    expect(run.shell.states).toEqual([]);
    expect(run.result.ok).toBe(false);
    expect(run.shell.failure).toMatch(/dead-letter file .*symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  });
});

describe('an identifier from a hostile answer', () => {
  it("a contact id of '..' in Intercom's search answer is never used in a path", async () => {
    answer = (method, path) =>
      method === 'POST' && path === '/contacts/search'
        ? { type: 'list', data: [{ id: '..', external_id: 'e-1' }] }
        : { type: 'contact', id: 'ok-1' };
    const run = await write('contacts', {}, [record('contacts', { external_id: 'e-1', name: 'Ada' }), state(1)]);
    expect(requests).toEqual(['POST /contacts/search']);
    expect(run.deadLetters).toMatchObject([
      {
        stream: 'contacts',
        code: 'invalid_identifier',
        message: expect.stringContaining("the contact id in Intercom's answer"),
      },
    ]);
    expect(run.result.summary.stream('contacts')).toMatchObject({ received: 1, written: 0, failed: 1 });
    expect(run.shell.states).toEqual([{ n: 1 }]);
    expectNoToken(run);
  });
});

describe('records with JavaScript internals as field names', () => {
  it.each([
    ['__proto__', '{"company_id":"c-2","__proto__":{"name":"x"}}', 'record.__proto__'],
    ['constructor', '{"company_id":"c-2","constructor":"x"}', 'record.constructor'],
    ['prototype', '{"company_id":"c-2","prototype":"x"}', 'record.prototype'],
    [
      'nested __proto__',
      '{"company_id":"c-2","custom_attributes":{"__proto__":{"plan":"x"}}}',
      'record.custom_attributes.__proto__',
    ],
  ])(
    '%s: dead-lettered (invalid_record naming the field), not sent, never silently dropped',
    async (_label, json, where) => {
      const data = JSON.parse(json) as JsonObject;
      const run = await write('companies', {}, [
        record('companies', { company_id: 'c-1' }),
        record('companies', data),
        state(1),
      ]);
      expect(requests).toEqual(['POST /companies']);
      expect(run.deadLetters).toMatchObject([
        { stream: 'companies', code: 'invalid_record', message: expect.stringContaining(where) },
      ]);
      expect(run.result.summary.stream('companies')).toMatchObject({ received: 2, failed: 1 });
      expect(run.shell.states).toEqual([{ n: 1 }]);
    },
  );
});
