import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';
import { IntercomApiError } from '../intercom/errors.js';
import { contactsReader } from './contacts.js';
import { conversationsReader } from './conversations.js';
import { fetchInOrder } from './details.js';
import { cursorSeconds, isParentRefusal } from './record-guards.js';
import { DAY, slicedSearch, type TimeSlice } from './slicing.js';
import type { ReadContext, ReaderItem } from './types.js';

/**
 * Hostile records inside the readers: nothing is dropped without a word, nothing keyless is
 * emitted, and the state never passes what was not delivered.
 */
const D = Date.UTC(2024, 0, 10) / 1000; // a UTC midnight
const UPPER = D + 2 * DAY + 500;

const refusal = (status: number, endpoint = 'GET /conversations/c2') =>
  new IntercomApiError({
    endpoint,
    status,
    transient: false,
    message: `Intercom refused ${endpoint} with HTTP ${status}.`,
  });

function context(client: unknown, selected: string[], warns: string[]): ReadContext {
  return {
    client: client as IntercomClient,
    // One-day slices from the state's cursor (no lookback): slice 1 is [D+1d, D+2d).
    config: { maxConcurrency: 4, settings: { slice_days: 1, lookback_window_minutes: 0 } } as unknown as SourceConfig,
    logger: { debug() {}, info() {}, warn: (m: string) => void warns.push(m), error() {} },
    selected: new Set(selected),
    state: { updated_at: D },
    syncStartedAt: UPPER,
  };
}

/**
 * A search endpoint that places each record by a time of its own (`at`), whatever its body says.
 * A query that is not a slice (a reader's real query) gets every record: the reader filters
 * them to the slice locally.
 */
function searchStub(rows: { at: number; body: unknown }[], recordsKey: string) {
  return async (req: { json: { query: TimeSlice | JsonObject } }) => {
    const slice = req.json.query;
    const inSlice = (at: number) =>
      typeof slice.start !== 'number' || (at >= slice.start && (slice.last === true || at < (slice.end as number)));
    const data = rows.filter((r) => inSlice(r.at)).map((r) => structuredClone(r.body));
    return { type: 'list', [recordsKey]: data, total_count: data.length, pages: { type: 'pages' } };
  };
}

async function collect(
  gen: AsyncGenerator<ReaderItem>,
): Promise<{ ids: Map<string, JsonObject[]>; states: number[]; gaps: string[] }> {
  const ids = new Map<string, JsonObject[]>();
  const states: number[] = [];
  const gaps: string[] = [];
  for await (const item of gen) {
    if (item.kind === 'records') ids.set(item.stream, [...(ids.get(item.stream) ?? []), ...item.records]);
    if (item.kind === 'record') ids.set(item.stream, [...(ids.get(item.stream) ?? []), item.record]);
    if (item.kind === 'checkpoint') states.push(item.state.updated_at as number);
    if (item.kind === 'incomplete') gaps.push(`${item.stream}: ${item.reason}`);
  }
  return { ids, states, gaps };
}

const plainSearch = (ctx: ReadContext) =>
  slicedSearch({
    ctx,
    stream: 'contacts',
    cursorField: 'updated_at',
    path: '/contacts/search',
    recordsKey: 'data',
    query: (slice) => slice,
    async *processPage(page: JsonObject[]) {
      yield { kind: 'records', stream: 'contacts', records: page };
    },
  });

describe('cursorSeconds', () => {
  it('reads Unix seconds, digits and ISO text; refuses negative, NaN, empty and free text', () => {
    expect(cursorSeconds(1_700_000_000)).toBe(1_700_000_000);
    expect(cursorSeconds('1700000000')).toBe(1_700_000_000);
    // 2024-01-10T00:00:00Z, computed by hand: 19732 days * 86400.
    expect(cursorSeconds('2024-01-10T00:00:00Z')).toBe(1_704_844_800);
    for (const bad of [-5, Number.NaN, 'NaN', '', 'yesterday', null, undefined, {}])
      expect(cursorSeconds(bad), String(bad)).toBeUndefined();
  });
});

describe('slicedSearch with malformed records', () => {
  it('emits a record with an unreadable cursor once, with a WARN, and holds the state at the start of its slice', async () => {
    const warns: string[] = [];
    const rows = [
      { at: D + 100, body: { id: 'ok0', updated_at: D + 100 } },
      { at: D + DAY + 5, body: { id: 'iso', updated_at: '2024-01-11T00:00:05Z' } },
      { at: D + DAY + 6, body: { id: 'missing' } },
      { at: D + DAY + 7, body: { id: 'negative', updated_at: -1 } },
      { at: D + 2 * DAY + 9, body: { id: 'ok2', updated_at: D + 2 * DAY + 9 } },
    ];
    const ctx = context({ request: searchStub(rows, 'data') }, ['contacts'], warns);
    const { ids, states, gaps } = await collect(plainSearch(ctx));
    const byId = new Map(ids.get('contacts')!.map((r) => [r.id, r]));
    expect([...byId.keys()].sort()).toEqual(['iso', 'missing', 'negative', 'ok0', 'ok2']);
    // Emitted valid against the schema: an integer cursor or none, never text or a negative number.
    expect(byId.get('iso')!.updated_at).toBe(D + DAY + 5);
    expect('updated_at' in byId.get('missing')!).toBe(false);
    expect('updated_at' in byId.get('negative')!).toBe(false);
    expect(gaps).toEqual([]);
    // Without the hold-back the last checkpoint would be UPPER.
    expect(states.at(-1)).toBe(D + DAY);
    expect(Math.max(...states)).toBe(D + DAY);
    expect(warns.filter((w) => w.startsWith('CURSOR_UNREADABLE contacts: record ')).length).toBe(3);
    expect(warns.join('\n')).toContain('record negative has updated_at -1');
  });

  it('does not emit a record without an id: it is named, the stream gets a gap and the state stops before it', async () => {
    const warns: string[] = [];
    const rows = [
      { at: D + 100, body: { id: 'ok0', updated_at: D + 100 } },
      { at: D + DAY + 5, body: { updated_at: D + DAY + 5, name: 'no id' } },
      { at: D + 2 * DAY + 9, body: { id: 'ok2', updated_at: D + 2 * DAY + 9 } },
    ];
    const ctx = context({ request: searchStub(rows, 'data') }, ['contacts'], warns);
    const { ids, states, gaps } = await collect(plainSearch(ctx));
    expect(
      ids
        .get('contacts')!
        .map((r) => r.id)
        .sort(),
    ).toEqual(['ok0', 'ok2']);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toContain('position 0 of a search page of the slice from 2024-01-11T00:00:00.000Z');
    expect(states.at(-1)).toBe(D + DAY);
    expect(warns.some((w) => w.startsWith('KEY_MISSING contacts'))).toBe(true);
  });

  it('skips null list items with a counted WARN and keeps the rest (the state moves on: there is nothing to read again)', async () => {
    const warns: string[] = [];
    const rows = [
      { at: D + 100, body: null },
      { at: D + 101, body: { id: 'ok0', updated_at: D + 101 } },
      { at: D + 102, body: null },
    ];
    const ctx = context({ request: searchStub(rows, 'data') }, ['contacts'], warns);
    const { ids, states, gaps } = await collect(plainSearch(ctx));
    expect(ids.get('contacts')!.map((r) => r.id)).toEqual(['ok0']);
    expect(gaps).toEqual([]);
    expect(states.at(-1)).toBe(UPPER);
    expect(warns.filter((w) => w.startsWith('NULL_ITEMS contacts')).join('\n')).toContain('2 of 3 list items');
  });
});

describe('fetchInOrder', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('throws the first failure in page order; a later concurrent failure is never an unhandled rejection', async () => {
    let releaseFirst!: () => void;
    const first = new Promise<string>((resolve) => (releaseFirst = () => resolve('a')));
    const fetch = (item: string) => (item === 'a' ? first : Promise.reject(refusal(422, `GET /conversations/${item}`)));
    const gen = fetchInOrder(['a', 'b', 'c'], 3, fetch);
    const firstResult = gen.next();
    // b and c fail while a is still awaited.
    await new Promise((r) => setImmediate(r));
    releaseFirst();
    expect((await firstResult).value).toEqual(['a', 'a']);
    await expect(gen.next()).rejects.toThrow('GET /conversations/b');
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });
});

describe('a parent whose detail Intercom refuses', () => {
  it('isParentRefusal: a non-404 4xx other than 401/403/429', () => {
    expect([400, 409, 422].map((s) => isParentRefusal(refusal(s)))).toEqual([true, true, true]);
    expect([401, 403, 404, 429, 500].map((s) => isParentRefusal(refusal(s)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isParentRefusal(new Error('x'))).toBe(false);
  });

  const conversations = ['c1', 'c2', 'c3'].map((id, i) => ({ at: D + DAY + i, body: { id, updated_at: D + DAY + i } }));
  const detailClient = (status: number) => ({
    request: searchStub(conversations, 'conversations'),
    async requestMaybe(req: { path: string }) {
      const id = req.path.split('/').at(-1)!;
      if (id === 'c2') throw refusal(status);
      return { id, conversation_parts: { conversation_parts: [{ id: `${id}-p1`, updated_at: D }] } };
    },
  });

  it('skips only that conversation with a WARN naming it; the others and their parts are delivered; the state stops before it', async () => {
    const warns: string[] = [];
    const ctx = context(detailClient(422), ['conversations', 'conversation_parts'], warns);
    const { ids, states, gaps } = await collect(conversationsReader.read(ctx));
    expect(ids.get('conversations')!.map((r) => r.id)).toEqual(['c1', 'c3']);
    expect(ids.get('conversation_parts')!.map((r) => r.id)).toEqual(['c1-p1', 'c3-p1']);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toContain('conversation c2 skipped');
    expect(warns.some((w) => w.startsWith('PARENT_SKIPPED conversations: conversation c2 skipped'))).toBe(true);
    expect(states.at(-1)).toBe(D + DAY);
  });

  it('a 401 still fails the stream (the token, not one parent)', async () => {
    const ctx = context(detailClient(401), ['conversations', 'conversation_parts'], []);
    await expect(collect(conversationsReader.read(ctx))).rejects.toThrow('HTTP 401');
  });

  it('a contact whose capped tag list Intercom refuses is skipped whole (contact and junction rows)', async () => {
    const contacts = [
      { at: D + DAY + 1, body: { id: 'k1', updated_at: D + DAY + 1, tags: { data: [{ id: 't1' }], has_more: false } } },
      { at: D + DAY + 2, body: { id: 'k2', updated_at: D + DAY + 2, tags: { data: [{ id: 't1' }], has_more: true } } },
      {
        at: D + DAY + 3,
        body: { id: 'k3', updated_at: D + DAY + 3, tags: { data: [null, { id: 't3' }], has_more: false } },
      },
    ];
    const warns: string[] = [];
    // GET /contacts/k2/tags goes through the client's request (cursorPages): refuse it.
    const request = searchStub(contacts, 'data');
    const ctx = context(
      {
        async request(req: { path: string; json?: { query: JsonObject } }) {
          if (req.path === '/contacts/k2/tags') throw refusal(422, 'GET /contacts/k2/tags');
          return request(req as { json: { query: JsonObject } });
        },
      },
      ['contacts', 'contact_tag'],
      warns,
    );
    const { ids, states, gaps } = await collect(contactsReader.read(ctx));
    expect(ids.get('contacts')!.map((r) => r.id)).toEqual(['k1', 'k3']);
    expect(ids.get('contact_tag')!.map((r) => `${String(r.contact_id)}/${String(r.tag_id)}`)).toEqual([
      'k1/t1',
      'k3/t3',
    ]);
    expect(gaps).toEqual([expect.stringContaining('contact k2 skipped') as unknown as string]);
    expect(warns.some((w) => w.startsWith('NULL_ITEMS contact_tag: the tags of contact k3'))).toBe(true);
    expect(states.at(-1)).toBe(D + DAY);
  });
});

describe("contacts' children (notes, events) when Intercom refuses one contact", () => {
  const contacts = ['k1', 'k2'].map((id, i) => ({ at: D + DAY + i, body: { id, updated_at: D + DAY + i } }));
  const childClient = (path: string) => {
    const search = searchStub(contacts, 'data');
    return {
      async request(req: { path: string; json?: { query: JsonObject }; searchParams?: Record<string, unknown> }) {
        if (req.path === '/contacts/search') return search(req as { json: { query: JsonObject } });
        if (req.path.includes('k2') || req.searchParams?.intercom_user_id === 'k2')
          throw refusal(400, `GET ${req.path}`);
        return path === 'notes'
          ? {
              type: 'list',
              data: [{ id: `${req.path.split('/')[2]}-n1` }, null, { body: 'no id' }],
              pages: { page: 1, total_pages: 1 },
            }
          : {
              type: 'event.list',
              events: [{ event_name: 'ordered', created_at: D, intercom_user_id: 'k1' }, null],
              pages: {},
            };
      },
    };
  };

  it('notes: the refused contact is skipped and named, a keyless note is reported, null notes are counted; the state stops before them', async () => {
    const warns: string[] = [];
    const { notesReader } = await import('./notes.js');
    const ctx = { ...context(childClient('notes'), ['notes'], warns), state: { created_at: D } };
    const items: ReaderItem[] = [];
    for await (const item of notesReader.read(ctx)) items.push(item);
    const notes = items.flatMap((i) => (i.kind === 'records' ? i.records : []));
    expect(notes.map((n) => n.id)).toEqual(['k1-n1']);
    const gaps = items.flatMap((i) => (i.kind === 'incomplete' ? [i.reason] : []));
    expect(gaps.some((g) => g.includes('the notes of contact k2 skipped'))).toBe(true);
    expect(gaps.some((g) => g.includes('1 of the notes of contact k1'))).toBe(true);
    expect(warns.some((w) => w.startsWith('NULL_ITEMS notes: the notes of contact k1'))).toBe(true);
    const states = items.flatMap((i) => (i.kind === 'checkpoint' ? [i.state.created_at as number] : []));
    expect(Math.max(...states)).toBe(D + DAY);
  });

  it('events: the refused contact is skipped and named; a null event is counted, not a crash', async () => {
    const warns: string[] = [];
    const { eventsReader } = await import('./events.js');
    const ctx = { ...context(childClient('events'), ['events'], warns), state: { created_at: D } };
    const items: ReaderItem[] = [];
    for await (const item of eventsReader.read(ctx)) items.push(item);
    expect(items.flatMap((i) => (i.kind === 'records' ? i.records : [])).map((e) => e.event_name)).toEqual(['ordered']);
    expect(items.some((i) => i.kind === 'incomplete' && i.reason.includes('the events of contact k2 skipped'))).toBe(
      true,
    );
    expect(warns.some((w) => w.startsWith('NULL_ITEMS events'))).toBe(true);
  });
});
