// Tickets, ticket types, help center, subscription types, activity logs, data events and notes:
// the built CLI against the fake Intercom, compared with the fake's ground truth.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, repoRoot, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

const TOKEN = 'e2e-other-streams-token-4b9e1f';
const DAY = 86_400;
const NEW_STREAMS = [
  'tickets',
  'ticket_parts',
  'ticket_types',
  'articles',
  'collections',
  'help_centers',
  'subscription_types',
  'activity_logs',
  'events',
  'notes',
] as const;
const SIZE = {
  contacts: 70,
  companies: 4,
  conversations: 3,
  largeConversations: 0,
  tickets: 30,
  largeTickets: 1,
  articles: 120,
  collections: 60,
  helpCenters: 2,
  subscriptionTypes: 5,
  ticketTypes: 4,
  activityLogs: 300,
  eventsPerContact: 3,
  notesPerContact: 1,
};

// Airbyte messages parsed from the CLI's stdout, read by the assertions; each line was validated
// against the protocol schema first, so `any` only spares casts at every access.
type Message = Record<string, any>;
interface SampleEntry {
  stream: { name: string };
}

const sample = JSON.parse(readFileSync(`${repoRoot}catalog.sample.json`, 'utf8')) as { streams: SampleEntry[] };
/** The sample catalog's entries (incremental where supported) for the given streams. */
const catalogOf = (names: readonly string[]) => ({
  streams: sample.streams.filter((s) => names.includes(s.stream.name)),
});

let fake: FakeIntercom;
let startDate: string;
let full: CliRun;

async function read(opts: {
  streams: readonly string[];
  config?: Record<string, unknown>;
  state?: unknown;
}): Promise<CliRun> {
  const files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, start_date: startDate, ...opts.config },
    catalog: catalogOf(opts.streams),
    ...(opts.state ? { state: opts.state } : {}),
  });
  const run = await runCli(BIN.airbyte, [
    'read',
    '--config',
    files.config!,
    '--catalog',
    files.catalog!,
    ...(files.state ? ['--state', files.state] : []),
  ]);
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

const messages = (run: CliRun): Message[] => run.messages as Message[];
const traces = (run: CliRun, type: string): Message[] =>
  messages(run)
    .filter((m) => m.type === 'TRACE' && m.trace.type === type)
    .map((m) => m.trace);
const finalStatus = (run: CliRun, stream: string): string | undefined =>
  traces(run, 'STREAM_STATUS')
    .filter((t) => t.stream_status.stream_descriptor.name === stream)
    .at(-1)?.stream_status.status;
const logs = (run: CliRun, level: string): string[] =>
  messages(run)
    .filter((m) => m.type === 'LOG' && m.log.level === level)
    .map((m) => m.log.message as string);
/** The last STATE of each stream, as the per-stream array Airbyte passes back with --state. */
const finalState = (run: CliRun): Message[] => lastStates(run) as Message[];
const streamState = (run: CliRun, stream: string): Record<string, unknown> | undefined =>
  finalState(run).find((s) => s.stream.stream_descriptor.name === stream)?.stream.stream_state;

/**
 * The server's listable events as who|what|when. Events have no id of their own: the key's formula
 * is pinned by a hand-computed digest in src/streams/events.test.ts; here each delivered event is
 * matched by its own fields, so the test does not restate the connector's formula.
 */
function expectedEventTuples(): string[] {
  const tuples: string[] = [];
  for (const contactId of fake.groundTruth().contacts) {
    for (const event of fake.workspace.listableEvents(fake.workspace.contactById.get(contactId)!)) {
      tuples.push(
        `${String(event.intercom_user_id ?? event.user_id ?? event.email)}|${String(event.event_name)}|${String(event.created_at)}`,
      );
    }
  }
  return tuples;
}

const articlesOnServer = () =>
  fake
    .groundTruth()
    .articles.map((id) => fake.workspace.renderArticle(Number(id) - 3_000_000) as { id: string; updated_at: number });
const pagesRequested = (route: string): number => fake.stats.byRoute[route] ?? 0;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 29, token: TOKEN, size: SIZE, latencyMs: 1 });
  // Everything the fake generates is less than 400 days old.
  startDate = new Date((fake.now() - 410 * DAY) * 1000).toISOString();
  full = await read({ streams: NEW_STREAMS });
});
afterAll(async () => {
  await fake?.close();
});

describe('full read of the other Intercom objects', () => {
  it('exits 0 and completes every stream', () => {
    expect(full.code, full.stderr).toBe(0);
    for (const stream of NEW_STREAMS) expect(finalStatus(full, stream), stream).toBe('COMPLETE');
    expect(traces(full, 'ERROR')).toEqual([]);
  });

  it.each(NEW_STREAMS.filter((s) => s !== 'events' && s !== 'articles'))(
    "delivers exactly the server's keys for %s",
    (stream) => {
      const truth = fake.groundTruth() as unknown as Record<string, string[]>;
      const keys = keysOf(full, stream);
      expect(truth[stream]!.length, `${stream} ground truth is not empty`).toBeGreaterThan(0);
      expect(keys.length, `${stream} duplicates`).toBe(new Set(keys).size);
      expect(sorted(keys)).toEqual(sorted(truth[stream]!));
    },
  );

  it("delivers exactly the server's articles updated since start_date", () => {
    const keys = keysOf(full, 'articles');
    expect(keys.length, 'duplicates').toBe(new Set(keys).size);
    const since = articlesOnServer().filter((a) => a.updated_at >= Date.parse(startDate) / 1000);
    expect(since.length).toBeGreaterThan(20);
    expect(since.length, 'start_date leaves some articles out').toBeLessThan(SIZE.articles);
    expect(sorted(keys)).toEqual(sorted(since.map((a) => a.id)));
  });

  it('delivers exactly the listable data events (last 90 days), keyed by a stable hash', () => {
    const expected = expectedEventTuples();
    expect(expected.length).toBeGreaterThan(10);
    const keys = keysOf(full, 'events');
    expect(keys.length, 'duplicates').toBe(new Set(keys).size);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
    const delivered = recordsOf(full, 'events').map(
      (e) => `${String(e.intercom_user_id ?? e.user_id ?? e.email)}|${String(e.event_name)}|${String(e.created_at)}`,
    );
    expect(sorted(delivered)).toEqual(sorted(expected));
    const cutoff = fake.now() - 90 * DAY - 60;
    for (const event of recordsOf(full, 'events')) expect(event.created_at as number).toBeGreaterThanOrEqual(cutoff);
  });

  it('keeps each note and ticket part with its parent key', () => {
    const ticketIds = new Set(fake.groundTruth().tickets);
    for (const part of recordsOf(full, 'ticket_parts')) expect(ticketIds.has(part.ticket_id as string)).toBe(true);
    const contactIds = new Set(fake.groundTruth().contacts);
    for (const note of recordsOf(full, 'notes')) {
      expect(contactIds.has(note.contact_id as string)).toBe(true);
      expect((note.contact as { id: string }).id).toBe(note.contact_id);
    }
  });

  it('sends ticket_attributes as a JSON string, ticket type attributes as objects, subscription names as columns', () => {
    for (const ticket of recordsOf(full, 'tickets')) {
      expect(typeof ticket.ticket_attributes).toBe('string');
      expect(JSON.parse(ticket.ticket_attributes as string)).toBeTypeOf('object');
      expect(ticket.ticket_parts).toBeUndefined();
    }
    for (const type of recordsOf(full, 'ticket_types')) {
      expect(type.ticket_type_attributes).toBeTypeOf('object');
      expect(type.ticket_states).toBeTypeOf('object');
    }
    const subscriptions = recordsOf(full, 'subscription_types');
    for (const sub of subscriptions) {
      const translation = sub.default_translation as { name: string; description: string };
      expect(sub.name).toBe(translation.name);
      expect(sub.description).toBe(translation.description);
    }
  });

  it('warns by name about every ticket whose parts reach the 500-part cap', () => {
    const truncated = fake.groundTruth().truncated.tickets;
    expect(truncated.length).toBe(1);
    const warnings = logs(full, 'WARN').filter((w) => w.startsWith('PARTS_TRUNCATED ticket'));
    for (const t of truncated) expect(warnings.some((w) => w.includes(`ticket ${t.id}:`))).toBe(true);
  });

  it('ends each incremental stream with a cursor in its state', () => {
    const started = fake.now() - 120;
    for (const [stream, key] of [
      ['tickets', 'updated_at'],
      ['ticket_parts', 'updated_at'],
      ['articles', 'updated_at'],
      ['activity_logs', 'created_at'],
      ['events', 'created_at'],
      ['notes', 'created_at'],
    ] as const) {
      expect(streamState(full, stream)?.[key], stream).toBeGreaterThan(started);
    }
  });
});

describe('incremental reads', () => {
  it('tickets: every ticket changed since the last sync arrives, with its new parts, and not every ticket', async () => {
    const mutation = fake.mutate({ stream: 'tickets', update: 5 });
    const run = await read({ streams: ['tickets', 'ticket_parts'], state: finalState(full) });
    expect(run.code, run.stderr).toBe(0);
    const tickets = new Set(keysOf(run, 'tickets'));
    for (const id of mutation.updated) expect(tickets.has(id), `changed ticket ${id}`).toBe(true);
    expect(tickets.size).toBeLessThan(fake.groundTruth().tickets.length);
    const parts = recordsOf(run, 'ticket_parts');
    for (const id of mutation.updated)
      expect(
        parts.some((p) => p.ticket_id === id && p.updated_at === mutation.at),
        `new part of ${id}`,
      ).toBe(true);
    const truth = new Set(fake.groundTruth().ticket_parts);
    for (const key of keysOf(run, 'ticket_parts'))
      expect(truth.has(key), `part ${key} exists on the server`).toBe(true);
  });

  it('articles: delivers the articles updated since the cursor and stops paging early', async () => {
    const articles = articlesOnServer();
    const times = articles.map((a) => a.updated_at).sort((a, b) => b - a);
    const cursor = times[20]!; // about the 20 newest (page 1 of 3 at 50 per page)
    const lookback = 30 * 60;
    let before = pagesRequested('GET /articles');
    // No start_date: a full read walks every page.
    const fullRun = await read({ streams: ['articles'], config: { start_date: undefined } });
    const fullPages = pagesRequested('GET /articles') - before;
    before = pagesRequested('GET /articles');
    const state = [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'articles' }, stream_state: { updated_at: cursor } } },
    ];
    const run = await read({ streams: ['articles'], state });
    const incrementalPages = pagesRequested('GET /articles') - before;
    expect(run.code, run.stderr).toBe(0);
    expect(sorted(keysOf(fullRun, 'articles'))).toEqual(sorted(fake.groundTruth().articles));
    expect(sorted(keysOf(run, 'articles'))).toEqual(
      sorted(articles.filter((a) => a.updated_at >= cursor - lookback).map((a) => a.id)),
    );
    expect(fullPages).toBe(Math.ceil(SIZE.articles / 50));
    expect(incrementalPages).toBeLessThan(fullPages);
    expect(streamState(run, 'articles')?.updated_at).toBeGreaterThan(cursor);
  });

  it('events and notes: only the contacts changed since the cursor are asked, and all their listable events arrive', async () => {
    const mutation = fake.mutate({ stream: 'contacts', update: 4 });
    const before = { events: pagesRequested('GET /events'), notes: pagesRequested('GET /contacts/{id}/notes') };
    const run = await read({ streams: ['events', 'notes'], state: finalState(full) });
    expect(run.code, run.stderr).toBe(0);
    const eventRequests = pagesRequested('GET /events') - before.events;
    expect(eventRequests).toBeGreaterThanOrEqual(mutation.updated.length);
    expect(eventRequests).toBeLessThan(SIZE.contacts / 2);
    // Every listable event of each changed contact (not only those after the cursor: an event need
    // not move its contact, and a resume after a crash must not lose them), and only theirs.
    const events = recordsOf(run, 'events');
    const lower = (streamState(full, 'events')!.created_at as number) - 30 * 60;
    const changedSince = (id: string): boolean => {
      const contact = fake.workspace.renderContact(fake.workspace.contactById.get(id)!) as {
        updated_at: number;
        last_seen_at?: number | null;
      };
      return Math.max(contact.updated_at, contact.last_seen_at ?? 0) >= lower;
    };
    for (const event of events)
      expect(
        changedSince(String(event.intercom_user_id)),
        `event of unchanged contact ${String(event.intercom_user_id)}`,
      ).toBe(true);
    const delivered = new Map<string, number>();
    for (const event of events)
      delivered.set(String(event.intercom_user_id), (delivered.get(String(event.intercom_user_id)) ?? 0) + 1);
    for (const id of mutation.updated)
      expect(delivered.get(id) ?? 0, `events of changed contact ${id}`).toBe(
        fake.workspace.listableEvents(fake.workspace.contactById.get(id)!).length,
      );
    const withNotes = mutation.updated.filter((id) => fake.workspace.contactById.get(id)!.noteCount > 0);
    const notes = recordsOf(run, 'notes');
    for (const id of withNotes)
      expect(
        notes.some((n) => n.contact_id === id),
        `notes of changed contact ${id}`,
      ).toBe(true);
    expect(pagesRequested('GET /contacts/{id}/notes') - before.notes).toBeLessThan(SIZE.contacts / 2);
  });
});

describe('activity logs', () => {
  it('halves a window on injected 500s and still delivers exactly the ground truth', async () => {
    fake.setFaults([{ route: 'GET /admins/activity_logs', kind: 'status', status: 500, times: 6 }]);
    try {
      // One request at a time, so the faults hit one window (and its halves) in turn.
      const run = await read({ streams: ['activity_logs'], config: { max_concurrency: 1 } });
      expect(run.code, run.stderr).toBe(0);
      expect(fake.stats.faultsInjected).toBeGreaterThanOrEqual(6);
      expect(logs(run, 'WARN').some((w) => /activity_logs: Intercom kept failing .* two halves/.test(w))).toBe(true);
      const keys = keysOf(run, 'activity_logs');
      expect(keys.length).toBe(new Set(keys).size);
      expect(sorted(keys)).toEqual(sorted(fake.groundTruth().activity_logs));
    } finally {
      fake.setFaults([]);
    }
  });

  it('reads a workspace whose API refuses windows as wide as the configured one', async () => {
    const narrow = await startFakeIntercom({
      seed: 31,
      token: TOKEN,
      size: { ...SIZE, contacts: 5, tickets: 0, largeTickets: 0, activityLogs: 120 },
      activityLogMaxWindowDays: 3,
    });
    try {
      const files = writeJsonFiles({
        config: { access_token: TOKEN, base_url: narrow.url, start_date: startDate, activity_logs_window_days: 5 },
        catalog: catalogOf(['activity_logs']),
      });
      const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!]);
      for (const line of run.lines) assertAirbyteMessage(line);
      expect(run.code, run.stderr).toBe(0);
      expect(sorted(keysOf(run, 'activity_logs'))).toEqual(sorted(narrow.groundTruth().activity_logs));
      // A STATE after completed windows, not only at the end.
      expect(run.messages.filter((m) => m.type === 'STATE').length).toBeGreaterThanOrEqual(1);
    } finally {
      await narrow.close();
    }
  });
});

describe('segments', () => {
  it("adds each segment's count with segments_include_count, as the server reports it", async () => {
    const run = await read({ streams: ['segments'], config: { segments_include_count: true } });
    expect(run.code, run.stderr).toBe(0);
    const answer = (await (
      await fetch(`${fake.url}/segments?include_count=true`, {
        headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.14' },
      })
    ).json()) as { segments: { id: string; count: number }[] };
    const counts = Object.fromEntries(answer.segments.map((s) => [s.id, s.count]));
    const records = recordsOf(run, 'segments');
    expect(sorted(records.map((r) => r.id as string))).toEqual(sorted(fake.groundTruth().segments));
    for (const r of records) expect(r.count, `segment ${String(r.id)}`).toBe(counts[r.id as string]);
    const without = await read({ streams: ['segments'] });
    for (const r of recordsOf(without, 'segments')) expect(r.count).toBeUndefined();
  });
});

describe('a token without the tickets permission', () => {
  const STREAMS = ['tickets', 'ticket_parts', 'help_centers', 'subscription_types'];

  it('fails only tickets and ticket_parts, with a config_error naming "Read tickets"; the other streams complete', async () => {
    fake.setFaults([{ route: 'POST /tickets/search', kind: 'status', status: 403, times: -1 }]);
    try {
      const run = await read({ streams: STREAMS });
      expect(run.code, 'a failed stream makes the exit code non-zero').toBe(1);
      const errors = traces(run, 'ERROR').map((t) => t.error);
      expect(errors).toHaveLength(1);
      expect(errors[0].failure_type).toBe('config_error');
      expect(errors[0].message).toContain('"Read tickets"');
      expect(errors[0].message).toContain('POST /tickets/search');
      expect(finalStatus(run, 'tickets')).toBe('INCOMPLETE');
      expect(finalStatus(run, 'ticket_parts')).toBe('INCOMPLETE');
      for (const stream of ['help_centers', 'subscription_types']) {
        expect(finalStatus(run, stream), stream).toBe('COMPLETE');
        expect(sorted(keysOf(run, stream))).toEqual(
          sorted((fake.groundTruth() as unknown as Record<string, string[]>)[stream]!),
        );
      }
    } finally {
      fake.setFaults([]);
    }
  });

  it('stops the whole sync with fail_on_missing_permission', async () => {
    fake.setFaults([{ route: 'POST /tickets/search', kind: 'status', status: 403, times: -1 }]);
    try {
      // One reader at a time: the streams after tickets have not started when it fails, and must never start.
      // (Readers side by side are stopped the same way; the engine's tests cover that.)
      const run = await read({
        streams: STREAMS,
        config: { fail_on_missing_permission: true, max_parallel_readers: 1 },
      });
      expect(run.code).toBe(1);
      expect(traces(run, 'ERROR').map((t) => t.error.failure_type)).toEqual(['config_error']);
      for (const stream of STREAMS) expect(finalStatus(run, stream), stream).toBe('INCOMPLETE');
      expect(keysOf(run, 'help_centers')).toEqual([]);
      expect(keysOf(run, 'subscription_types')).toEqual([]);
    } finally {
      fake.setFaults([]);
    }
  });
});
