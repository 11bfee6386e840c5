import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { specDir } from '../../../test/helpers/protocol.js';
import { COMPANY_BODY, COMPANY_OPENAPI } from './companies.js';
import { CONTACT_TAG_BODY, CONTACT_TAG_OPENAPI } from './contact-tags.js';
import { CONTACT_BODY, CONTACT_OPENAPI, contactsWriter } from './contacts.js';
import { REPLY_BODY, REPLY_OPENAPI, conversationRepliesWriter } from './conversation-replies.js';
import { EVENT_BODY, EVENT_OPENAPI, eventsWriter } from './events.js';
import type { FieldSchemas } from './fields.js';
import { NOTE_BODY, NOTE_OPENAPI } from './notes.js';
import { BUILT_IN_WRITERS } from './registry.js';
import { TICKET_CREATE_BODY, TICKET_OPENAPI, TICKET_UPDATE_BODY, ticketsWriter } from './tickets.js';
import { RecordInvalid } from './types.js';
import { companiesWriter } from './companies.js';
import type { JsonObject } from '../../core/events.js';

type Schema = Record<string, unknown>;
const doc = parseYaml(readFileSync(`${specDir}intercom-openapi/2.14/api.intercom.io.yaml`, 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};

/** Every property a request body may carry: $ref, allOf, oneOf and anyOf resolved (a union over the alternatives). */
function bodyProperties(schema: Schema, out = new Map<string, Schema>()): Map<string, Schema> {
  if (typeof schema.$ref === 'string')
    return bodyProperties(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]!, out);
  for (const key of ['allOf', 'oneOf', 'anyOf'])
    for (const sub of (schema[key] as Schema[] | undefined) ?? []) bodyProperties(sub, out);
  for (const [name, prop] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {}))
    if (!out.has(name)) out.set(name, prop);
  return out;
}

function requestBody(method: string, path: string): Map<string, Schema> {
  const op = doc.paths[path]?.[method];
  expect(op, `${method.toUpperCase()} ${path} in the OpenAPI file`).toBeDefined();
  return bodyProperties(op!.requestBody!.content['application/json']!.schema);
}

/** The JSON type the spec gives a property ("string", "integer", ...; a $ref'd object is "object"). */
function specType(prop: Schema): string {
  if (typeof prop.type === 'string') return prop.type;
  if (prop.$ref || prop.properties || prop.additionalProperties) return 'object';
  return 'any';
}

function ourType(field: FieldSchemas[string]): string {
  const t = field.type;
  return (Array.isArray(t) ? t.filter((x) => x !== 'null')[0] : t) ?? 'any';
}

const cases: [string, FieldSchemas, readonly { method: string; path: string }[]][] = [
  ['contacts', CONTACT_BODY, CONTACT_OPENAPI],
  ['companies', COMPANY_BODY, COMPANY_OPENAPI],
  ['events', EVENT_BODY, EVENT_OPENAPI],
  ['contact_tags', CONTACT_TAG_BODY, CONTACT_TAG_OPENAPI],
  ['notes', NOTE_BODY, NOTE_OPENAPI],
  ['tickets (create)', TICKET_CREATE_BODY, [TICKET_OPENAPI.create]],
  ['tickets (update)', TICKET_UPDATE_BODY, [TICKET_OPENAPI.update]],
  ['conversation_replies', REPLY_BODY, REPLY_OPENAPI],
];

describe('accepted fields are the OpenAPI request bodies (2.14)', () => {
  it.each(cases)('%s', (_name, fields, operations) => {
    for (const { method, path } of operations) {
      const spec = requestBody(method, path);
      expect(Object.keys(fields).sort(), `${method} ${path}`).toEqual([...spec.keys()].sort());
      for (const [name, prop] of spec) expect(ourType(fields[name]!), `${method} ${path} ${name}`).toBe(specType(prop));
    }
  });

  it('every built-in writer is covered', () => {
    expect([...BUILT_IN_WRITERS.keys()].sort()).toEqual([
      'companies',
      'contact_tags',
      'contacts',
      'conversation_replies',
      'events',
      'notes',
      'tickets',
    ]);
  });
});

describe('record validation and shaping', () => {
  const dropped: string[] = [];
  const report = (f: string): void => void dropped.push(f);

  it('contacts: custom_attributes as a JSON string, ISO dates to Unix seconds, numeric ids to strings, unknown fields dropped', () => {
    dropped.length = 0;
    const p = contactsWriter.prepare(
      {
        external_id: 42,
        email: 'a@b.co',
        custom_attributes: '{"plan":"pro"}',
        signed_up_at: '2024-01-01T00:00:00Z',
        owner_id: '7',
        workspace_id: 'x',
        role: 'lead',
      },
      'upsert',
      report,
    );
    const body = p.plan.at(-1)!.body;
    expect(body).toEqual({
      external_id: '42',
      email: 'a@b.co',
      custom_attributes: { plan: 'pro' },
      signed_up_at: 1_704_067_200,
      owner_id: 7,
      role: 'lead',
    });
    expect(dropped).toEqual(['workspace_id']);
    expect(p.keys).toEqual(['contact:ext:42', 'contact:email:a@b.co']);
  });

  it('contacts: role must be user or lead; a match needs an identifier; nested custom attributes are refused', () => {
    expect(() => contactsWriter.prepare({ email: 'a@b.co', role: 'admin' }, 'upsert', report)).toThrow(
      /record.role must be one of "user", "lead"/,
    );
    expect(() => contactsWriter.prepare({ name: 'x' }, 'update', report)).toThrow(RecordInvalid);
    expect(() => contactsWriter.prepare({ role: 'lead' }, 'create', report)).not.toThrow();
    expect(() =>
      contactsWriter.prepare({ email: 'a@b.co', custom_attributes: { a: { b: 1 } } }, 'upsert', report),
    ).toThrow(/custom_attributes.a/);
  });

  it('a SQL NULL in a field Intercom does not accept null for means "not given"', () => {
    const p = contactsWriter.prepare({ email: 'a@b.co', external_id: null, phone: null }, 'upsert', report);
    expect(p.plan.at(-1)!.body).toEqual({ email: 'a@b.co', phone: null });
  });

  it('companies: company_id required, monthly_spend integer (a numeric string is accepted, 12.5 is not)', () => {
    expect(companiesWriter.prepare({ company_id: 'c', monthly_spend: '120' }, 'upsert', report).plan[0]!.body).toEqual({
      company_id: 'c',
      monthly_spend: 120,
    });
    expect(() => companiesWriter.prepare({ company_id: 'c', monthly_spend: 12.5 }, 'upsert', report)).toThrow(
      /monthly_spend must be of type integer/,
    );
    expect(() => companiesWriter.prepare({ name: 'no id' }, 'upsert', report)).toThrow(/company_id is required/);
    expect(companiesWriter.prepare({ id: 'abc' }, 'delete', report).plan).toEqual([
      { method: 'DELETE', path: '/companies/abc' },
    ]);
  });

  it('events: created_at required (not defaulted: a re-run must send the same event), metadata flat or rich link / monetary', () => {
    expect(() => eventsWriter.prepare({ event_name: 'e', user_id: 'u' }, 'create', report)).toThrow(
      /created_at is required/,
    );
    expect(() => eventsWriter.prepare({ event_name: 'e', created_at: 1 }, 'create', report)).toThrow(
      /needs one of id, user_id, email, intercom_user_id/,
    );
    expect(() =>
      eventsWriter.prepare(
        { event_name: 'e', created_at: 1, email: 'a@b.co', metadata: { deep: { x: 1 } } },
        'create',
        report,
      ),
    ).toThrow(/metadata.deep/);
    const ok = eventsWriter.prepare(
      {
        event_name: 'e',
        created_at: 1,
        intercom_user_id: 'abc',
        metadata: { link: { url: 'https://x', value: 'x' }, n: 2 },
      },
      'create',
      report,
    );
    expect(ok.plan[0]!.body).toEqual({
      event_name: 'e',
      created_at: 1,
      id: 'abc',
      metadata: { link: { url: 'https://x', value: 'x' }, n: 2 },
    });
    expect(ok.keys).toEqual(['contact:id:abc']);
  });

  it('tickets: contacts from contact_id / contact_email; update needs id', () => {
    const p = ticketsWriter.prepare(
      { ticket_type_id: 1001, contact_email: 'a@b.co', ticket_attributes: '{"_default_title_":"T"}' },
      'create',
      report,
    );
    expect(p.plan[0]!.body).toEqual({
      ticket_type_id: '1001',
      contacts: [{ email: 'a@b.co' }],
      ticket_attributes: { _default_title_: 'T' },
    });
    expect(() => ticketsWriter.prepare({ ticket_type_id: '1' }, 'create', report)).toThrow(/contacts is required/);
    expect(() => ticketsWriter.prepare({ open: false }, 'update', report)).toThrow(/record.id is required/);
  });

  it('replies: type and message_type default from the record; a user reply needs a body and who wrote it', () => {
    const admin = conversationRepliesWriter.prepare({ conversation_id: 5, admin_id: 9, body: 'hi' }, 'create', report);
    expect(admin.plan[0]).toEqual({
      method: 'POST',
      path: '/conversations/5/reply',
      body: { admin_id: '9', body: 'hi', type: 'admin', message_type: 'comment' },
    });
    expect(() => conversationRepliesWriter.prepare({ conversation_id: 5, body: 'hi' }, 'create', report)).toThrow(
      /needs one of intercom_user_id, email, user_id/,
    );
    expect(() =>
      conversationRepliesWriter.prepare(
        { conversation_id: 5, email: 'a@b.co', message_type: 'note', body: 'x' },
        'create',
        report,
      ),
    ).toThrow(/message_type must be one of "comment"/);
  });

  it('path segments are URL-encoded; a value that would change the path is refused as invalid_identifier', () => {
    const p = conversationRepliesWriter.prepare(
      { conversation_id: 'a b+c@d', admin_id: '1', body: 'x' },
      'create',
      report,
    );
    expect(p.plan[0]!.path).toBe('/conversations/a%20b%2Bc%40d/reply');
    for (const bad of ['a/b', 'a?c', '..']) {
      const thrown = (() => {
        try {
          conversationRepliesWriter.prepare({ conversation_id: bad, admin_id: '1', body: 'x' }, 'create', report);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(RecordInvalid);
      expect(thrown).toMatchObject({
        code: 'invalid_identifier',
        message: expect.stringContaining('record.conversation_id'),
      });
    }
  });

  it('allow-lists check own keys: constructor and toString are dropped (reported), never sent', () => {
    const dropped: string[] = [];
    const p = companiesWriter.prepare(
      JSON.parse('{"company_id":"c","constructor":"x","toString":"y","__proto__":{"polluted":true}}') as JsonObject,
      'upsert',
      (f) => dropped.push(f),
    );
    expect(p.plan[0]!.body).toEqual({ company_id: 'c' });
    expect(Object.getPrototypeOf(p.plan[0]!.body)).toBe(Object.prototype);
    expect(dropped.sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });
});
