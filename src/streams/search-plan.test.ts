import { afterEach, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { startFakeIntercom, UNLIMITED_RATE, type FakeIntercom } from '../fake-intercom/index.js';
import { IntercomClient } from '../intercom/client.js';
import { contactsReader } from './contacts.js';
import { conversationsReader } from './conversations.js';
import { eventsReader } from './events.js';
import { notesReader } from './notes.js';
import type { Reader, ReaderItem } from './types.js';

// Requests per route for known windows and totals, against the fake Intercom (real HTTP, real
// client, real readers). Counting requests is behaviour: a request whose answer is already known
// costs budget that every stream shares.
const TOKEN = 'search-plan-token-7c41';
const DAY = 86_400;
/** A UTC noon: a one-hour window does not cross midnight. */
const GENERATED = Math.floor(Date.now() / 1000 / DAY) * DAY - 30 * DAY + DAY / 2;
const CONTACTS = 'POST /contacts/search';
const CONVERSATIONS = 'POST /conversations/search';

let fake: FakeIntercom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(size: { contacts: number; conversations: number }, latencyMs = 0): Promise<FakeIntercom> {
  fake = await startFakeIntercom({
    latencyMs,
    seed: 19,
    token: TOKEN,
    now: GENERATED,
    indexLagSeconds: 0,
    ratePer10s: UNLIMITED_RATE,
    size: { ...size, companies: 5, tickets: 0, largeConversations: 0 },
  });
  return fake;
}

interface Read {
  records: (stream: string) => JsonObject[];
  checkpoints: JsonObject[];
}

async function read(reader: Reader, selected: string[], state?: JsonObject): Promise<Read> {
  const config = parseSourceConfig({ access_token: TOKEN, base_url: fake!.url, max_concurrency: 8 }, {});
  const client = new IntercomClient({
    baseUrl: fake!.url,
    accessToken: TOKEN,
    apiVersion: '2.14',
    requestTimeoutMs: 10_000,
    maxConcurrency: 8,
    maxRetries: 0,
    maxRateLimitWaitMs: 1,
    retryBaseDelayMs: 1,
  });
  const items: ReaderItem[] = [];
  for await (const item of reader.read({
    client,
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected: new Set(selected),
    state,
    syncStartedAt: fake!.now() + 1,
  }))
    items.push(item);
  expect(items.filter((i) => i.kind === 'incomplete')).toEqual([]);
  return {
    records: (stream) => items.flatMap((i) => (i.kind === 'records' && i.stream === stream ? i.records : [])),
    checkpoints: items.flatMap((i) => (i.kind === 'checkpoint' ? [i.state] : [])),
  };
}

/**
 * A workspace whose own records are all 10 days old, then `changed` records updated now: an
 * incremental window of one hour (cursor 30 minutes ago, minus the 30-minute lookback) holds
 * exactly the changed ones, even with contact search's day rounding.
 */
async function changedNow(stream: 'contacts' | 'conversations', changed: number): Promise<JsonObject> {
  const f = await start({ contacts: 600, conversations: 600 });
  f.advanceTime(10 * DAY);
  expect(f.mutate({ stream, update: changed }).updated).toHaveLength(changed);
  f.resetStats();
  return { updated_at: f.now() - 1800 };
}

describe('incremental windows cost exactly the pages their changes fill', () => {
  it('a one-hour window with 40 changed contacts: one contact search request', async () => {
    const state = await changedNow('contacts', 40);
    const run = await read(contactsReader, ['contacts'], state);
    expect(run.records('contacts')).toHaveLength(40);
    expect(fake!.stats.byRoute).toEqual({ [CONTACTS]: 1 });
    expect(run.checkpoints.at(-1)).toEqual({ updated_at: fake!.now() + 1 });
  });

  it('a window with 400 changed contacts: ceil(400 / 150) = 3 requests', async () => {
    const state = await changedNow('contacts', 400);
    const run = await read(contactsReader, ['contacts'], state);
    expect(new Set(run.records('contacts').map((c) => c.id)).size).toBe(400);
    expect(fake!.stats.byRoute).toEqual({ [CONTACTS]: 3 });
  });

  it('a one-hour window with 40 changed conversations: one conversation search request', async () => {
    const state = await changedNow('conversations', 40);
    const run = await read(conversationsReader, ['conversations'], state);
    expect(run.records('conversations')).toHaveLength(40);
    expect(fake!.stats.byRoute).toEqual({ [CONVERSATIONS]: 1 });
  });

  it('events and notes: one changed-contacts search each for 40 changed contacts', async () => {
    const state = await changedNow('contacts', 40);
    await read(eventsReader, ['events'], { created_at: state.updated_at });
    expect(fake!.stats.byRoute[CONTACTS]).toBe(1);
    expect(fake!.stats.byRoute['GET /events']).toBe(40);
    await read(notesReader, ['notes'], { created_at: state.updated_at });
    expect(fake!.stats.byRoute[CONTACTS]).toBe(2);
  });

  it('a window across UTC midnight is one walk too, and still delivers both sides', async () => {
    const f = await start({ contacts: 600, conversations: 600 });
    f.advanceTime(10 * DAY);
    const midnight = Math.ceil(f.now() / DAY) * DAY;
    f.advanceTime(midnight + 1200 - f.now());
    const before = f.mutate({ stream: 'contacts', update: 20, at: midnight - 600 }).updated;
    const after = f.mutate({ stream: 'contacts', update: 20, at: midnight + 600 }).updated;
    f.resetStats();
    const run = await read(contactsReader, ['contacts'], { updated_at: midnight - 900 + 1800 });
    const ids = new Set(run.records('contacts').map((c) => String(c.id)));
    for (const id of [...before, ...after]) expect(ids.has(id), id).toBe(true);
    expect(fake!.stats.byRoute).toEqual({ [CONTACTS]: 1 });
  });
});

describe('a first sync of a small workspace is one walk', () => {
  it('1,000 contacts and 500 conversations cost ceil(N / 150) search requests each, no probe', async () => {
    await start({ contacts: 1000, conversations: 500 });
    const contacts = await read(contactsReader, ['contacts']);
    expect(new Set(contacts.records('contacts').map((c) => c.id)).size).toBe(1000);
    expect(fake!.stats.byRoute).toEqual({ [CONTACTS]: Math.ceil(1000 / 150) });
    const conversations = await read(conversationsReader, ['conversations']);
    expect(new Set(conversations.records('conversations').map((c) => c.id)).size).toBe(500);
    expect(fake!.stats.byRoute[CONVERSATIONS]).toBe(Math.ceil(500 / 150));
  });
});

describe('a read that is one walk keeps every connection busy', () => {
  it('asks the parts of a one-walk conversation read max_concurrency (8) at a time, not half of them', async () => {
    await start({ contacts: 10, conversations: 300 }, 20);
    const run = await read(conversationsReader, ['conversations', 'conversation_parts']);
    expect(run.records('conversations')).toHaveLength(300);
    expect(fake!.stats.byRoute).toEqual({ [CONVERSATIONS]: 2, 'GET /conversations/{id}': 300 });
    expect(fake!.stats.maxInFlight).toBeGreaterThanOrEqual(8);
  });
});
