/**
 * The write endpoints: every answer validates against the OpenAPI component schemas (strict), the
 * validation and 409 rules of API-NOTES.md hold, and what is written is visible to reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom } from './index.js';
import type { FakeIntercom } from './index.js';
import { NOW, call, expectValid, get, post, validator } from '../../test/helpers/fake-intercom.js';
import type { J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let base: string;
const put = (path: string, body: unknown) => call(base, 'PUT', path, body);
const del = (path: string) => call(base, 'DELETE', path);

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 12,
    now: NOW,
    size: { contacts: 30, companies: 8, conversations: 6, tickets: 4, largeConversations: 0, largeTickets: 0 },
    indexLagSeconds: 30,
  });
  base = fake.url;
  validator();
});
afterAll(async () => {
  await fake.close();
});

describe('contacts', () => {
  let id: string;

  it('POST /contacts creates a contact (schema: contact) with every writable field', async () => {
    const r = await post(base, '/contacts', {
      role: 'user',
      external_id: 'w-1',
      email: 'W1@Example.com',
      phone: '+15550100',
      name: 'Written One',
      avatar: 'https://example.com/a.png',
      signed_up_at: NOW - 100,
      last_seen_at: NOW - 10,
      owner_id: Number(fake.workspace.admins[0]!.id),
      unsubscribed_from_emails: false,
      custom_attributes: { plan: 'gold', seats: 4 },
    });
    expect(r.status).toBe(200);
    expectValid('contact', r.body, 'POST /contacts');
    expect(r.body).toMatchObject({
      external_id: 'w-1',
      email: 'w1@example.com',
      name: 'Written One',
      phone: '+15550100',
      avatar: { image_url: 'https://example.com/a.png' },
      custom_attributes: { plan: 'gold', seats: 4 },
    });
    id = r.body.id;
    expect(fake.writes.contacts.get(id)).toMatchObject({ external_id: 'w-1', name: 'Written One' });
  });

  it("a duplicate answers 409 naming the existing contact; a lead may share a user's email", async () => {
    const dupExternal = await post(base, '/contacts', { external_id: 'w-1' });
    expect(dupExternal.status).toBe(409);
    expectValid('error', dupExternal.body);
    expect(dupExternal.body.errors[0]).toMatchObject({
      code: 'conflict',
      message: `A contact matching those details already exists with id=${id}`,
    });
    expect((await post(base, '/contacts', { email: 'w1@example.com' })).status).toBe(409);
    const lead = await post(base, '/contacts', { email: 'w1@example.com', role: 'lead' });
    expect(lead.status).toBe(200);
    expect(lead.body.role).toBe('lead');
  });

  it('refuses bodies the request schema does not allow', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'no identifier' }, 'One of email, external_id or role is required'],
      [{ email: 'x@example.com', type: 'contact' }, 'type is not a valid parameter'],
      [{ email: 'x@example.com', role: 'admin' }, 'role must be user or lead'],
      [{ email: 'x@example.com', owner_id: '7' }, 'owner_id must be an integer'],
      [
        { email: 'x@example.com', custom_attributes: { a: { b: 1 } } },
        'custom_attributes.a must be a string, number or boolean',
      ],
    ];
    for (const [body, message] of cases) {
      const r = await post(base, '/contacts', body);
      expect(r.status, message).toBe(400);
      expectValid('error', r.body);
      expect(r.body.errors[0].message).toBe(message);
    }
  });

  it('PUT /contacts/{id} updates (schema: contact); the new version is what search shows after the index lag', async () => {
    const r = await put(`/contacts/${id}`, { name: 'Renamed', custom_attributes: { seats: 5 } });
    expect(r.status).toBe(200);
    expectValid('contact', r.body, 'PUT /contacts/{id}');
    expect(r.body).toMatchObject({ name: 'Renamed', custom_attributes: { plan: 'gold', seats: 5 } });
    const query = { query: { field: 'external_id', operator: '=', value: 'w-1' } };
    expect((await post(base, '/contacts/search', query)).body.data).toEqual([]);
    fake.advanceTime(31);
    const found = await post(base, '/contacts/search', query);
    expect(found.body.data.map((c: J) => [c.id, c.name])).toEqual([[id, 'Renamed']]);
    expect((await put('/contacts/nope', { name: 'x' })).status).toBe(404);
  });

  it('DELETE /contacts/{id} (schema: contact_deleted); the contact is gone for reads and writes', async () => {
    const r = await del(`/contacts/${id}`);
    expect(r.status).toBe(200);
    // contact_deleted = allOf[contact_reference] + {deleted}; the strict validator closes the allOf
    // branch, so the reference part is checked on its own.
    const { deleted, ...reference } = r.body;
    expectValid('contact_reference', reference);
    expect(deleted).toBe(true);
    expect(r.body).toEqual({ type: 'contact', id, external_id: 'w-1', deleted: true });
    expect((await get(base, `/contacts/${id}`)).status).toBe(404);
    expect((await del(`/contacts/${id}`)).status).toBe(404);
    expect(fake.writes.deleted.contacts).toEqual([id]);
    // Its external_id is free again.
    expect((await post(base, '/contacts', { external_id: 'w-1' })).status).toBe(200);
  });
});

describe('companies', () => {
  it('POST /companies creates, then updates by company_id (schema: company); monthly_spend must be an integer', async () => {
    const a = await post(base, '/companies', {
      company_id: 'wc-1',
      name: 'WC',
      monthly_spend: 100,
      plan: 'pro',
      size: 12,
      custom_attributes: { tier: 'gold' },
    });
    expect(a.status).toBe(200);
    expectValid('company', a.body, 'POST /companies');
    expect(a.body).toMatchObject({
      company_id: 'wc-1',
      name: 'WC',
      monthly_spend: 100,
      size: 12,
      plan: { type: 'plan', name: 'pro' },
      custom_attributes: { tier: 'gold' },
    });
    const b = await post(base, '/companies', { company_id: 'wc-1', name: 'WC 2' });
    expectValid('company', b.body);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body).toMatchObject({ name: 'WC 2', monthly_spend: 100 });
    const bad = await post(base, '/companies', { company_id: 'wc-2', monthly_spend: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'monthly_spend' });
    expect((await get(base, `/companies/${a.body.id}`)).body.name).toBe('WC 2');
  });

  it('DELETE /companies/{id} (schema: deleted_company_object)', async () => {
    const co = fake.workspace.companies.find((c) => !cur(c).deleted)!;
    const r = await del(`/companies/${co.id}`);
    expectValid('deleted_company_object', r.body);
    expect(r.body).toEqual({ id: co.id, object: 'company', deleted: true });
    expect((await get(base, `/companies/${co.id}`)).status).toBe(404);
  });
});

describe('events, tags, notes', () => {
  it('POST /events: 202 with no body; an identical event is ignored; nested metadata and unknown users are refused', async () => {
    const user = fake.workspace.contacts.find((c) => c.external_id && !cur(c).deleted)!;
    const event = {
      event_name: 'w-event',
      created_at: NOW - 5,
      user_id: user.external_id,
      metadata: { n: 1, price: { amount: 100, currency: 'usd' } },
    };
    const r = await post(base, '/events', event);
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    expect((await post(base, '/events', event)).status).toBe(202);
    expect(fake.writes.events.filter((e) => e.event_name === 'w-event')).toHaveLength(1);
    expect(fake.writes.duplicateEvents).toBe(1);
    expect((await post(base, '/events', { ...event, metadata: { a: { b: 1 } } })).status).toBe(400);
    expect((await post(base, '/events', { event_name: 'x', created_at: 1, user_id: 'nobody' })).status).toBe(404);
    expect((await post(base, '/events', { event_name: 'x', user_id: user.external_id })).body.errors[0].field).toBe(
      'created_at',
    );
  });

  it("tags attach and detach (schema: tag); the contact's tag list follows", async () => {
    const c = fake.workspace.contacts.find((x) => !cur(x).deleted && x.tagIdxs.length === 0)!;
    const tag = fake.workspace.tags[3]!;
    const a = await post(base, `/contacts/${c.id}/tags`, { id: tag.id });
    expectValid('tag', a.body);
    expect((await get(base, `/contacts/${c.id}/tags`)).body.data.map((t: J) => t.id)).toEqual([tag.id]);
    const d = await del(`/contacts/${c.id}/tags/${tag.id}`);
    expectValid('tag', d.body);
    expect((await get(base, `/contacts/${c.id}/tags`)).body.data).toEqual([]);
    expect((await post(base, `/contacts/${c.id}/tags`, { id: 'no-such-tag' })).status).toBe(404);
  });

  it('notes (schema: note) are listed first by GET /contacts/{id}/notes (schema: note_list)', async () => {
    const c = fake.workspace.contacts.find((x) => !cur(x).deleted && x.noteCount > 0)!;
    const admin = fake.workspace.admins[2]!;
    const r = await post(base, `/contacts/${c.id}/notes`, { body: 'Written note', admin_id: admin.id });
    expect(r.status).toBe(200);
    expectValid('note', r.body);
    expect(r.body).toMatchObject({ body: '<p>Written note</p>', author: { id: admin.id }, contact: { id: c.id } });
    const list = await get(base, `/contacts/${c.id}/notes`);
    expectValid('note_list', list.body);
    expect(list.body.data[0].id).toBe(r.body.id);
    expect(list.body.total_count).toBe(c.noteCount + 1);
    expect((await post(base, `/contacts/${c.id}/notes`, { admin_id: admin.id })).status).toBe(400);
  });
});

describe('tickets and replies', () => {
  it('POST /tickets, PUT /tickets/{id}, DELETE /tickets/{id} (schemas: ticket, ticket_deleted)', async () => {
    const c = fake.workspace.contacts.find((x) => !cur(x).deleted)!;
    const created = await post(base, '/tickets', {
      ticket_type_id: '1001',
      contacts: [{ id: c.id }],
      ticket_attributes: { _default_title_: 'Written ticket' },
    });
    expect(created.status).toBe(200);
    expectValid('ticket', created.body, 'POST /tickets');
    expect(created.body).toMatchObject({
      ticket_attributes: { _default_title_: 'Written ticket' },
      contacts: { contacts: [{ id: c.id }] },
      ticket_type: { id: '1001' },
    });
    const updated = await put(`/tickets/${created.body.id}`, {
      open: false,
      ticket_attributes: { _default_description_: 'done' },
    });
    expectValid('ticket', updated.body, 'PUT /tickets/{id}');
    expect(updated.body).toMatchObject({
      open: false,
      ticket_attributes: { _default_title_: 'Written ticket', _default_description_: 'done' },
    });
    const deleted = await del(`/tickets/${created.body.id}`);
    expectValid('ticket_deleted', deleted.body);
    expect((await get(base, `/tickets/${created.body.id}`)).status).toBe(404);
    expect((await post(base, '/tickets', { ticket_type_id: '9', contacts: [{ id: c.id }] })).status).toBe(404);
    expect((await post(base, '/tickets', { ticket_type_id: '1001' })).status).toBe(400);
  });

  it('POST /conversations/{id}/reply (schema: conversation); the reply is the newest part of GET /conversations/{id}', async () => {
    const conv = fake.workspace.conversations[1]!;
    const admin = fake.workspace.admins[1]!;
    const r = await post(base, `/conversations/${conv.id}/reply`, {
      type: 'admin',
      message_type: 'comment',
      admin_id: admin.id,
      body: 'Admin reply',
    });
    expect(r.status).toBe(200);
    expectValid('conversation', r.body, 'reply');
    const contact = fake.workspace.contacts[conv.contactIdxs[0]!]!;
    const u = await post(base, `/conversations/${conv.id}/reply`, {
      type: 'user',
      message_type: 'comment',
      intercom_user_id: contact.id,
      body: 'User reply',
    });
    expectValid('conversation', u.body, 'user reply');
    const read = await get(base, `/conversations/${conv.id}`);
    expectValid('conversation', read.body, 'GET after replies');
    const parts = read.body.conversation_parts.conversation_parts as J[];
    expect(parts.slice(-2).map((p: J) => [p.author.type, p.author.id, p.body])).toEqual([
      ['admin', admin.id, '<p>Admin reply</p>'],
      ['user', contact.id, '<p>User reply</p>'],
    ]);
    expect(
      (await post(base, `/conversations/${conv.id}/reply`, { type: 'admin', message_type: 'comment' })).status,
    ).toBe(400);
    expect(
      (await post(base, '/conversations/424242/reply', { type: 'admin', message_type: 'comment', admin_id: admin.id }))
        .status,
    ).toBe(404);
  });
});

describe('write log', () => {
  it('records every write request with its status and the time of the answer', () => {
    const log = fake.writes.entries();
    expect(log.length).toBeGreaterThan(20);
    expect(log.every((e, i) => i === 0 || e.seq > log[i - 1]!.seq)).toBe(true);
    expect(log.every((e) => e.at > 0 && e.status >= 200)).toBe(true);
    expect(fake.writes.entries('POST /contacts').some((e) => e.status === 409)).toBe(true);
  });
});
