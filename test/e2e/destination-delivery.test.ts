import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type FakeIntercom, type FakeIntercomOptions } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, runCli, type CliRun } from '../helpers/run-cli.js';
import {
  airbyteRecord,
  airbyteState,
  destinationFiles,
  echoedAirbyteStates,
  echoedSingerStates,
  input,
  jsonl,
  logMessages,
  singerRecord,
  singerSchema,
  singerState,
  writeSummary,
  type Rec,
} from './destination-helpers.js';

/**
 * Delivery guarantees of the destination, through the built CLI: STATE only after its records,
 * bad records dead-lettered with their reason, a SIGKILL and re-run duplicates nothing, a dry run
 * sends nothing, and 429 / 5xx / resets neither duplicate nor drop a record.
 */
const TOKEN = 'e2e-delivery-token-0a1b2c3d4e';
let fake: FakeIntercom | undefined;

async function startFake(opts: FakeIntercomOptions = {}): Promise<FakeIntercom> {
  fake = await startFakeIntercom({
    seed: 31,
    token: TOKEN,
    size: { contacts: 60, companies: 10, conversations: 12, tickets: 4, largeConversations: 0, largeTickets: 0 },
    ...opts,
  });
  return fake;
}
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const aliveByExternalId = (f: FakeIntercom, externalId: string) =>
  f.workspace.contacts.filter((c) => c.external_id === externalId && !cur(c).deleted);

describe('STATE is echoed only after every record before it was acknowledged', () => {
  const records = 200;
  const every = 10;
  const contactLines = (toLine: (data: Rec) => string, stateLine: (n: number) => string): string[] => {
    const lines: string[] = [];
    for (let i = 0; i < records; i++) {
      lines.push(toLine({ external_id: `ord-${i}`, email: `ord${i}@example.com`, name: `Ordered ${i}` }));
      if ((i + 1) % every === 0) lines.push(stateLine((i + 1) / every));
    }
    return lines;
  };

  /** Every state n arrived after the fake answered the writes of records [0, n * every). */
  function expectStatesAfterWrites(f: FakeIntercom, arrivals: Map<number, number>): void {
    const writtenAt = new Map<string, number>();
    for (const e of f.writes.log)
      if (e.status === 200) writtenAt.set((e.body as { external_id: string }).external_id ?? e.path, e.at);
    expect(arrivals.size).toBe(records / every);
    for (const [n, arrivedAt] of arrivals) {
      for (let i = 0; i < n * every; i++) {
        const at = writtenAt.get(`ord-${i}`);
        expect(at, `record ${i} written before state ${n}`).toBeDefined();
        expect(at!, `record ${i} before state ${n}`).toBeLessThanOrEqual(arrivedAt);
      }
    }
  }

  it.each(['airbyte', 'singer'] as const)(
    '%s: with latency, jitter and a request that hangs past its timeout',
    async (protocol) => {
      const f = await startFake({ latencyMs: 15, jitterMs: 12, indexLagSeconds: 60 });
      // The 26th create hangs: its record (and every STATE after it) waits for the retry.
      f.setFaults([{ route: 'POST /contacts', kind: 'hang', after: 25, times: 1 }]);
      const files = destinationFiles(f, TOKEN, ['contacts'], { max_concurrency: 8, request_timeout_seconds: 1 });
      const arrivals = new Map<number, number>();
      const lines =
        protocol === 'airbyte'
          ? contactLines(
              (d) => airbyteRecord('contacts', d),
              (n) => airbyteState(n),
            )
          : [
              singerSchema('contacts'),
              ...contactLines(
                (d) => singerRecord('contacts', d),
                (n) => singerState(n),
              ),
            ];
      const args =
        protocol === 'airbyte'
          ? ['write', '--config', files.config, '--catalog', files.catalog]
          : ['--config', files.config];
      const run = await runCli(protocol === 'airbyte' ? BIN.airbyte : BIN.target, args, {
        stdin: input(lines),
        onLine: (line) => {
          const at = Date.now();
          if (protocol === 'singer') arrivals.set((JSON.parse(line) as { bookmarks: { n: number } }).bookmarks.n, at);
          else if (line.startsWith('{"type":"STATE"'))
            arrivals.set(
              (JSON.parse(line) as { state: { stream: { stream_state: { n: number } } } }).state.stream.stream_state.n,
              at,
            );
        },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(protocol === 'airbyte' ? echoedAirbyteStates(run) : echoedSingerStates(run)).toEqual(
        Array.from({ length: records / every }, (_, i) => i + 1),
      );
      expect(f.stats.faultsInjected).toBe(1);
      expect(f.stats.maxInFlight).toBeGreaterThan(2);
      expectStatesAfterWrites(f, arrivals);
      for (let i = 0; i < records; i++) expect(aliveByExternalId(f, `ord-${i}`), `ord-${i}`).toHaveLength(1);
    },
  );
});

describe('bad input is dead-lettered with its reason; nothing invalid reaches the API', () => {
  it('Airbyte: invalid records, API refusals, unknown streams, non-JSON and oversized lines', async () => {
    const f = await startFake({ latencyMs: 2 });
    const user = f.workspace.contacts.find((c) => c.external_id)!;
    const files = destinationFiles(f, TOKEN, ['contacts', 'companies', 'events', 'notes', 'tickets'], {
      max_message_bytes: 2048,
    });
    const lines = [
      airbyteRecord('contacts', { name: 'no identifiers' }),
      airbyteRecord('contacts', { external_id: 'bad-role', role: 'admin' }),
      airbyteRecord('contacts', { external_id: 'good-1', email: 'good1@example.com' }),
      airbyteRecord('companies', { company_id: 'bad-spend', monthly_spend: 'a lot' }),
      airbyteRecord('companies', { company_id: 'float-spend', monthly_spend: 12.5 }),
      airbyteState(1),
      airbyteRecord('events', { event_name: 'no-time', user_id: user.external_id }),
      airbyteRecord('events', {
        event_name: 'nested',
        created_at: 1_700_000_000,
        user_id: user.external_id,
        metadata: { a: { b: 1 } },
      }),
      airbyteRecord('events', { event_name: 'ghost', created_at: 1_700_000_000, user_id: 'no-such-user' }),
      airbyteRecord('notes', { contact_id: 'missing-contact', body: 'x' }),
      airbyteRecord('tickets', { ticket_type_id: '9999', contact_id: user.id }),
      airbyteRecord('widgets', { id: 1 }),
      'this is not json',
      airbyteRecord('contacts', { external_id: 'huge', name: 'x'.repeat(5000) }),
      airbyteRecord('contacts', { external_id: 'good-2', email: 'good2@example.com' }),
      airbyteState(2),
    ];
    const run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: input(lines),
    });
    expect(run.code, run.stderr).toBe(0);
    for (const line of run.lines) assertAirbyteMessage(line);
    expect(echoedAirbyteStates(run)).toEqual([1, 2]);
    expect(aliveByExternalId(f, 'good-1')).toHaveLength(1);
    expect(aliveByExternalId(f, 'good-2')).toHaveLength(1);

    const dead = jsonl(files.deadLetterPath);
    const byCode = (code: string) => dead.filter((d) => d.code === code);
    expect(byCode('invalid_record').map((d) => [d.stream, d.message])).toEqual([
      ['contacts', expect.stringContaining('record needs one of id, external_id, email')],
      ['contacts', expect.stringContaining('record.role must be one of "user", "lead"')],
      ['companies', expect.stringContaining('record.monthly_spend must be of type integer')],
      ['companies', expect.stringContaining('record.monthly_spend must be of type integer')],
      ['events', expect.stringContaining('record.created_at is required')],
      ['events', expect.stringContaining('record.metadata.a')],
    ]);
    expect(byCode('http_error').map((d) => [d.stream, d.status, d.intercom_code, d.message])).toEqual(
      expect.arrayContaining([
        ['events', 404, 'not_found', 'User Not Found'],
        ['notes', 404, 'not_found', 'User Not Found'],
        ['tickets', 404, 'ticket_type_not_found', 'Ticket type not found'],
      ]),
    );
    expect(byCode('http_error')).toHaveLength(3);
    expect(byCode('http_error').every((d) => typeof d.record === 'object')).toBe(true);
    expect(byCode('unknown_stream')).toMatchObject([
      {
        stream: 'widgets',
        record: { id: 1 },
        message: expect.stringContaining("'widgets' is not in the configured catalog"),
      },
    ]);
    expect(byCode('invalid_json')).toMatchObject([{ line: 'this is not json' }]);
    expect(byCode('oversized_message')).toHaveLength(1);
    expect(byCode('oversized_message')[0]!.message).toMatch(
      /the line is 5\d{3} bytes, more than max_message_bytes \(2048\)/,
    );
    expect(dead).toHaveLength(12);

    // Only the three refusals reached the API as errors: no invalid record was sent.
    expect(f.writes.log.filter((e) => e.status >= 400).map((e) => e.status)).toEqual([404, 404, 404]);
    expect(f.stats.byStatus['400']).toBeUndefined();
    const summary = writeSummary(run);
    expect(summary.dead_letters).toBe(12);
    expect(summary.streams.contacts).toMatchObject({ received: 4, created: 2, failed: 2 });
    expect(logMessages(run).filter((m) => m.startsWith('Dead-lettered'))).toHaveLength(12);
    expect(JSON.stringify(dead)).not.toContain(TOKEN);
  });

  it('Singer: a RECORD before its SCHEMA and a BATCH message are dead-lettered; the state still comes back', async () => {
    const f = await startFake({ latencyMs: 2 });
    const files = destinationFiles(f, TOKEN, []);
    const lines = [
      singerRecord('contacts', { external_id: 'early', email: 'early@example.com' }),
      JSON.stringify({
        type: 'BATCH',
        stream: 'contacts',
        encoding: { format: 'jsonl' },
        manifest: ['file:///tmp/x.jsonl'],
      }),
      singerSchema('contacts'),
      singerRecord('contacts', { external_id: 'late', email: 'late@example.com' }),
      singerSchema('mystery'),
      singerRecord('mystery', { a: 1 }),
      singerState(1),
    ];
    const run = await runCli(BIN.target, ['--config', files.config], { stdin: input(lines) });
    expect(run.code, run.stderr).toBe(0);
    expect(echoedSingerStates(run)).toEqual([1]);
    expect(aliveByExternalId(f, 'early')).toHaveLength(0);
    expect(aliveByExternalId(f, 'late')).toHaveLength(1);
    expect(jsonl(files.deadLetterPath).map((d) => [d.code, d.stream])).toEqual([
      ['record_before_schema', 'contacts'],
      ['unsupported_message', 'contacts'],
      ['unknown_stream', 'mystery'],
    ]);
    expect(run.stderr).toContain("SCHEMA for stream 'mystery': no writer for stream 'mystery'");
  });

  it('on_error = fail: stops at the first bad record; STATEs before it are echoed, none after; nothing after it is sent', async () => {
    const f = await startFake({ latencyMs: 2 });
    const files = destinationFiles(f, TOKEN, ['contacts'], { on_error: 'fail' });
    const lines = [
      airbyteRecord('contacts', { external_id: 'f-1', email: 'f1@example.com' }),
      airbyteState(1),
      airbyteRecord('contacts', { external_id: 'f-2', email: 'f2@example.com' }),
      airbyteRecord('contacts', { external_id: 'f-bad', role: 'owner' }),
      airbyteRecord('contacts', { external_id: 'f-3', email: 'f3@example.com' }),
      airbyteState(2),
    ];
    const run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: input(lines),
    });
    expect(run.code).toBe(1);
    expect(echoedAirbyteStates(run)).toEqual([1]);
    const error = run.messages.find((m) => m.type === 'TRACE')!.trace as {
      error: { message: string; failure_type: string };
    };
    expect(error.error.message).toContain('on_error is fail');
    expect(error.error.message).toContain('record.role must be one of');
    expect(aliveByExternalId(f, 'f-1')).toHaveLength(1);
    expect(aliveByExternalId(f, 'f-3')).toHaveLength(0);
    expect(existsSync(files.deadLetterPath)).toBe(false);
  });
});

describe('a SIGKILL mid-stream and a re-run from the last echoed STATE duplicate nothing', () => {
  it.each(['airbyte', 'singer'] as const)(
    '%s: contacts, events, notes and replies are each written exactly once',
    async (protocol) => {
      const f = await startFake({ latencyMs: 25, jitterMs: 10, indexLagSeconds: 300 });
      const blocks = 60;
      const contacts = f.workspace.contacts.filter((c) => !cur(c).deleted);
      const conversations = f.workspace.conversations;
      const admin = f.workspace.admins[0]!;
      const rec = protocol === 'airbyte' ? airbyteRecord : singerRecord;
      const stateLine = (n: number) => (protocol === 'airbyte' ? airbyteState(n, 'contacts') : singerState(n));
      const lines: string[] =
        protocol === 'singer' ? ['contacts', 'events', 'notes', 'conversation_replies'].map(singerSchema) : [];
      for (let i = 0; i < blocks; i++) {
        lines.push(rec('contacts', { external_id: `k-${i}`, email: `k${i}@example.com` }));
        lines.push(
          rec('events', { event_name: 'killed-and-resumed', created_at: 1_700_000_000 + i, user_id: `k-${i}` }),
        );
        lines.push(
          rec('notes', { contact_id: contacts[i % contacts.length]!.id, body: `note ${i}`, admin_id: admin.id }),
        );
        lines.push(
          rec('conversation_replies', {
            conversation_id: conversations[i % conversations.length]!.id,
            admin_id: admin.id,
            body: `reply ${i}`,
          }),
        );
        if ((i + 1) % 3 === 0) lines.push(stateLine((i + 1) / 3));
      }
      const files = destinationFiles(f, TOKEN, ['contacts', 'events', 'notes', 'conversation_replies'], {
        max_concurrency: 4,
      });
      const bin = protocol === 'airbyte' ? BIN.airbyte : BIN.target;
      const args =
        protocol === 'airbyte'
          ? ['write', '--config', files.config, '--catalog', files.catalog]
          : ['--config', files.config];
      const echoed = (run: CliRun) => (protocol === 'airbyte' ? echoedAirbyteStates(run) : echoedSingerStates(run));
      let states = 0;
      const first = await runCli(bin, args, {
        stdin: input(lines),
        onLine: (line, child) => {
          if ((protocol === 'singer' || line.startsWith('{"type":"STATE"')) && ++states === 4) child.kill('SIGKILL');
        },
      });
      expect(first.signal).toBe('SIGKILL');
      const last = echoed(first).at(-1)!;
      expect(last).toBeGreaterThanOrEqual(4);
      expect(last).toBeLessThan(blocks / 3);
      // The platform re-sends from the last state it got back (a Singer tap re-reads its SCHEMAs first).
      const resumeFrom = lines.indexOf(stateLine(last)) + 1;
      const rerun = [...(protocol === 'singer' ? lines.slice(0, 4) : []), ...lines.slice(resumeFrom)];
      const second = await runCli(bin, args, { stdin: input(rerun) });
      expect(second.code, second.stderr).toBe(0);
      expect(echoed(second).at(-1)).toBe(blocks / 3);

      for (let i = 0; i < blocks; i++) {
        expect(aliveByExternalId(f, `k-${i}`), `contact k-${i}`).toHaveLength(1);
        expect(
          f.writes.notes.filter((n) => n.body === `<p>note ${i}</p>`),
          `note ${i}`,
        ).toHaveLength(1);
        expect(
          f.writes.replies.filter((r) => r.body.body === `reply ${i}`),
          `reply ${i}`,
        ).toHaveLength(1);
        expect(
          f.writes.events.filter((e) => e.created_at === 1_700_000_000 + i),
          `event ${i}`,
        ).toHaveLength(1);
      }
      expect(jsonl(files.deadLetterPath)).toEqual([]);
      // The re-run repeated the tail after the last echoed STATE: what was already written was skipped or updated, not re-created.
      const notes = writeSummary(second).streams.notes!;
      expect(notes.received).toBeGreaterThan(0);
      expect(notes.created + notes.skipped).toBe(notes.received);
    },
  );
});

describe('dry run', () => {
  it('validates and logs the requests it would send without calling Intercom; echoes no STATE', async () => {
    const f = await startFake({ latencyMs: 2 });
    const user = f.workspace.contacts.find((c) => c.external_id)!;
    const files = destinationFiles(f, TOKEN, ['contacts', 'companies', 'notes'], { dry_run: true });
    const lines = [
      airbyteRecord('contacts', { external_id: 'dry-1', email: 'dry1@example.com', name: 'Dry' }),
      airbyteRecord('companies', { company_id: 'dry-co', monthly_spend: 5 }),
      airbyteRecord('notes', { contact_id: user.id, body: 'dry note' }),
      airbyteRecord('companies', { company_id: 'dry-bad', monthly_spend: 'lots' }),
      airbyteState(1),
    ];
    const run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: input(lines),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(f.stats.totalRequests).toBe(0);
    expect(echoedAirbyteStates(run)).toEqual([]);
    const planned = logMessages(run)
      .filter((m) => m.startsWith('DRY_RUN '))
      .map(
        (m) =>
          JSON.parse(m.slice('DRY_RUN '.length)) as {
            stream: string;
            method: string;
            path: string;
            body?: Rec;
            when?: string;
          },
      );
    expect(planned).toEqual([
      {
        stream: 'contacts',
        operation: 'upsert',
        method: 'POST',
        path: '/contacts/search',
        body: {
          query: {
            operator: 'OR',
            value: [
              { field: 'external_id', operator: '=', value: 'dry-1' },
              { field: 'email', operator: '=', value: 'dry1@example.com' },
            ],
          },
          pagination: { per_page: 5 },
        },
      },
      {
        stream: 'contacts',
        operation: 'upsert',
        method: 'PUT',
        path: '/contacts/{id}',
        body: { external_id: 'dry-1', email: 'dry1@example.com', name: 'Dry' },
        when: 'a contact matches',
      },
      {
        stream: 'contacts',
        operation: 'upsert',
        method: 'POST',
        path: '/contacts',
        body: { external_id: 'dry-1', email: 'dry1@example.com', name: 'Dry' },
        when: 'no contact matches',
      },
      {
        stream: 'companies',
        operation: 'upsert',
        method: 'POST',
        path: '/companies',
        body: { company_id: 'dry-co', monthly_spend: 5 },
      },
      {
        stream: 'notes',
        operation: 'create',
        method: 'POST',
        path: `/contacts/${user.id}/notes`,
        body: { body: 'dry note' },
      },
    ]);
    expect(logMessages(run).some((m) => m.startsWith('Would dead-letter stream companies: invalid_record'))).toBe(true);
    expect(writeSummary(run).streams.companies).toMatchObject({ planned: 1, failed: 1 });
    expect(existsSync(files.deadLetterPath)).toBe(false);
    expect(existsSync(files.ledgerPath)).toBe(false);
  });
});

describe('faults: 429, 5xx and connection resets never duplicate or drop a record', () => {
  const WRITES =
    '^(POST|PUT|DELETE) /(contacts|companies|events|conversations/[^/]+/reply|contacts/[^/]+/(tags|notes))$|^PUT /contacts/[^/]+$';

  it('every record lands exactly once', async () => {
    const f = await startFake({ latencyMs: 4, indexLagSeconds: 300 });
    f.setFaults([
      { route: WRITES, kind: '429', times: 2 },
      { route: WRITES, kind: 'status', status: 503, times: 8, probability: 0.15 },
      { route: WRITES, kind: 'status', status: 500, times: 4, probability: 0.1 },
      { route: WRITES, kind: 'reset', times: 12, probability: 0.2 },
    ]);
    const n = 25;
    const contacts = f.workspace.contacts.filter((c) => !cur(c).deleted);
    const conversations = f.workspace.conversations;
    const admin = f.workspace.admins[0]!;
    const tag = f.workspace.tags[0]!;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(airbyteRecord('contacts', { external_id: `fx-${i}`, email: `fx${i}@example.com` }));
      lines.push(airbyteRecord('companies', { company_id: `fx-co-${i}`, name: `Fx ${i}` }));
      lines.push(airbyteRecord('events', { event_name: 'fx', created_at: 1_700_000_000 + i, user_id: `fx-${i}` }));
      lines.push(airbyteRecord('notes', { contact_id: contacts[i]!.id, body: `fx note ${i}`, admin_id: admin.id }));
      lines.push(
        airbyteRecord('conversation_replies', {
          conversation_id: conversations[i % conversations.length]!.id,
          admin_id: admin.id,
          body: `fx reply ${i}`,
        }),
      );
      lines.push(airbyteRecord('contact_tags', { contact_id: contacts[i]!.id, tag_id: tag.id }));
      if (i % 5 === 4) lines.push(airbyteState(i));
    }
    const files = destinationFiles(
      f,
      TOKEN,
      ['contacts', 'companies', 'events', 'notes', 'conversation_replies', 'contact_tags'],
      { max_concurrency: 6, request_timeout_seconds: 2 },
    );
    const run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: input(lines),
      timeoutMs: 90_000,
    });
    expect(run.code, run.stderr + logMessages(run).join('\n')).toBe(0);
    expect(f.stats.faultsInjected).toBeGreaterThan(10);
    expect(f.stats.byStatus.reset).toBeGreaterThan(0);
    expect(f.stats.rateLimited).toBeGreaterThan(0);
    expect(jsonl(files.deadLetterPath)).toEqual([]);
    expect(echoedAirbyteStates(run)).toEqual([4, 9, 14, 19, 24]);
    for (let i = 0; i < n; i++) {
      expect(aliveByExternalId(f, `fx-${i}`), `contact fx-${i}`).toHaveLength(1);
      expect(
        f.workspace.companies.filter((co) => co.company_id === `fx-co-${i}` && !cur(co).deleted),
        `company ${i}`,
      ).toHaveLength(1);
      expect(
        f.writes.events.filter((e) => e.created_at === 1_700_000_000 + i),
        `event ${i}`,
      ).toHaveLength(1);
      expect(
        f.writes.notes.filter((x) => x.body === `<p>fx note ${i}</p>`),
        `note ${i}`,
      ).toHaveLength(1);
      expect(
        f.writes.replies.filter((r) => r.body.body === `fx reply ${i}`),
        `reply ${i}`,
      ).toHaveLength(1);
      expect(f.workspace.contactById.get(contacts[i]!.id)!.tagIdxs, `tag on ${i}`).toContain(tag.idx);
    }
  });

  it('a ticket whose answer was lost is dead-lettered as unknown_outcome, never created twice', async () => {
    const f = await startFake({ latencyMs: 2 });
    const user = f.workspace.contacts.find((c) => !cur(c).deleted)!;
    f.setFaults([{ route: 'POST /tickets', kind: 'reset', times: 1 }]);
    const files = destinationFiles(f, TOKEN, ['tickets']);
    const run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: input([
        airbyteRecord('tickets', {
          ticket_type_id: '1001',
          contact_id: user.id,
          ticket_attributes: { _default_title_: 'Lost answer' },
        }),
        airbyteState(1),
      ]),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(
      [...f.writes.tickets.values()].filter((t) => (t.ticket_attributes as Rec)._default_title_ === 'Lost answer'),
    ).toHaveLength(1);
    expect(jsonl(files.deadLetterPath)).toMatchObject([
      {
        stream: 'tickets',
        code: 'unknown_outcome',
        message: expect.stringContaining('may or may not have been written'),
      },
    ]);
    expect(echoedAirbyteStates(run)).toEqual([1]);
  });
});
