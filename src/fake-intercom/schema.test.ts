/**
 * Every endpoint's response validates against the OpenAPI component schemas (strict: no
 * undeclared fields except the documented example-only ones in ALLOW_EXTRA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom } from './index.js';
import type { FakeIntercom } from './index.js';
import { DAY, NOW, expectValid, get, post, validator } from '../../test/helpers/fake-intercom.js';
import type { J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let base: string;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 11,
    now: NOW,
    size: { contacts: 120, companies: 30, conversations: 60, tickets: 20, largeConversations: 1, largeTickets: 1 },
  });
  base = fake.url;
  validator(); // compile once
});
afterAll(async () => {
  await fake.close();
});

describe('schema conformance', () => {
  it('validator is strict: rejects invented fields and wrong types', () => {
    expect(validator().validate('tag', { type: 'tag', id: '1', name: 'x' })).toEqual([]);
    expect(validator().validate('tag', { type: 'tag', id: '1', name: 'x', invented: true }).length).toBeGreaterThan(0);
    expect(validator().validate('tag', { type: 'tag', id: 1, name: 'x' }).length).toBeGreaterThan(0);
    expect(validator().validate('contact', { type: 'contact', id: 'a', phone: null, tags: null })).toEqual([]);
  });

  it('simple lists: /me, /admins, /teams, /tags, /segments, /data_attributes, /ticket_types, /subscription_types', async () => {
    const cases: Array<[string, string, string]> = [
      ['/me', 'admin_with_app', ''],
      ['/admins', 'admin_list', 'admins'],
      ['/teams', 'team_list', 'teams'],
      ['/tags', 'tag_list', 'data'],
      ['/segments?include_count=true', 'segment_list', 'segments'],
      ['/data_attributes?model=contact', 'data_attribute_list', 'data'],
      ['/data_attributes?model=company', 'data_attribute_list', 'data'],
      ['/ticket_types', 'ticket_type_list', 'data'],
      ['/subscription_types', 'subscription_type_list', 'data'],
      ['/help_center/help_centers', 'help_center_list', 'data'],
    ];
    for (const [path, schema, key] of cases) {
      const r = await get(base, path);
      expect(r.status, path).toBe(200);
      expectValid(schema, r.body, path);
      if (key) expect((r.body[key] as J[]).length, path).toBeGreaterThan(0);
    }
    const me = (await get(base, '/me')).body;
    expect(me.app.id_code).toBe(fake.workspace.appId);
    expect(typeof me.app.name).toBe('string');
    const seg = (await get(base, '/segments?include_count=true')).body;
    for (const s of seg.segments as J[]) expect(Number.isInteger(s.count)).toBe(true);
    const segNoCount = (await get(base, '/segments')).body;
    for (const s of segNoCount.segments as J[]) expect(s.count).toBeUndefined();
    // teams reference real admins
    const admins = new Set(((await get(base, '/admins')).body.admins as J[]).map((a: J) => Number(a.id)));
    for (const t of (await get(base, '/teams')).body.teams as J[])
      for (const a of t.admin_ids as number[]) expect(admins.has(a)).toBe(true);
    // data attributes: integer ids on custom ones, none on built-in ones
    const da = (await get(base, '/data_attributes?model=contact')).body.data as J[];
    expect(da.some((d: J) => d.custom && Number.isInteger(d.id))).toBe(true);
    expect(da.filter((d: J) => !d.custom).every((d: J) => d.id === undefined)).toBe(true);
    expect(da.every((d: J) => !d.archived)).toBe(true);
    expect(
      ((await get(base, '/data_attributes?model=contact&include_archived=true')).body.data as J[]).some(
        (d: J) => d.archived,
      ),
    ).toBe(true);
  });

  it('conversation data attributes (model "conversation" is missing from the spec enum; everything else validates)', async () => {
    const r = await get(base, '/data_attributes?model=conversation');
    expect(r.status).toBe(200);
    expect((r.body.data as J[]).length).toBeGreaterThan(0);
    for (const d of r.body.data as J[]) {
      expect(d.model).toBe('conversation');
      expectValid('data_attribute', { ...d, model: 'contact' }, 'conversation data attribute');
    }
  });

  it('help center collections and articles are paged and sorted by updated_at desc', async () => {
    for (const [path, schema, total] of [
      ['/help_center/collections', 'collection_list', fake.workspace.size.collections],
      ['/articles', 'article_list', fake.workspace.size.articles],
    ] as const) {
      const seen: J[] = [];
      for (let page = 1; page < 50; page++) {
        const r = await get(base, `${path}?page=${page}&per_page=4`);
        expect(r.status).toBe(200);
        expectValid(schema, r.body, path);
        expect(r.body.total_count).toBe(total);
        expect(r.body.pages.page).toBe(page);
        if (r.body.data.length === 0) break;
        seen.push(...(r.body.data as J[]));
      }
      expect(seen.length).toBe(total);
      for (let i = 1; i < seen.length; i++) expect(seen[i - 1].updated_at).toBeGreaterThanOrEqual(seen[i].updated_at);
    }
  });

  it('contacts list, single contact, notes, tags, companies', async () => {
    let cursor: string | undefined;
    const all: J[] = [];
    do {
      const r = await get(base, `/contacts?per_page=50${cursor ? `&starting_after=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expectValid('contact_list', r.body, 'GET /contacts');
      all.push(...(r.body.data as J[]));
      cursor = r.body.pages.next?.starting_after;
    } while (cursor);
    expect(all.length).toBe(120);
    for (const c of all.slice(0, 40)) {
      const one = await get(base, `/contacts/${c.id}`);
      expectValid('contact', one.body, 'GET /contacts/{id}');
      const notes = await get(base, `/contacts/${c.id}/notes`);
      expectValid('note_list', notes.body, 'notes');
      expect(notes.body.data.length).toBe(c.notes.total_count);
      const tags = await get(base, `/contacts/${c.id}/tags`);
      expectValid('tag_list', tags.body, 'contact tags');
      const comps = await get(base, `/contacts/${c.id}/companies`);
      expectValid('contact_attached_companies', comps.body, 'contact companies');
      for (const co of comps.body.data as J[]) expectValid('company', co, 'contact company');
      expect(comps.body.companies).toBeUndefined();
    }
  });

  it('conversations (list, by id with parts, plaintext), tickets, searches', async () => {
    const list = await get(base, '/conversations?per_page=150');
    expectValid('conversation_list', list.body, 'GET /conversations');
    for (const c of list.body.conversations as J[]) {
      const r = await get(base, `/conversations/${c.id}`);
      expect(r.status).toBe(200);
      expectValid('conversation', r.body, `GET /conversations/${c.id}`);
    }
    const plain = await get(base, `/conversations/${list.body.conversations[0].id}?display_as=plaintext`);
    expectValid('conversation', plain.body);
    const cs = await post(base, '/contacts/search', {
      query: { field: 'updated_at', operator: '>', value: NOW - 400 * DAY },
      pagination: { per_page: 150 },
    });
    expectValid('contact_list', cs.body, 'contacts search');
    const vs = await post(base, '/conversations/search', {
      query: { field: 'updated_at', operator: '>', value: 0 },
      pagination: { per_page: 150 },
    });
    expectValid('conversation_list', vs.body, 'conversations search');
    expect(vs.body.conversations.length).toBe(60);
    const ts = await post(base, '/tickets/search', {
      query: { field: 'updated_at', operator: '>', value: 0 },
      pagination: { per_page: 150 },
    });
    expectValid('ticket_list', ts.body, 'tickets search');
    expect(ts.body.tickets.length).toBe(20);
    for (const t of ts.body.tickets as J[]) {
      const r = await get(base, `/tickets/${t.id}`);
      expectValid('ticket', r.body, `GET /tickets/${t.id}`);
      expect(r.body.ticket_parts.type).toBe('ticket_part.list');
    }
  });

  it('companies: scroll, list, POST list, by id', async () => {
    const s = await get(base, '/companies/scroll');
    expectValid('company_scroll', s.body, 'scroll');
    expect(s.body.data.length).toBeGreaterThan(0);
    for (const co of s.body.data as J[]) {
      expect(co.tags.type).toBe('tag.list');
      expect(co.segments.type).toBe('segment.list');
    }
    const l = await get(base, '/companies?per_page=50');
    expectValid('company_list', l.body, 'GET /companies');
    const pl = await post(base, '/companies/list?per_page=50', {});
    expectValid('company_list', pl.body, 'POST /companies/list');
    const one = await get(base, `/companies/${l.body.data[0].id}`);
    expectValid('company', one.body);
  });

  it('activity logs and events', async () => {
    const r = await get(base, `/admins/activity_logs?created_at_after=${NOW - 25 * DAY}&created_at_before=${NOW}`);
    expect(r.status).toBe(200);
    expectValid('activity_log_list', r.body, 'activity logs');
    expect(r.body.activity_logs.length).toBeGreaterThan(0);
    const c = fake.workspace.contacts.find((x) => fake.workspace.listableEvents(x).length > 0);
    expect(c).toBeDefined();
    const ev = await get(base, `/events?type=user&intercom_user_id=${c?.id}`);
    expect(ev.status).toBe(200);
    const errs = validator().validateWith(
      {
        type: 'object',
        required: ['type', 'events', 'pages'],
        additionalProperties: false,
        properties: {
          type: { const: 'event.list' },
          events: { type: 'array', items: { $ref: '#/definitions/data_event' } },
          pages: { type: 'object', additionalProperties: false, properties: { next: { type: 'string' } } },
        },
      },
      ev.body,
    );
    expect(errs).toEqual([]);
  });

  it('error bodies are error.list', async () => {
    const rs = [
      await get(base, '/conversations/999'),
      await get(base, '/me', { Authorization: 'Bearer nope', 'Intercom-Version': '2.14' }),
      await get(base, '/me', { Authorization: 'Bearer fake-token', 'Intercom-Version': '1.0' }),
      await post(base, '/contacts/search', { query: { field: 'updated_at', operator: '!=', value: 1 } }),
      await get(base, '/admins/activity_logs'),
      await get(base, '/nope'),
    ];
    expect(rs.map((r) => r.status)).toEqual([404, 401, 400, 400, 400, 404]);
    for (const r of rs) {
      expectValid('error', r.body, 'error');
      expect(r.body.type).toBe('error.list');
      expect(typeof r.body.request_id).toBe('string');
    }
    expect(rs[0]?.body.errors[0]).toMatchObject({ code: 'not_found', message: 'Conversation Not Found' });
    expect(rs[1]?.body.errors[0]).toMatchObject({ code: 'unauthorized', message: 'Access Token Invalid' });
    expect(rs[2]?.body.errors[0].code).toBe('intercom_version_invalid');
  });
});
