/** Search semantics: day matching for contacts, inclusive ranges elsewhere, paging, validation, index lag. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom } from './index.js';
import type { FakeIntercom } from './index.js';
import { DAY, NOW, post, searchAll, uniq } from '../../test/helpers/fake-intercom.js';
import type { J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let base: string;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 5,
    now: NOW,
    size: { contacts: 400, conversations: 200, tickets: 60, largeConversations: 0 },
  });
  base = fake.url;
});
afterAll(async () => {
  await fake.close();
});

const dayOf = (t: number): number => Math.floor(t / DAY);

describe('contact search: dates match by UTC calendar day', () => {
  // D = 2025-03-10 (UTC)
  const D = 1_741_564_800;
  let late: string, early: string, nextDay: string;

  beforeAll(() => {
    const ids = fake.workspace.contacts.slice(10, 13).map((c) => c.id);
    [late, early, nextDay] = ids as [string, string, string];
    fake.mutate({ stream: 'contacts', ids: [late], at: D + DAY - 1 }); // D 23:59:59
    fake.mutate({ stream: 'contacts', ids: [early], at: D }); // D 00:00:00
    fake.mutate({ stream: 'contacts', ids: [nextDay], at: D + DAY }); // D+1 00:00:00
  });

  it('> X matches from the start of the next day only', async () => {
    const got = new Set(
      (await searchAll(base, 'contacts', { field: 'updated_at', operator: '>', value: D + 3600 })).map((c: J) => c.id),
    );
    expect(got.has(late)).toBe(false); // updated later than X but on X's day: dropped
    expect(got.has(early)).toBe(false);
    expect(got.has(nextDay)).toBe(true);
    // also with the value as a string, and matching brute force
    const got2 = new Set(
      (await searchAll(base, 'contacts', { field: 'updated_at', operator: '>', value: String(D + 86_399) })).map(
        (c: J) => c.id,
      ),
    );
    const expected = fake.workspace.contacts
      .filter((c) => !cur(c).deleted && dayOf(cur(c).updated_at) > dayOf(D))
      .map((c) => c.id);
    expect([...got2].sort()).toEqual(expected.sort());
  });

  it('= X matches the whole day, < X matches days before', async () => {
    const eq = new Set(
      (await searchAll(base, 'contacts', { field: 'updated_at', operator: '=', value: D + 43_200 })).map(
        (c: J) => c.id,
      ),
    );
    expect(eq.has(late) && eq.has(early)).toBe(true);
    expect(eq.has(nextDay)).toBe(false);
    const lt = new Set(
      (await searchAll(base, 'contacts', { field: 'updated_at', operator: '<', value: D + DAY + 5 * 3600 })).map(
        (c: J) => c.id,
      ),
    );
    expect(lt.has(late) && lt.has(early)).toBe(true);
    expect(lt.has(nextDay)).toBe(false); // same day as X: not before its start
    const expected = fake.workspace.contacts.filter((c) => dayOf(cur(c).updated_at) < dayOf(D + DAY)).map((c) => c.id);
    expect([...lt].sort()).toEqual(expected.sort());
  });

  it('the safe form OR[= day, > day] returns everything updated since the start of the day', async () => {
    const q = {
      operator: 'OR',
      value: [
        { field: 'updated_at', operator: '=', value: D },
        { field: 'updated_at', operator: '>', value: D },
      ],
    };
    const got = (await searchAll(base, 'contacts', q)).map((c: J) => c.id).sort();
    const expected = fake.workspace.contacts
      .filter((c) => cur(c).updated_at >= D)
      .map((c) => c.id)
      .sort();
    expect(got).toEqual(expected);
    expect(got).toContain(late);
  });

  it('!=, >=, <=, IN, NIN on date fields are 400 error.list; integer and string operators work', async () => {
    for (const operator of ['!=', '>=', '<=', 'IN', 'NIN']) {
      const value = operator === 'IN' || operator === 'NIN' ? [D] : D;
      const r = await post(base, '/contacts/search', { query: { field: 'created_at', operator, value } });
      expect(r.status, operator).toBe(400);
      expect(r.body.type).toBe('error.list');
    }
    const bad = await post(base, '/contacts/search', {
      query: { field: 'created_at', operator: '>', value: 'foobar' },
    });
    expect(bad.status).toBe(400);
    const c0 = fake.workspace.contacts[0];
    const byEmail = await searchAll(base, 'contacts', {
      field: 'email',
      operator: '=',
      value: c0?.email.toUpperCase(),
    });
    expect(byEmail.map((c: J) => c.id)).toEqual([c0?.id]);
    const leads = await searchAll(base, 'contacts', { field: 'role', operator: 'IN', value: ['lead'] });
    expect(leads.length).toBe(fake.workspace.contacts.filter((c) => c.role === 'lead').length);
    const ext = await searchAll(base, 'contacts', { field: 'external_id', operator: '^', value: 'u-' });
    expect(ext.every((c: J) => c.role === 'user')).toBe(true);
    const ids = fake.workspace.contacts.slice(0, 3).map((c) => c.id);
    const nin = await searchAll(base, 'contacts', { field: 'id', operator: 'NIN', value: ids });
    expect(nin.length).toBe(fake.workspace.contacts.length - 3);
  });
});

describe('conversation and ticket search: > and < are inclusive', () => {
  it('conversations', async () => {
    const X = NOW - 50 * DAY + 1234;
    const [a, b] = fake.workspace.conversations.slice(0, 2).map((c) => c.id) as [string, string];
    fake.mutate({ stream: 'conversations', ids: [a], at: X });
    fake.mutate({ stream: 'conversations', ids: [b], at: X + 1 });
    const gt = new Set(
      (await searchAll(base, 'conversations', { field: 'updated_at', operator: '>', value: X })).map((c: J) => c.id),
    );
    expect(gt.has(a) && gt.has(b)).toBe(true);
    const expected = fake.workspace.conversations
      .filter((c) => cur(c).updated_at >= X)
      .map((c) => c.id)
      .sort();
    expect([...gt].sort()).toEqual(expected);
    const lt = new Set(
      (await searchAll(base, 'conversations', { field: 'updated_at', operator: '<', value: X })).map((c: J) => c.id),
    );
    expect(lt.has(a)).toBe(true);
    expect(lt.has(b)).toBe(false);
    const both = await searchAll(base, 'conversations', {
      operator: 'AND',
      value: [
        { field: 'updated_at', operator: '>', value: X },
        { field: 'updated_at', operator: '<', value: X },
      ],
    });
    expect(both.map((c: J) => c.id)).toEqual([a]);
    const open = await searchAll(base, 'conversations', { field: 'state', operator: '=', value: 'closed' });
    expect(open.every((c: J) => c.state === 'closed' && c.open === false)).toBe(true);
  });

  it('tickets', async () => {
    const X = NOW - 20 * DAY;
    const t = fake.workspace.tickets[3]?.id as string;
    fake.mutate({ stream: 'tickets', ids: [t], at: X });
    const r = await searchAll(base, 'tickets', { field: 'updated_at', operator: '>', value: X });
    expect(r.map((x: J) => x.id)).toContain(t);
    const expected = fake.workspace.tickets
      .filter((x) => cur(x).updated_at >= X)
      .map((x) => x.id)
      .sort();
    expect(r.map((x: J) => x.id).sort()).toEqual(expected);
    const resolved = await searchAll(base, 'tickets', { field: 'state', operator: '=', value: 'resolved' });
    expect(resolved.every((x: J) => x.ticket_state.category === 'resolved' && x.open === false)).toBe(true);
  });
});

describe('search paging', () => {
  it('body pagination covers every record exactly once; total_count and pages are consistent', async () => {
    const q = { field: 'created_at', operator: '>', value: 0 };
    const first = await post(base, '/contacts/search', { query: q, pagination: { per_page: 7 } });
    expect(first.body.total_count).toBe(400);
    expect(first.body.pages).toMatchObject({ type: 'pages', page: 1, per_page: 7, total_pages: Math.ceil(400 / 7) });
    expect(typeof first.body.pages.next.starting_after).toBe('string');
    const all = await searchAll(base, 'contacts', q, 7);
    const ids = all.map((c: J) => c.id);
    expect(ids.length).toBe(400);
    expect(uniq(ids).length).toBe(400);
    expect([...ids].sort()).toEqual(fake.groundTruth().contacts);
  });

  it('the last page has no pages.next', async () => {
    const r = await post(base, '/tickets/search', {
      query: { field: 'created_at', operator: '>', value: 0 },
      pagination: { per_page: 150 },
    });
    expect(r.body.tickets.length).toBe(60);
    expect(r.body.pages.next).toBeUndefined();
  });

  it('starting_after in the query string is ignored (page 1 again)', async () => {
    const q = { field: 'created_at', operator: '>', value: 0 };
    const p1 = await post(base, '/conversations/search', { query: q, pagination: { per_page: 10 } });
    const cursor = p1.body.pages.next.starting_after as string;
    const again = await post(base, `/conversations/search?starting_after=${encodeURIComponent(cursor)}&per_page=10`, {
      query: q,
      pagination: { per_page: 10 },
    });
    expect(again.body.conversations.map((c: J) => c.id)).toEqual(p1.body.conversations.map((c: J) => c.id));
    const p2 = await post(base, '/conversations/search', {
      query: q,
      pagination: { per_page: 10, starting_after: cursor },
    });
    expect(p2.body.pages.page).toBe(2);
    expect(p2.body.conversations.map((c: J) => c.id)).not.toEqual(p1.body.conversations.map((c: J) => c.id));
  });

  it('results are in a shuffled (not time or id) order', async () => {
    const all = await searchAll(base, 'contacts', { field: 'created_at', operator: '>', value: 0 });
    const upd = all.map((c: J) => c.updated_at as number);
    const ids = all.map((c: J) => c.id as string);
    const sortedAsc = (xs: Array<number | string>): boolean =>
      xs.every((x, i) => i === 0 || (xs[i - 1] as number | string) <= x);
    expect(sortedAsc(upd)).toBe(false);
    expect(sortedAsc([...upd].reverse())).toBe(false);
    expect(sortedAsc(ids)).toBe(false);
    // deterministic
    const again = await searchAll(base, 'contacts', { field: 'created_at', operator: '>', value: 0 });
    expect(again.map((c: J) => c.id)).toEqual(ids);
  });

  it('per_page above 150 and bad cursors are 400', async () => {
    const q = { field: 'created_at', operator: '>', value: 0 };
    expect((await post(base, '/contacts/search', { query: q, pagination: { per_page: 151 } })).status).toBe(400);
    expect((await post(base, '/contacts/search', { query: q, pagination: { per_page: 150 } })).status).toBe(200);
    expect((await post(base, '/contacts/search', { query: q, pagination: { starting_after: 'garbage' } })).status).toBe(
      400,
    );
  });
});

describe('query validation', () => {
  const leaf = { field: 'created_at', operator: '>', value: 0 };
  const cases: Array<[string, unknown, number]> = [
    ['single leaf', leaf, 200],
    [
      '2 levels of groups',
      {
        operator: 'AND',
        value: [
          { operator: 'OR', value: [leaf, leaf] },
          { operator: 'OR', value: [leaf] },
        ],
      },
      200,
    ],
    [
      '3 levels of groups',
      { operator: 'AND', value: [{ operator: 'OR', value: [{ operator: 'AND', value: [leaf] }] }] },
      400,
    ],
    ['15 filters', { operator: 'OR', value: Array.from({ length: 15 }, () => leaf) }, 200],
    ['16 filters', { operator: 'OR', value: Array.from({ length: 16 }, () => leaf) }, 400],
    ['mixed group', { operator: 'AND', value: [leaf, { operator: 'OR', value: [leaf] }] }, 400],
    ['bad group operator', { operator: 'XOR', value: [leaf] }, 400],
    ['bad operator', { field: 'created_at', operator: '>>', value: 0 }, 400],
    ['unknown field', { field: 'no_such_field', operator: '=', value: 'x' }, 400],
    ['> on a string field', { field: 'email', operator: '>', value: 'a' }, 400],
    ['IN without array', { field: 'id', operator: 'IN', value: 'a' }, 400],
  ];
  for (const [name, query, status] of cases) {
    it(`${name} -> ${status}`, async () => {
      const r = await post(base, '/contacts/search', { query });
      expect(r.status).toBe(status);
      if (status === 400) {
        expect(r.body.type).toBe('error.list');
        expect(r.body.errors[0].code).toMatch(/^parameter_/);
      }
    });
  }
  it('missing query -> 400', async () => {
    expect((await post(base, '/conversations/search', { pagination: { per_page: 5 } })).status).toBe(400);
  });
});

describe('search index lag', () => {
  it('updates, creations and deletions reach search only after indexLagSeconds', async () => {
    const lagged = await startFakeIntercom({
      seed: 9,
      now: NOW,
      indexLagSeconds: 300,
      size: { contacts: 50, conversations: 20, tickets: 5 },
    });
    try {
      const u = lagged.url;
      const target = lagged.workspace.contacts[4];
      const before = cur(target!).updated_at;
      const m = lagged.mutate({ stream: 'contacts', ids: [target!.id] });
      const cm = lagged.mutate({ stream: 'contacts', create: 1 });
      const created = cm.created[0] as string;
      const gone = lagged.workspace.conversations[2]!.id;
      lagged.mutate({ stream: 'conversations', ids: [gone], delete: 1 });
      expect(m.visibleAt).toBe(m.at + 300);

      const s1 = await searchAll(u, 'contacts', { field: 'id', operator: 'IN', value: [target!.id, created] });
      expect(s1.map((c: J) => [c.id, c.updated_at])).toEqual([[target!.id, before]]); // old version, no new record
      const direct = await post(u, '/contacts/search', { query: { field: 'id', operator: '=', value: created } });
      expect(direct.body.total_count).toBe(0);
      // the list endpoints see the write at once
      const getNew = await fetch(`${u}/contacts/${created}`, {
        headers: { Authorization: 'Bearer fake-token', 'Intercom-Version': '2.14' },
      });
      expect(getNew.status).toBe(200);
      const convs = await searchAll(u, 'conversations', { field: 'id', operator: '=', value: gone });
      expect(convs.length).toBe(1); // deleted, but the index still has it...
      const byId = await fetch(`${u}/conversations/${gone}`, {
        headers: { Authorization: 'Bearer fake-token', 'Intercom-Version': '2.14' },
      });
      expect(byId.status).toBe(404); // ...while the record is gone

      lagged.advanceTime(301);
      const s2 = await searchAll(u, 'contacts', { field: 'id', operator: 'IN', value: [target!.id, created] });
      expect(s2.map((c: J) => [c.id, c.updated_at]).sort()).toEqual(
        [
          [target!.id, m.at],
          [created, cm.at],
        ].sort(),
      );
      expect((await searchAll(u, 'conversations', { field: 'id', operator: '=', value: gone })).length).toBe(0);
    } finally {
      await lagged.close();
    }
  });
});
