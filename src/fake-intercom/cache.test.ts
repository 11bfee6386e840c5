/**
 * Searches and lists are answered from cached record texts (JSON per record version) and
 * pre-serialized pages. They must be byte-identical to JSON.stringify of the plain rendering, and
 * every change (mutations, writes, tag attach/detach, index lag, time) must reach them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom } from './index.js';
import type { ContactCore, ConversationCore, FakeIntercom, Json, RecordCore, TicketCore } from './index.js';
import { compileQuery, onlyTestsDayOf } from './search.js';
import { DAY, NOW, apiHeaders, call, get, post } from '../../test/helpers/fake-intercom.js';
import type { J, Res } from '../../test/helpers/fake-intercom.js';

type Stream = 'contacts' | 'conversations' | 'tickets';
const KEY: Record<Stream, string> = { contacts: 'data', conversations: 'conversations', tickets: 'tickets' };
const TYPE: Record<Stream, string> = { contacts: 'list', conversations: 'conversation.list', tickets: 'ticket.list' };

let fake: FakeIntercom;
let base: string;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 11,
    now: NOW,
    size: { contacts: 600, conversations: 120, tickets: 40, companies: 60, largeConversations: 0 },
  });
  base = fake.url;
});
afterAll(async () => {
  await fake.close();
});

/** The record as search renders it without any cache: its version visible now. */
function plain(f: FakeIntercom, stream: Stream, id: string): Json {
  const ws = f.workspace;
  const core = (
    stream === 'contacts' ? ws.contactById : stream === 'conversations' ? ws.conversationById : ws.ticketById
  ).get(id) as RecordCore;
  const v = ws.visibleVersion(core, f.now());
  if (!v) throw new Error(`${stream} ${id} is not visible`);
  if (stream === 'contacts') return ws.renderContact(core as ContactCore, v);
  if (stream === 'conversations') return ws.renderConversation(core as ConversationCore, { v });
  return ws.renderTicket(core as TicketCore, { v });
}

/** The body the uncached route would send for this page: JSON.stringify of the plain renders. */
function expectPlainPage(f: FakeIntercom, stream: Stream, r: Res): void {
  expect(r.status).toBe(200);
  const ids = (r.body[KEY[stream]] as J[]).map((x: J) => x.id as string);
  const expected = JSON.stringify({
    type: TYPE[stream],
    [KEY[stream]]: ids.map((id) => plain(f, stream, id)),
    total_count: r.body.total_count,
    pages: r.body.pages,
  });
  expect(r.text).toBe(expected);
  expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.text));
}

/** Pages through a search, checking every page against the plain rendering; returns the records. */
async function searchChecked(f: FakeIntercom, stream: Stream, query: unknown, perPage = 150): Promise<J[]> {
  const out: J[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const r = await post(f.url, `/${stream}/search`, {
      query,
      pagination: { per_page: perPage, ...(cursor ? { starting_after: cursor } : {}) },
    });
    expectPlainPage(f, stream, r);
    out.push(...(r.body[KEY[stream]] as J[]));
    cursor = r.body.pages?.next?.starting_after;
    if (!cursor) return out;
  }
  throw new Error('search did not terminate');
}

const ALL = { field: 'updated_at', operator: '>', value: 0 };

describe('cached search pages', () => {
  it('equal JSON.stringify of the plain renders, on the first and on cached reads', async () => {
    const from = NOW - 120 * DAY;
    const sliced = {
      operator: 'AND',
      value: [
        {
          operator: 'OR',
          value: [
            { field: 'updated_at', operator: '=', value: from },
            { field: 'updated_at', operator: '>', value: from },
          ],
        },
        { operator: 'OR', value: [{ field: 'updated_at', operator: '<', value: NOW - 20 * DAY }] },
      ],
    };
    for (const [stream, query] of [
      ['contacts', sliced],
      [
        'contacts',
        {
          operator: 'OR',
          value: [
            { field: 'role', operator: '=', value: 'lead' },
            { field: 'updated_at', operator: '>', value: NOW - 30 * DAY },
          ],
        },
      ],
      [
        'conversations',
        {
          operator: 'AND',
          value: [
            { field: 'updated_at', operator: '>', value: from },
            { field: 'updated_at', operator: '<', value: NOW },
          ],
        },
      ],
      ['tickets', ALL],
    ] as Array<[Stream, unknown]>) {
      const first = await searchChecked(fake, stream, query, 40);
      expect(first.length).toBeGreaterThan(5);
      const again = await searchChecked(fake, stream, query, 40);
      expect(again).toEqual(first);
    }
  });

  it('non-ASCII and escaped characters keep their bytes (and Content-Length)', async () => {
    const c = fake.workspace.contacts.find((x) => !cur(x).deleted && x.role === 'user')!;
    const q = { field: 'id', operator: '=', value: c.id };
    await searchChecked(fake, 'contacts', q);
    expect((await call(base, 'PUT', `/contacts/${c.id}`, { name: 'Zoë "Q" \\ 中文 😀' })).status).toBe(200);
    const [got] = await searchChecked(fake, 'contacts', q);
    expect(got.name).toBe('Zoë "Q" \\ 中文 😀');
  });

  it('a mutation reaches cached texts once visible (index lag), not before', async () => {
    const lagged = await startFakeIntercom({
      seed: 12,
      now: NOW,
      indexLagSeconds: 60,
      size: { contacts: 200, conversations: 10, tickets: 3 },
    });
    try {
      const before = await searchChecked(lagged, 'contacts', ALL);
      const target = before[17] as J;
      const m = lagged.mutate({ stream: 'contacts', ids: [target.id], at: NOW + 5 });
      const during = await searchChecked(lagged, 'contacts', ALL);
      expect(during.find((x: J) => x.id === target.id)).toEqual(target); // old version still served
      lagged.advanceTime(61);
      const after = await searchChecked(lagged, 'contacts', ALL);
      const updated = after.find((x: J) => x.id === target.id);
      expect(updated.updated_at).toBe(m.at);
      expect(updated.custom_attributes.seats).toBe(target.custom_attributes.seats + 1); // seats grow with the revision
      expect(after.filter((x: J) => x.id !== target.id)).toEqual(
        expect.arrayContaining(before.filter((x: J) => x.id !== target.id)),
      );
    } finally {
      await lagged.close();
    }
  });

  it('tag attach/detach (no new version) reaches cached texts', async () => {
    const c = fake.workspace.contacts.find((x) => !cur(x).deleted && x.tagIdxs.length === 0)!;
    const tag = fake.workspace.tags[5]!;
    const q = { field: 'id', operator: '=', value: c.id };
    const [before] = await searchChecked(fake, 'contacts', q);
    expect(before.tags.data).toEqual([]);
    expect((await post(base, `/contacts/${c.id}/tags`, { id: tag.id })).status).toBe(200);
    const [attached] = await searchChecked(fake, 'contacts', q);
    expect(attached.tags.data.map((t: J) => t.id)).toEqual([tag.id]);
    expect(attached.updated_at).toBe(before.updated_at);
    expect((await call(base, 'DELETE', `/contacts/${c.id}/tags/${tag.id}`)).status).toBe(200);
    const [detached] = await searchChecked(fake, 'contacts', q);
    expect(detached).toEqual(before);
  });

  it("a contact's rename reaches the cached texts of its conversations", async () => {
    const conv = fake.workspace.conversations.find((x) => !cur(x).deleted && x.contactIdxs.length > 0)!;
    const contact = fake.workspace.contacts[conv.contactIdxs[0]!]!;
    const q = { field: 'id', operator: '=', value: conv.id };
    const [before] = await searchChecked(fake, 'conversations', q);
    expect(before.source.author.id).toBe(contact.id);
    expect((await call(base, 'PUT', `/contacts/${contact.id}`, { name: 'Renamed Person' })).status).toBe(200);
    const [after] = await searchChecked(fake, 'conversations', q);
    expect(after.source.author.name).toBe('Renamed Person');
  });

  it('a truncate fault sends the first half of the same bytes', async () => {
    const body = JSON.stringify({ query: ALL, pagination: { per_page: 30 } });
    const full = Buffer.from(
      await (await fetch(`${base}/contacts/search`, { method: 'POST', headers: apiHeaders(), body })).arrayBuffer(),
    );
    fake.setFaults([{ route: 'POST /contacts/search', kind: 'truncate' }]);
    try {
      const cut = Buffer.from(
        await (await fetch(`${base}/contacts/search`, { method: 'POST', headers: apiHeaders(), body })).arrayBuffer(),
      );
      expect(cut.equals(full.subarray(0, Math.floor(full.length / 2)))).toBe(true);
    } finally {
      fake.setFaults([]);
    }
  });
});

describe('prerender', () => {
  it('renders at startup what the first reads would render', async () => {
    const size = { contacts: 300, conversations: 40, tickets: 10, companies: 20 };
    const warm = await startFakeIntercom({ seed: 13, now: NOW, size, prerender: true });
    const cold = await startFakeIntercom({ seed: 13, now: NOW, size });
    try {
      for (const [method, path, body] of [
        ['POST', '/contacts/search', { query: ALL, pagination: { per_page: 150 } }],
        ['POST', '/conversations/search', { query: ALL }],
        ['POST', '/tickets/search', { query: ALL }],
        ['GET', '/companies?per_page=60', undefined],
      ] as Array<[string, string, unknown]>) {
        const a = await call(warm.url, method, path, body);
        expect(a.status).toBe(200);
        expect(a.text).toBe((await call(cold.url, method, path, body)).text);
      }
    } finally {
      await warm.close();
      await cold.close();
    }
  });
});

describe('day-only contact queries', () => {
  // Evaluated once per UTC day of updated_at instead of once per record: same results, same order.
  it('match a per-record evaluation', async () => {
    const ws = fake.workspace;
    expect(
      onlyTestsDayOf(
        'contacts',
        { operator: 'OR', value: [{ field: 'updated_at', operator: '>', value: 1 }] },
        'updated_at',
      ),
    ).toBe(true);
    expect(
      onlyTestsDayOf(
        'contacts',
        {
          operator: 'OR',
          value: [
            { field: 'updated_at', operator: '>', value: 1 },
            { field: 'role', operator: '=', value: 'user' },
          ],
        },
        'updated_at',
      ),
    ).toBe(false);
    expect(onlyTestsDayOf('conversations', { field: 'updated_at', operator: '>', value: 1 }, 'updated_at')).toBe(false);
    let seed = 7;
    const rnd = (n: number): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const leaf = (): Json => ({
      field: 'updated_at',
      operator: ['=', '>', '<'][rnd(3)] as string,
      value: NOW - rnd(420) * DAY + rnd(DAY),
    });
    for (let i = 0; i < 25; i++) {
      const group = { operator: rnd(2) ? 'AND' : 'OR', value: Array.from({ length: 1 + rnd(4) }, leaf) };
      const byDay = await searchChecked(fake, 'contacts', group);
      // The same query made to depend on another field is evaluated record by record.
      const generic = await searchChecked(fake, 'contacts', {
        operator: 'AND',
        value: [group, { operator: 'OR', value: [{ field: 'role', operator: 'IN', value: ['user', 'lead'] }] }],
      });
      expect(byDay.map((x: J) => x.id)).toEqual(generic.map((x: J) => x.id));
      const pred = compileQuery('contacts', group);
      const expected = ws.contacts.filter((c) => {
        const v = ws.visibleVersion(c, fake.now());
        return v !== undefined && pred((f) => (f === 'updated_at' ? v.updated_at : undefined));
      });
      expect(byDay.map((x: J) => x.id).sort()).toEqual(expected.map((c) => c.id).sort());
    }
  });
});

describe('cached list pages', () => {
  it('GET /contacts and /conversations pages equal the plain renders', async () => {
    for (const [path, key, type, render] of [
      [
        '/contacts?per_page=150',
        'data',
        'list',
        (id: string) => fake.workspace.renderContact(fake.workspace.contactById.get(id)!),
      ],
      [
        '/conversations?per_page=50',
        'conversations',
        'conversation.list',
        (id: string) => fake.workspace.renderConversation(fake.workspace.conversationById.get(id)!),
      ],
    ] as Array<[string, string, string, (id: string) => Json]>) {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await get(base, `${path}${cursor ? `&starting_after=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        const expected = JSON.stringify({
          type,
          [key]: (r.body[key] as J[]).map((x: J) => render(x.id)),
          total_count: r.body.total_count,
          pages: r.body.pages,
        });
        expect(r.text).toBe(expected);
        cursor = r.body.pages.next?.starting_after;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(1);
    }
  });

  it("company pages (list, scroll) equal the plain renders and follow a deleted contact's user_count", async () => {
    const ws = fake.workspace;
    const company = (id: string): Json => ws.renderCompany(ws.companyById.get(id)!);
    const listPage = async (path: string): Promise<J[]> => {
      const r = await call(base, path.startsWith('/companies/list') ? 'POST' : 'GET', path);
      expect(r.status).toBe(200);
      expect(r.text).toBe(
        JSON.stringify({
          type: 'list',
          data: (r.body.data as J[]).map((x: J) => company(x.id)),
          pages: r.body.pages,
          total_count: r.body.total_count,
        }),
      );
      return r.body.data as J[];
    };
    const scroll = async (): Promise<J[]> => {
      const out: J[] = [];
      let param: string | undefined;
      for (;;) {
        const r = await get(base, `/companies/scroll${param ? `?scroll_param=${param}` : ''}`);
        expect(r.text).toBe(
          JSON.stringify({
            type: 'list',
            data: (r.body.data as J[]).map((x: J) => company(x.id)),
            pages: null,
            total_count: r.body.total_count,
            scroll_param: r.body.scroll_param,
          }),
        );
        if (r.body.data.length === 0) return out;
        out.push(...(r.body.data as J[]));
        param = r.body.scroll_param;
      }
    };
    const before = [...(await listPage('/companies?per_page=60')), ...(await listPage('/companies/list?per_page=60'))];
    expect((await scroll()).length).toBe(ws.companies.filter((co) => !cur(co).deleted).length);
    const member = ws.contacts.find((c) => !cur(c).deleted && c.companyIdxs.length > 0)!;
    const co = ws.companies[member.companyIdxs[0]!]!;
    const count = before.find((x: J) => x.id === co.id)!.user_count as number;
    expect((await call(base, 'DELETE', `/contacts/${member.id}`)).status).toBe(200);
    expect((await listPage('/companies?per_page=60')).find((x: J) => x.id === co.id)!.user_count).toBe(count - 1);
    expect((await scroll()).find((x: J) => x.id === co.id)!.user_count).toBe(count - 1);
  });
});
