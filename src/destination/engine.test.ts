import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject, LogLevel } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import { parseDestinationConfig } from './config.js';
import { WriteEngine, type WriteResult } from './engine.js';
import type { InputEvent } from './input.js';
import { Ledger } from './ledger.js';
import { StreamRoutes } from './routes.js';
import type { WriteShell } from './shells.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'engine-test-token-0123456789';

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

interface Run {
  result: WriteResult;
  shell: MemoryShell;
  deadLetters: JsonObject[];
  dir: string;
}

async function write(
  events: InputEvent[],
  config: JsonObject = {},
  dir = mkdtempSync(join(tmpdir(), 'ic-engine-')),
): Promise<Run> {
  const parsed = parseDestinationConfig(
    {
      access_token: TOKEN,
      dead_letter_path: join(dir, 'dl.jsonl'),
      ledger_path: join(dir, 'ledger.jsonl'),
      max_retries: 2,
      ...config,
    },
    {},
  );
  const client = new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 300,
    maxConcurrency: 4,
    maxRetries: 2,
    maxRateLimitWaitMs: 5000,
    retryBaseDelayMs: 5,
  });
  const shell = new MemoryShell();
  const engine = new WriteEngine({
    client,
    config: parsed,
    routes: new StreamRoutes(parsed.streams),
    shell,
    retryBaseMs: 5,
  });
  const result = await engine.run(
    (async function* () {
      yield* events;
    })(),
  );
  const path = join(dir, 'dl.jsonl');
  const deadLetters = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as JsonObject)
    : [];
  return { result, shell, deadLetters, dir };
}

const record = (stream: string, data: JsonObject): InputEvent => ({ type: 'record', stream, data });
const state = (n: number): InputEvent => ({ type: 'state', payload: { n } });
const errorList = (code: string, message: string) => ({
  type: 'error.list',
  request_id: 'r',
  errors: [{ code, message }],
});
const reset = { code: 'ECONNRESET', message: 'socket hang up' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});

describe('contacts upsert', () => {
  it('a 409 that does not name the contact: search again until the index shows it, then update (no duplicate)', async () => {
    const scope = nock(BASE)
      .post('/contacts/search')
      .times(2)
      .reply(200, { type: 'list', data: [] })
      .post('/contacts')
      .reply(409, errorList('conflict', 'A contact matching those details already exists'))
      .post('/contacts/search')
      .reply(200, { type: 'list', data: [{ id: 'c-1', external_id: 'e-1', email: 'e1@example.com' }] })
      .put('/contacts/c-1', { external_id: 'e-1', name: 'E' })
      .reply(200, { type: 'contact', id: 'c-1' });
    const run = await write([record('contacts', { external_id: 'e-1', name: 'E' }), state(1)]);
    scope.done();
    expect(run.result.ok).toBe(true);
    expect(run.result.summary.stream('contacts')).toMatchObject({ updated: 1, created: 0, failed: 0 });
    expect(run.shell.states).toEqual([{ n: 1 }]);
  });

  it('records for the same person keep their order: the second waits for the first and reuses its id', async () => {
    const order: string[] = [];
    nock(BASE)
      .post('/contacts/search')
      .reply(200, { type: 'list', data: [] })
      .post('/contacts')
      .delay(80)
      .reply(200, () => (order.push('create'), { type: 'contact', id: 'c-9' }))
      .put('/contacts/c-9')
      .reply(200, () => (order.push('update'), { type: 'contact', id: 'c-9' }));
    const run = await write([
      record('contacts', { email: 'x@example.com', name: 'one' }),
      record('contacts', { email: 'X@example.com', name: 'two' }),
    ]);
    expect(order).toEqual(['create', 'update']);
    expect(run.result.summary.stream('contacts')).toMatchObject({ created: 1, updated: 1 });
  });
});

describe('non-idempotent writes (notes, tickets)', () => {
  const note = record('notes', { contact_id: 'c-1', body: 'hello', admin_id: '7' });

  it("a reset after sending: the contact's notes are checked; not there, so the note is sent again", async () => {
    const scope = nock(BASE)
      .post('/contacts/c-1/notes')
      .replyWithError(reset)
      .get('/contacts/c-1/notes')
      .query({ per_page: 50 })
      .reply(200, { type: 'list', data: [] })
      .post('/contacts/c-1/notes')
      .reply(200, { type: 'note', id: 'n-1' });
    const run = await write([note]);
    scope.done();
    expect(run.result.summary.stream('notes')).toMatchObject({ created: 1, failed: 0 });
  });

  it('a reset after sending: the note is there already, so it is not sent again', async () => {
    const scope = nock(BASE)
      .post('/contacts/c-1/notes')
      .replyWithError(reset)
      .get('/contacts/c-1/notes')
      .query({ per_page: 50 })
      .reply(200, {
        type: 'list',
        data: [{ id: 'n-1', body: '<p>hello</p>', author: { id: '7' }, created_at: Math.floor(Date.now() / 1000) }],
      });
    const run = await write([note]);
    scope.done();
    expect(run.result.summary.stream('notes')).toMatchObject({ created: 1, failed: 0 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a ticket: a 503 answer is retried; a reset is dead-lettered as unknown_outcome, never sent twice', async () => {
    const ticket = record('tickets', { ticket_type_id: '1', contact_id: 'c-1' });
    nock(BASE)
      .post('/tickets')
      .reply(503, errorList('service_unavailable', 'x'))
      .post('/tickets')
      .reply(200, { type: 'ticket', id: 't-1' });
    const retried = await write([ticket]);
    expect(retried.result.summary.stream('tickets')).toMatchObject({ created: 1 });

    const scope = nock(BASE).post('/tickets').replyWithError(reset);
    const lost = await write([ticket]);
    scope.done();
    expect(lost.deadLetters).toMatchObject([{ stream: 'tickets', code: 'unknown_outcome' }]);
    expect(lost.result.ok).toBe(true);
  });

  it('the ledger: a re-run skips what an earlier run wrote; an answer lost in a crash is checked, not re-sent blindly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-ledger-'));
    nock(BASE).post('/contacts/c-1/notes').reply(200, { type: 'note', id: 'n-1' });
    await write([note], {}, dir);
    const again = await write([note], {}, dir);
    expect(again.result.summary.stream('notes')).toMatchObject({ skipped: 1, created: 0 });
    expect(again.shell.logs.some((l) => l.message.includes('already written by an earlier run'))).toBe(true);

    // A ticket sent just before a crash (ledger says "sent", no answer): no way to check, so it is dead-lettered.
    const ticket = record('tickets', { ticket_type_id: '1', contact_id: 'c-1' });
    const key = Ledger.keyOf({
      method: 'POST',
      path: '/tickets',
      json: { ticket_type_id: '1', contacts: [{ id: 'c-1' }] },
    });
    appendFileSync(join(dir, 'ledger.jsonl'), `${JSON.stringify({ k: key, s: 'sent' })}\n{"k":"cut sho`);
    const rerun = await write([ticket], {}, dir);
    expect(rerun.deadLetters).toMatchObject([
      { code: 'unknown_outcome', message: expect.stringContaining('an earlier run sent it') },
    ]);
  });
});

describe('generic mode', () => {
  it('batches records under batch_property with the static body; a STATE flushes the open batch and waits for it', async () => {
    const bodies: unknown[] = [];
    nock(BASE)
      .post('/bulk/things')
      .times(2)
      .reply(200, (_uri, body) => (bodies.push(body), { ok: true }));
    const run = await write(
      [record('things', { a: 1, secret: 'x' }), record('things', { a: 2 }), record('things', { a: 3 }), state(1)],
      {
        streams: {
          things: {
            method: 'POST',
            path: '/bulk/things',
            batch_property: 'items',
            batch_size: 2,
            body: { source: 'warehouse' },
            exclude_fields: ['secret'],
          },
        },
      },
    );
    expect(bodies).toEqual([
      { source: 'warehouse', items: [{ a: 1 }, { a: 2 }] },
      { source: 'warehouse', items: [{ a: 3 }] },
    ]);
    expect(run.shell.states).toEqual([{ n: 1 }]);
    expect(run.result.summary.stream('things')).toMatchObject({ written: 3 });
  });

  it('fills {placeholders} URL-encoded and leaves them out of the body; a 4xx, a missing or a path-changing value dead-letters the record', async () => {
    nock(BASE)
      .put('/things/a%20b', { x: 1 })
      .reply(200, { id: 'a b' })
      .put('/things/zz', { x: 2 })
      .reply(422, errorList('parameter_invalid', 'x is odd'));
    const run = await write(
      [
        record('things', { id: 'a b', x: 1 }),
        record('things', { id: 'zz', x: 2 }),
        record('things', { x: 3 }),
        record('things', { id: 'a/b', x: 4 }),
      ],
      { streams: { things: { method: 'PUT', path: '/things/{id}' } } },
    );
    expect(run.result.summary.stream('things')).toMatchObject({ written: 1, failed: 3 });
    expect(run.deadLetters.map((d) => [d.code, d.status, d.intercom_code, d.message])).toEqual(
      expect.arrayContaining([
        ['http_error', 422, 'parameter_invalid', 'x is odd'],
        ['invalid_record', null, null, expect.stringContaining('record.id is required')],
        ['invalid_identifier', null, null, expect.stringContaining("record.id contains '/'")],
      ]),
    );
    expect(run.deadLetters.find((d) => d.code === 'http_error')).toMatchObject({
      stream: 'things',
      record: { id: 'zz', x: 2 },
      endpoint: 'PUT /things/zz',
    });
  });
});

describe('fatal failures', () => {
  it('a 401 stops the run; the STATE after the failed record is not echoed', async () => {
    nock(BASE)
      .post('/companies')
      .reply(200, { id: '1' })
      .post('/companies')
      .reply(401, errorList('unauthorized', 'Access Token Invalid'));
    const run = await write([
      record('companies', { company_id: 'a' }),
      state(1),
      record('companies', { company_id: 'b' }),
      state(2),
    ]);
    expect(run.result.ok).toBe(false);
    expect(run.shell.states).toEqual([{ n: 1 }]);
    expect(run.shell.failure).toMatch(/access token invalid or revoked/);
    expect(run.deadLetters).toEqual([]);
  });
});
