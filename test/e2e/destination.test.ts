import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type ContactCore, type FakeIntercom } from '../../src/fake-intercom/index.js';
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
  type DestinationFiles,
} from './destination-helpers.js';

/**
 * The destination through the built CLI against the fake Intercom: every writer, both protocols.
 * Records land on the server exactly; STATE comes back once the records before it are written.
 */
const TOKEN = 'e2e-destination-token-5b6c7d8e9f';

let fake: FakeIntercom;

beforeAll(async () => {
  // A search index lag: contacts created during the run are invisible to search, as on Intercom.
  fake = await startFakeIntercom({
    seed: 21,
    token: TOKEN,
    size: { contacts: 40, companies: 10, conversations: 10, tickets: 6, largeConversations: 0, largeTickets: 0 },
    latencyMs: 3,
    indexLagSeconds: 120,
  });
});
afterAll(async () => {
  await fake.close();
});

const users = (): ContactCore[] =>
  fake.workspace.contacts.filter((c) => c.role === 'user' && c.external_id && !cur(c).deleted);
const leads = (): ContactCore[] => fake.workspace.contacts.filter((c) => c.role === 'lead' && !cur(c).deleted);
const aliveWithExternalId = (externalId: string): ContactCore[] =>
  fake.workspace.contacts.filter((c) => c.external_id === externalId && !cur(c).deleted);

describe('Airbyte write: every writer lands exactly', () => {
  let files: DestinationFiles;
  let run: CliRun;
  const ws = () => fake.workspace;
  let expected: Record<string, unknown>;

  beforeAll(async () => {
    const [u1, u2, u3, u4, u5] = users();
    const [lead] = leads();
    const admin = ws().admins[0]!;
    const tags = ws().tags;
    const untagged = (c: ContactCore) => tags.find((t) => !c.tagIdxs.includes(t.idx))!;
    const tagged = ws().contacts.find(
      (c) => c.tagIdxs.length > 0 && !cur(c).deleted && ![u1, u2, u3, u4, u5, lead].includes(c),
    )!;
    const [co1, co2] = ws().companies;
    const [t1, t2] = ws().tickets;
    const conv = ws().conversations[0]!;
    const convContact = ws().contacts[conv.contactIdxs[0]!]!;

    // A contact created moments ago by someone else: search cannot see it yet (409 on create).
    const hidden = await fetch(`${fake.url}/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.14', 'content-type': 'application/json' },
      body: JSON.stringify({ external_id: 'ext-hidden', email: 'hidden@example.com' }),
    });
    const hiddenId = ((await hidden.json()) as { id: string }).id;
    fake.writes.log.length = 0;

    expected = {
      u1,
      u2,
      u3,
      u4,
      u5,
      lead,
      admin,
      tagged,
      co1,
      co2,
      t1,
      t2,
      conv,
      convContact,
      hiddenId,
      attachTag: untagged(u3!),
      genericTag: untagged(u4!),
      detachTag: tags[tagged.tagIdxs[0]!]!,
    };
    const streams = [
      'contacts',
      'crm_people_deleted',
      'contacts_created',
      'companies',
      'company_deletes',
      'events',
      'contact_tags',
      'contact_untags',
      'notes',
      'tickets',
      'ticket_updates',
      'ticket_deletes',
      'conversation_replies',
      'tag_generic',
    ];
    files = destinationFiles(fake, TOKEN, streams, {
      streams: {
        crm_people_deleted: { object: 'contacts', operation: 'delete' },
        contacts_created: { object: 'contacts', operation: 'create' },
        company_deletes: { object: 'companies', operation: 'delete' },
        contact_untags: { object: 'contact_tags', operation: 'detach' },
        ticket_updates: { object: 'tickets', operation: 'update' },
        ticket_deletes: { object: 'tickets', operation: 'delete' },
        tag_generic: { method: 'POST', path: '/contacts/{contact_id}/tags' },
      },
    });
    const lines = [
      airbyteRecord('contacts', {
        external_id: 'ext-new-1',
        email: 'New1@Example.com',
        name: 'New One',
        role: 'user',
        custom_attributes: '{"plan":"gold","seats":3}',
        signed_up_at: '2024-01-02T03:04:05Z',
        last_seen_at: null,
        type: 'contact',
      }),
      airbyteRecord('contacts', { external_id: u1!.external_id, name: 'Renamed By External Id' }),
      airbyteRecord('contacts', { email: lead!.email, phone: '+15550001' }),
      airbyteRecord('contacts', { external_id: 'ext-new-1', name: 'New One v2' }),
      airbyteRecord('contacts', { id: u2!.id, name: 'By Intercom Id', owner_id: Number(admin.id) }),
      airbyteRecord('contacts', { external_id: 'ext-hidden', email: 'hidden@example.com', name: 'Found after 409' }),
      airbyteState(1),
      airbyteRecord('crm_people_deleted', { external_id: u5!.external_id }),
      airbyteRecord('crm_people_deleted', { email: 'nobody-at-all@example.com' }),
      airbyteRecord('contacts_created', { email: 'lead-created@example.com', role: 'lead', name: 'Lead Created' }),
      airbyteRecord('companies', {
        company_id: 'co-new',
        name: 'NewCo',
        monthly_spend: 1200,
        plan: 'pro',
        custom_attributes: { tier: 'gold' },
      }),
      airbyteRecord('companies', { company_id: co1!.company_id, name: 'Renamed Co', size: '42' }),
      airbyteRecord('company_deletes', { id: co2!.id }),
      airbyteState(2, 'companies'),
      airbyteRecord('events', {
        event_name: 'ordered',
        created_at: 1_700_000_000,
        user_id: 'ext-new-1',
        metadata: '{"order":"A1","price":{"amount":1000,"currency":"eur"}}',
      }),
      airbyteRecord('events', { event_name: 'viewed-pricing', created_at: '2024-05-01T00:00:00Z', email: lead!.email }),
      airbyteRecord('contact_tags', { contact_id: u3!.id, tag_id: (expected.attachTag as { id: string }).id }),
      airbyteRecord('contact_untags', { contact_id: tagged.id, tag_id: (expected.detachTag as { id: string }).id }),
      airbyteRecord('tag_generic', { contact_id: u4!.id, id: (expected.genericTag as { id: string }).id }),
      airbyteRecord('notes', { contact_id: u3!.id, body: 'Called about renewal', admin_id: admin.id }),
      airbyteState(3, 'events'),
      airbyteRecord('tickets', {
        ticket_type_id: '1000',
        contact_external_id: u1!.external_id,
        ticket_attributes: '{"_default_title_":"Broken export"}',
      }),
      airbyteRecord('ticket_updates', {
        id: t1!.id,
        open: false,
        ticket_attributes: { _default_description_: 'closed by sync' },
      }),
      airbyteRecord('ticket_deletes', { id: t2!.id }),
      airbyteRecord('conversation_replies', { conversation_id: conv.id, admin_id: admin.id, body: 'Thanks, fixed!' }),
      airbyteRecord('conversation_replies', {
        conversation_id: conv.id,
        intercom_user_id: convContact.id,
        body: 'Works now',
      }),
      airbyteState(4, 'tickets'),
    ];
    run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: input(lines),
    });
  });

  it('exits 0, every stdout line is a valid Airbyte message, and every STATE is echoed in order with destinationStats', () => {
    expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(0);
    for (const line of run.lines) assertAirbyteMessage(line);
    expect(echoedAirbyteStates(run)).toEqual([1, 2, 3, 4]);
    const first = run.messages.find((m) => m.type === 'STATE')!.state as { destinationStats: { recordCount: number } };
    expect(first.destinationStats.recordCount).toBe(6);
    expect(jsonl(files.deadLetterPath)).toEqual([]);
  });

  it('contacts: creates, updates by external_id / email / id, a second record reuses the new contact, a 409 resolves to an update', () => {
    const { u1, u2, lead, hiddenId } = expected as {
      u1: ContactCore;
      u2: ContactCore;
      lead: ContactCore;
      hiddenId: string;
    };
    const created = aliveWithExternalId('ext-new-1');
    expect(created).toHaveLength(1);
    const written = fake.writes.contacts.get(created[0]!.id)!;
    expect(written).toMatchObject({
      external_id: 'ext-new-1',
      email: 'New1@Example.com',
      name: 'New One v2',
      role: 'user',
      custom_attributes: { plan: 'gold', seats: 3 },
      signed_up_at: 1_704_164_645,
    });
    expect(written).not.toHaveProperty('type');
    // null for a nullable field clears it; for the others (external_id of a lead...) it means "not given".
    expect(written.last_seen_at).toBeNull();
    expect(fake.workspace.contactById.get(u1.id)!.name).toBe('Renamed By External Id');
    expect(fake.writes.contacts.get(lead.id)).toMatchObject({ phone: '+15550001' });
    expect(fake.workspace.contactById.get(u2.id)!.name).toBe('By Intercom Id');
    expect(aliveWithExternalId('ext-hidden').map((c) => c.id)).toEqual([hiddenId]);
    expect(fake.workspace.contactById.get(hiddenId)!.name).toBe('Found after 409');
    const creates = fake.writes.entries('POST /contacts');
    expect(
      creates
        .filter((e) => e.status === 200)
        .map(
          (e) =>
            (e.body as { external_id?: string; email?: string }).external_id ?? (e.body as { email?: string }).email,
        )
        .sort(),
    ).toEqual(['ext-new-1', 'lead-created@example.com']);
    expect(creates.filter((e) => e.status === 409)).toHaveLength(1);
  });

  it('contact deletes: by external_id; no match is skipped, not failed', () => {
    const { u5 } = expected as { u5: ContactCore };
    expect(fake.writes.deleted.contacts).toEqual([u5.id]);
    expect(cur(fake.workspace.contactById.get(u5.id)!).deleted).toBe(true);
    expect(writeSummary(run).streams.crm_people_deleted).toMatchObject({
      received: 2,
      deleted: 1,
      skipped: 1,
      failed: 0,
    });
  });

  it('companies: create-or-update by company_id with integer monthly_spend; delete by id', () => {
    const { co1, co2 } = expected as { co1: { company_id: string; id: string }; co2: { id: string } };
    expect(fake.writes.companies.get('co-new')).toMatchObject({
      name: 'NewCo',
      monthly_spend: 1200,
      plan: 'pro',
      custom_attributes: { tier: 'gold' },
    });
    expect(fake.writes.companies.get(co1.company_id)).toMatchObject({ name: 'Renamed Co', size: 42, id: co1.id });
    expect(fake.writes.deleted.companies).toEqual([co2.id]);
    expect(writeSummary(run).streams.companies).toMatchObject({ received: 2, created: 1, updated: 1, failed: 0 });
  });

  it('events after the contact they name, with flat metadata (a monetary value stays an object)', () => {
    const { lead } = expected as { lead: ContactCore };
    const newId = aliveWithExternalId('ext-new-1')[0]!.id;
    expect(fake.writes.events).toHaveLength(2);
    expect(fake.writes.events).toEqual(
      expect.arrayContaining([
        {
          event_name: 'ordered',
          created_at: 1_700_000_000,
          contact_id: newId,
          metadata: { order: 'A1', price: { amount: 1000, currency: 'eur' } },
        },
        { event_name: 'viewed-pricing', created_at: 1_714_521_600, contact_id: lead.id },
      ]),
    );
    // The event waited for the contact it names: it was created first.
    const createdAt = fake.writes.log.find(
      (e) => e.template === 'POST /contacts' && (e.body as { external_id?: string }).external_id === 'ext-new-1',
    )!.at;
    expect(
      fake.writes.log.find(
        (e) => e.template === 'POST /events' && (e.body as { user_id?: string }).user_id === 'ext-new-1',
      )!.at,
    ).toBeGreaterThanOrEqual(createdAt);
  });

  it('tags (attach, detach, generic mode), notes, tickets and replies', () => {
    const e = expected as Record<string, { id: string; tagIdxs?: number[]; idx?: number }>;
    expect(fake.writes.tagOps).toEqual(
      expect.arrayContaining([
        { contact_id: e.u3!.id, tag_id: e.attachTag!.id, op: 'attach' },
        { contact_id: e.tagged!.id, tag_id: e.detachTag!.id, op: 'detach' },
        { contact_id: e.u4!.id, tag_id: e.genericTag!.id, op: 'attach' },
      ]),
    );
    expect(fake.writes.tagOps).toHaveLength(3);
    expect(fake.workspace.contactById.get(e.u3!.id)!.tagIdxs).toContain(e.attachTag!.idx);
    expect(fake.workspace.contactById.get(e.tagged!.id)!.tagIdxs).not.toContain(e.detachTag!.idx);
    expect(
      fake.writes.notes.map((n) => [(n.contact as { id: string }).id, n.body, (n.author as { id: string }).id]),
    ).toEqual([[e.u3!.id, '<p>Called about renewal</p>', e.admin!.id]]);
    const createdTickets = [...fake.writes.tickets].filter(([, w]) => w.ticket_type_id === '1000');
    expect(createdTickets).toHaveLength(1);
    expect(createdTickets[0]![1]).toMatchObject({
      contacts: [{ external_id: (e.u1 as unknown as ContactCore).external_id }],
      ticket_attributes: { _default_title_: 'Broken export' },
    });
    expect(fake.writes.tickets.get(e.t1!.id)).toMatchObject({
      open: false,
      ticket_attributes: { _default_description_: 'closed by sync' },
    });
    expect(fake.writes.deleted.tickets).toEqual([e.t2!.id]);
    expect(fake.writes.replies.map((r) => [r.conversation_id, r.author.type, r.author.id, r.body.body])).toEqual([
      [e.conv!.id, 'admin', e.admin!.id, 'Thanks, fixed!'],
      [e.conv!.id, 'user', e.convContact!.id, 'Works now'],
    ]);
  });

  it('nothing the API would refuse was sent: every write was answered 2xx, unknown fields were dropped with one LOG each', () => {
    expect(fake.writes.log.filter((e) => e.status >= 400 && e.status !== 409)).toEqual([]);
    const dropped = logMessages(run).filter((m) => m.includes("field 'type' is not accepted"));
    expect(dropped).toHaveLength(1);
  });

  it('summary per stream; responses file holds every write answer; the token appears nowhere', () => {
    const summary = writeSummary(run);
    expect(summary.streams.contacts).toMatchObject({ received: 6, written: 6, created: 1, updated: 5, failed: 0 });
    expect(summary.streams.notes).toMatchObject({ received: 1, created: 1 });
    expect(summary.states_echoed).toBe(4);
    const responses = jsonl(files.responsesPath);
    const writes = fake.writes.log.filter((e) => e.status < 400);
    expect(responses).toHaveLength(writes.length);
    expect(
      responses.find((r) => r.path === '/companies' && (r.response as { company_id: string }).company_id === 'co-new'),
    ).toBeDefined();
    for (const text of [run.stdout, run.stderr, readFileSync(files.responsesPath, 'utf8')])
      expect(text).not.toContain(TOKEN);
  });

  it('what was written is visible to reads once the search index catches up', async () => {
    fake.advanceTime(180);
    const res = await fetch(`${fake.url}/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.14', 'content-type': 'application/json' },
      body: JSON.stringify({ query: { field: 'external_id', operator: '=', value: 'ext-new-1' } }),
    });
    const body = (await res.json()) as { data: { name: string; email: string }[] };
    expect(body.data.map((c) => [c.name, c.email])).toEqual([['New One v2', 'new1@example.com']]);
  });
});

describe('Singer target: SCHEMA / RECORD / STATE in, state values out', () => {
  it('writes the records and prints each state value (one JSON per line) after them; the last line is the last state', async () => {
    const [u1] = users().slice(10);
    const admin = fake.workspace.admins[1]!;
    const files = destinationFiles(fake, TOKEN, [], { streams: { people: { object: 'contacts' } } });
    const before = fake.writes.log.length;
    const lines = [
      singerSchema('people'),
      singerRecord('people', { external_id: 'singer-1', email: 'singer1@example.com', name: 'Singer One' }),
      singerRecord('people', { external_id: u1!.external_id, name: 'Singer Renamed' }),
      singerState(10),
      singerSchema('companies'),
      singerRecord('companies', { company_id: 'singer-co', name: 'Singer Co', monthly_spend: 7 }),
      singerSchema('notes'),
      singerRecord('notes', { contact_id: u1!.id, body: 'from singer', admin_id: admin.id }),
      singerState(11),
      JSON.stringify({ type: 'ACTIVATE_VERSION', stream: 'people', version: 1 }),
      singerSchema('events'),
      singerRecord('events', { event_name: 'singer-event', created_at: 1_700_000_123, user_id: 'singer-1' }),
      singerState(12),
    ];
    const run = await runCli(BIN.target, ['--config', files.config], { stdin: input(lines) });
    expect(run.code, run.stderr).toBe(0);
    expect(echoedSingerStates(run)).toEqual([10, 11, 12]);
    expect(run.lines.at(-1)).toBe(JSON.stringify({ bookmarks: { n: 12 } }));
    expect(aliveWithExternalId('singer-1')).toHaveLength(1);
    expect(fake.workspace.contactById.get(u1!.id)!.name).toBe('Singer Renamed');
    expect(fake.writes.companies.get('singer-co')).toMatchObject({ monthly_spend: 7 });
    expect(fake.writes.notes.filter((n) => n.body === '<p>from singer</p>')).toHaveLength(1);
    expect(fake.writes.events.filter((e) => e.event_name === 'singer-event')).toHaveLength(1);
    expect(fake.writes.log.length - before).toBe(5);
    expect(run.stderr).toMatch(/Write summary: stream people: 2 received, 2 written \(1 created, 1 updated/);
    expect(run.stderr).toContain('Ignoring Singer ACTIVATE_VERSION messages');
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('--about describes the settings (the destination spec)', async () => {
    const run = await runCli(BIN.target, ['--about', '--format', 'json']);
    expect(run.code).toBe(0);
    const about = JSON.parse(run.stdout) as { name: string; settings: { properties: Record<string, unknown> } };
    expect(about.name).toBe('target-intercom');
    expect(about.settings.properties).toHaveProperty('streams');
    expect(about.settings.properties).toHaveProperty('on_error');
  });
});

describe('spec --destination', () => {
  it('prints one valid SPEC whose fields all have title, description and order, with secrets marked', async () => {
    const run = await runCli(BIN.airbyte, ['spec', '--destination']);
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(1);
    const message = assertAirbyteMessage(run.lines[0]!) as {
      spec: {
        supported_destination_sync_modes: string[];
        connectionSpecification: {
          properties: Record<
            string,
            {
              title?: string;
              description?: string;
              order?: number;
              airbyte_secret?: boolean;
              properties?: Record<string, { title?: string; airbyte_secret?: boolean }>;
            }
          >;
        };
      };
    };
    expect(message.spec.supported_destination_sync_modes).toEqual(['append', 'append_dedup', 'update']);
    const props = message.spec.connectionSpecification.properties;
    for (const [name, prop] of Object.entries(props)) {
      expect(prop.title, name).toBeTruthy();
      expect(prop.description, name).toBeTruthy();
      expect(typeof prop.order, name).toBe('number');
    }
    expect(props.access_token!.airbyte_secret).toBe(true);
    // credentials is a oneOf (auth-method dropdown); the secrets of each branch are marked (test/airbyte-spec.test.ts checks the rest).
    const branches = (
      props.credentials as unknown as { oneOf: { properties: Record<string, { airbyte_secret?: boolean }> }[] }
    ).oneOf;
    for (const branch of branches) expect(branch.properties.access_token!.airbyte_secret).toBe(true);
    expect(branches[1]!.properties.client_secret!.airbyte_secret).toBe(true);
    expect(Object.keys(props)).toEqual(
      expect.arrayContaining([
        'streams',
        'on_error',
        'dead_letter_path',
        'responses_path',
        'dry_run',
        'region',
        'base_url',
        'max_requests_per_minute',
      ]),
    );
  });

  it('a bare `spec` prints the destination spec when INTERCOM_CONNECTOR_ROLE=destination (an image registered as a destination)', async () => {
    const run = await runCli(BIN.airbyte, ['spec'], { env: { INTERCOM_CONNECTOR_ROLE: 'destination' } });
    const message = assertAirbyteMessage(run.lines[0]!) as {
      spec: { connectionSpecification: { properties: Record<string, unknown> } };
    };
    expect(message.spec.connectionSpecification.properties).toHaveProperty('on_error');
  });
});
