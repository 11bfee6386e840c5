/** Workspace data: part caps, embedded lists, events window, activity logs, mutations, determinism, ground truth. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PART_CAP, cur, startFakeIntercom } from './index.js';
import type { FakeIntercom, GroundTruth } from './index.js';
import { DAY, NOW, get, searchAll, uniq } from '../../test/helpers/fake-intercom.js';
import type { J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let base: string;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 21,
    now: NOW,
    size: { contacts: 150, companies: 30, conversations: 80, tickets: 20, largeConversations: 2, largeTickets: 1 },
  });
  base = fake.url;
});
afterAll(async () => {
  await fake.close();
});

describe('conversation and ticket parts', () => {
  it('GET /conversations/{id} returns at most the 500 most recent parts; statistics has the real count', async () => {
    const gt = fake.groundTruth();
    expect(gt.truncated.conversations.length).toBe(2);
    for (const t of gt.truncated.conversations) {
      const r = await get(base, `/conversations/${t.id}`);
      const parts = r.body.conversation_parts.conversation_parts as J[];
      expect(parts.length).toBe(PART_CAP);
      expect(r.body.conversation_parts.total_count).toBe(PART_CAP);
      expect(r.body.statistics.count_conversation_parts).toBe(t.total_parts);
      expect(t.total_parts).toBeGreaterThan(PART_CAP);
      expect(t.missing).toBe(t.total_parts - PART_CAP);
      // the most recent ones, oldest first, ending with the latest part
      for (let i = 1; i < parts.length; i++)
        expect(parts[i].created_at).toBeGreaterThanOrEqual(parts[i - 1].created_at);
      expect(parts[parts.length - 1].created_at).toBe(r.body.updated_at);
      for (const p of parts) expect(gt.conversation_parts).toContain(p.id);
    }
    const [tt] = gt.truncated.tickets;
    const tr = await get(base, `/tickets/${tt?.id}`);
    expect(tr.body.ticket_parts.ticket_parts.length).toBe(PART_CAP);
    expect(tt?.total_parts).toBeGreaterThan(PART_CAP);
  });

  it('parts carry email_address_headers on email conversations; display_as=plaintext strips HTML', async () => {
    const gt = fake.groundTruth();
    expect(gt.email_address_header.length).toBeGreaterThan(0);
    const [convId, partId, idx] = (gt.email_address_header[0] as string).split('|');
    const r = await get(base, `/conversations/${convId}`);
    const part = (r.body.conversation_parts.conversation_parts as J[]).find((p: J) => p.id === partId);
    expect(part.email_message_metadata.email_address_headers[Number(idx)].email_address).toMatch(/@/);
    const plain = await get(base, `/conversations/${convId}?display_as=plaintext`);
    const html = JSON.stringify(r.body.conversation_parts);
    expect(html).toMatch(/<p>/);
    for (const p of plain.body.conversation_parts.conversation_parts as J[])
      if (p.body !== null) expect(p.body).not.toMatch(/<\/?(p|b|a|br)\b[^>]*>|&amp;|&#39;/i);
    expect(JSON.stringify(plain.body.conversation_parts)).toMatch(/<escaped>|&|'/); // entities decoded
    expect(plain.body.source.body).not.toMatch(/<p>/);
  });

  it('deleted conversations answer 404 "Conversation Not Found"', async () => {
    const id = fake.workspace.conversations[5]!.id;
    fake.mutate({ stream: 'conversations', ids: [id], delete: 1 });
    const r = await get(base, `/conversations/${id}`);
    expect(r.status).toBe(404);
    expect(r.body.errors[0]).toMatchObject({ code: 'not_found', message: 'Conversation Not Found' });
    expect(fake.groundTruth().conversations).not.toContain(id);
  });
});

describe('contacts embed at most 10 tags / companies / notes', () => {
  it('has_more is true when there are more, and the sub-lists return all', async () => {
    const ws = fake.workspace;
    for (const [kind, count] of [
      ['tags', (c: (typeof ws.contacts)[number]) => c.tagIdxs.length],
      ['companies', (c: (typeof ws.contacts)[number]) => c.companyIdxs.length],
      ['notes', (c: (typeof ws.contacts)[number]) => c.noteCount],
    ] as const) {
      const many = ws.contacts.filter((c) => count(c) > 10);
      expect(many.length, kind).toBeGreaterThan(0);
      for (const c of many) {
        const r = await get(base, `/contacts/${c.id}`);
        expect(r.body[kind].data.length).toBe(10);
        expect(r.body[kind].has_more).toBe(true);
        expect(r.body[kind].total_count).toBe(count(c));
        const sub = await get(base, `/contacts/${c.id}/${kind}`);
        expect(sub.body.data.length).toBe(count(c));
      }
      const few = ws.contacts.find((c) => count(c) > 0 && count(c) <= 10)!;
      const r = await get(base, `/contacts/${few.id}`);
      expect(r.body[kind].has_more).toBe(false);
      expect(r.body[kind].data.length).toBe(count(few));
    }
  });
});

describe('events', () => {
  it('only the last 90 days are listed, paged through absolute pages.next urls', async () => {
    const ws = fake.workspace;
    const withOld = ws.contacts.filter((c) =>
      ws.contactEvents(c).some((e) => (e['created_at'] as number) < NOW - 90 * DAY),
    );
    expect(withOld.length).toBeGreaterThan(0);
    let listed = 0;
    for (const c of ws.contacts.slice(0, 60)) {
      const expected = ws
        .contactEvents(c)
        .filter((e) => (e['created_at'] as number) >= fake.now() - 90 * DAY)
        .map((e) => e['id']);
      const got: J[] = [];
      let url: string | undefined = `${base}/events?type=user&intercom_user_id=${c.id}&per_page=2`;
      while (url) {
        expect(url.startsWith(base)).toBe(true);
        const r = await get('', url);
        expect(r.status).toBe(200);
        expect(r.body.type).toBe('event.list');
        got.push(...(r.body.events as J[]));
        url = r.body.pages.next;
      }
      expect(got.map((e: J) => e.id)).toEqual(expected);
      for (const e of got) expect(e.created_at).toBeGreaterThanOrEqual(NOW - 90 * DAY);
      listed += got.length;
    }
    expect(listed).toBeGreaterThan(0);
    const u = ws.contacts.find((c) => c.external_id)!;
    expect((await get(base, `/events?type=user&user_id=${u.external_id}`)).status).toBe(200);
    expect((await get(base, `/events?type=user&email=${encodeURIComponent(u.email)}`)).status).toBe(200);
    expect((await get(base, '/events?type=user&intercom_user_id=nope')).status).toBe(404);
    expect((await get(base, `/events?intercom_user_id=${u.id}`)).status).toBe(400);
  });

  it('the window moves with the clock', async () => {
    const f = await startFakeIntercom({
      seed: 21,
      now: NOW,
      size: { contacts: 150, companies: 30, conversations: 1, tickets: 1 },
    });
    try {
      const before = f.groundTruth().events.length;
      f.advanceTime(45 * DAY);
      const after = f.groundTruth().events.length;
      expect(after).toBeLessThan(before);
    } finally {
      await f.close();
    }
  });
});

describe('activity logs', () => {
  it('windows wider than activityLogMaxWindowDays answer 500; narrower ones page via pages.next.starting_after', async () => {
    const wide = await get(base, `/admins/activity_logs?created_at_after=${NOW - 60 * DAY}&created_at_before=${NOW}`);
    expect(wide.status).toBe(500);
    expect(wide.body.type).toBe('error.list');
    const noBefore = await get(base, `/admins/activity_logs?created_at_after=${NOW - 60 * DAY}`);
    expect(noBefore.status).toBe(500);
    // walk 400 days in 20-day windows: every log exactly once
    const seen: string[] = [];
    for (let end = NOW; end > NOW - 410 * DAY; end -= 20 * DAY) {
      const after = end - 20 * DAY + 1;
      let cursor: string | undefined;
      do {
        const r = await get(
          base,
          `/admins/activity_logs?created_at_after=${after}&created_at_before=${end}${cursor ? `&starting_after=${cursor}` : ''}`,
        );
        expect(r.status).toBe(200);
        for (const l of r.body.activity_logs as J[]) {
          expect(l.created_at).toBeGreaterThanOrEqual(after);
          expect(l.created_at).toBeLessThanOrEqual(end);
        }
        seen.push(...r.body.activity_logs.map((l: J) => l.id));
        cursor = r.body.pages.next?.starting_after;
      } while (cursor);
    }
    expect(seen.length).toBe(uniq(seen).length);
    expect([...seen].sort()).toEqual(fake.groundTruth().activity_logs);
  });
});

describe('timestamps', () => {
  it('spread over ~400 days, several per day, some in the last seconds before UTC midnight', () => {
    const big = fake.workspace.contacts.map((c) => cur(c).updated_at);
    const days = new Set(big.map((t) => Math.floor(t / DAY)));
    expect(Math.max(...big) - Math.min(...big)).toBeGreaterThan(300 * DAY);
    expect(big.length / days.size).toBeGreaterThanOrEqual(2);
    expect(big.filter((t) => t % DAY >= DAY - 5).length).toBeGreaterThan(3);
    expect(big.every((t) => t <= NOW)).toBe(true);
    for (const c of fake.workspace.contacts) expect(c.created_at).toBeLessThanOrEqual(cur(c).updated_at);
  });
});

describe('determinism', () => {
  it('same seed and sizes give the same workspace; another seed differs', async () => {
    const size = { contacts: 60, companies: 12, conversations: 25, tickets: 6 };
    const a = await startFakeIntercom({ seed: 8, now: NOW, size });
    const b = await startFakeIntercom({ seed: 8, now: NOW, size });
    const c = await startFakeIntercom({ seed: 9, now: NOW, size });
    try {
      expect(a.groundTruth()).toEqual(b.groundTruth());
      expect(a.groundTruth().contacts).not.toEqual(c.groundTruth().contacts);
      const pa = await get(a.url, '/contacts?per_page=60');
      const pb = await get(b.url, '/contacts?per_page=60');
      expect(pa.text).toBe(pb.text);
      const conv = a.workspace.conversations[3]!.id;
      expect((await get(a.url, `/conversations/${conv}`)).text).toBe((await get(b.url, `/conversations/${conv}`)).text);
      expect(a.mutate({ stream: 'contacts', update: 5, at: NOW })).toEqual(
        b.mutate({ stream: 'contacts', update: 5, at: NOW }),
      );
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});

describe('mutations', () => {
  it('update / create / delete are reflected by the API and the ground truth', async () => {
    const f = await startFakeIntercom({
      seed: 30,
      now: NOW,
      size: { contacts: 40, companies: 10, conversations: 20, tickets: 5, largeConversations: 0 },
    });
    try {
      const before = f.groundTruth();
      const conv = f.workspace.conversations[1]!;
      const nBefore = f.workspace.partCount(conv);
      const m = f.mutate({ stream: 'conversations', ids: [conv.id], at: NOW + 10 });
      expect(m.updated).toEqual([conv.id]);
      const r = await get(f.url, `/conversations/${conv.id}`);
      expect(r.body.updated_at).toBe(NOW + 10);
      expect(r.body.statistics.count_conversation_parts).toBe(nBefore + 1);
      const last = r.body.conversation_parts.conversation_parts.at(-1);
      expect(last.created_at).toBe(NOW + 10);
      expect(f.groundTruth().conversation_parts).toContain(last.id);

      const cr = f.mutate({ stream: 'contacts', create: 2, delete: 1 });
      expect(cr.created.length).toBe(2);
      expect(cr.deleted.length).toBe(1);
      const gt = f.groundTruth();
      expect(gt.contacts.length).toBe(before.contacts.length + 1);
      for (const id of cr.created) expect(gt.contacts).toContain(id);
      expect(gt.contacts).not.toContain(cr.deleted[0]);
      expect((await get(f.url, `/contacts/${cr.deleted[0]}`)).status).toBe(404);
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const p = await get(f.url, `/contacts?per_page=15${cursor ? `&starting_after=${cursor}` : ''}`);
        listed.push(...p.body.data.map((c: J) => c.id));
        cursor = p.body.pages.next?.starting_after;
      } while (cursor);
      expect(listed.sort()).toEqual(gt.contacts);

      const tk = f.mutate({ stream: 'tickets', update: 2, create: 1 });
      expect(tk.updated.length).toBe(2);
      const co = f.mutate({ stream: 'companies', update: 3 });
      const one = await get(f.url, `/companies/${co.updated[0]}`);
      expect(one.body.updated_at).toBe(co.at);
    } finally {
      await f.close();
    }
  });

  it('mutateEvery applies a mutation every N API requests', async () => {
    const f = await startFakeIntercom({
      seed: 31,
      now: NOW,
      size: { contacts: 20, conversations: 5, tickets: 2 },
      mutateEvery: { requests: 3, spec: { stream: 'contacts', create: 1 } },
    });
    try {
      for (let i = 0; i < 9; i++) await get(f.url, '/admins');
      expect(f.stats.autoMutations).toBe(3);
      expect(f.groundTruth().contacts.length).toBe(23);
      f.setMutateEvery(null);
      for (let i = 0; i < 3; i++) await get(f.url, '/admins');
      expect(f.groundTruth().contacts.length).toBe(23);
    } finally {
      await f.close();
    }
  });
});

describe('ground truth equals a full read through the API', () => {
  it('contacts, companies, conversations, parts, tickets, relations', async () => {
    const gt: GroundTruth = fake.groundTruth();
    const contacts = await searchAll(base, 'contacts', { field: 'created_at', operator: '>', value: 0 });
    expect(contacts.map((c: J) => c.id).sort()).toEqual(gt.contacts);
    const contactTag: string[] = [];
    const contactCompany: string[] = [];
    const notes: string[] = [];
    for (const c of contacts) {
      const tags = c.tags.has_more ? (await get(base, `/contacts/${c.id}/tags`)).body.data : c.tags.data;
      contactTag.push(...tags.map((t: J) => `${c.id}|${t.id}`));
      const comps = c.companies.has_more
        ? (await get(base, `/contacts/${c.id}/companies`)).body.data
        : c.companies.data;
      contactCompany.push(...comps.map((x: J) => `${c.id}|${x.id}`));
      if (c.notes.total_count > 0)
        notes.push(...(await get(base, `/contacts/${c.id}/notes`)).body.data.map((n: J) => n.id));
    }
    expect(contactTag.sort()).toEqual(gt.contact_tag);
    expect(contactCompany.sort()).toEqual(gt.contact_company);
    expect(notes.sort()).toEqual(gt.notes);

    const convs = await searchAll(base, 'conversations', { field: 'updated_at', operator: '>', value: 0 });
    expect(convs.map((c: J) => c.id).sort()).toEqual(gt.conversations);
    const parts: string[] = [];
    const headers: string[] = [];
    const convTags: string[] = [];
    for (const c of convs) {
      const full = (await get(base, `/conversations/${c.id}`)).body;
      convTags.push(...full.tags.tags.map((t: J) => `${c.id}|${t.id}`));
      for (const p of full.conversation_parts.conversation_parts as J[]) {
        parts.push(p.id);
        (p.email_message_metadata?.email_address_headers ?? []).forEach((_: J, i: number) =>
          headers.push(`${c.id}|${p.id}|${i}`),
        );
      }
    }
    expect(parts.sort()).toEqual(gt.conversation_parts);
    expect(uniq(parts).length).toBe(parts.length);
    expect(headers.sort()).toEqual(gt.email_address_header);
    expect(convTags.sort()).toEqual(gt.conversation_tag);

    const tickets = await searchAll(base, 'tickets', { field: 'updated_at', operator: '>', value: 0 });
    expect(tickets.map((t: J) => t.id).sort()).toEqual(gt.tickets);
    const tparts: string[] = [];
    for (const t of tickets)
      tparts.push(...(await get(base, `/tickets/${t.id}`)).body.ticket_parts.ticket_parts.map((p: J) => p.id));
    expect(tparts.sort()).toEqual(gt.ticket_parts);

    const companies: J[] = [];
    let param: string | undefined;
    for (;;) {
      const r = await get(base, `/companies/scroll${param ? `?scroll_param=${param}` : ''}`);
      param = r.body.scroll_param;
      if (r.body.data.length === 0) break;
      companies.push(...r.body.data);
    }
    expect(companies.map((c: J) => c.id).sort()).toEqual(gt.companies);
    expect(companies.flatMap((c: J) => c.tags.tags.map((t: J) => `${c.id}|${t.id}`)).sort()).toEqual(gt.company_tag);
    expect(companies.flatMap((c: J) => c.segments.segments.map((s: J) => `${c.id}|${s.id}`)).sort()).toEqual(
      gt.company_segment,
    );
    const teams = (await get(base, '/teams')).body.teams as J[];
    expect(teams.flatMap((t: J) => t.admin_ids.map((a: number) => `${t.id}|${a}`)).sort()).toEqual(gt.team_admin);

    const ids = await fetch(`${base}/__fake/ids`).then((r) => r.json());
    expect(ids).toEqual(JSON.parse(JSON.stringify(gt)));
  });
});
