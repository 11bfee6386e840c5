import type { JsonObject } from '../../core/events.js';
import { buildPath } from '../url-path.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import { RecordInvalid, type ObjectWriter, type WriteOutcome } from './types.js';

const CONTACT_REF = {
  type: 'object',
  minProperties: 1,
  properties: { id: { type: 'string' }, external_id: { type: 'string' }, email: { type: 'string' } },
  anyOf: [{ required: ['id'] }, { required: ['external_id'] }, { required: ['email'] }],
};
const ATTRIBUTES = {
  type: 'object',
  jsonString: true,
  additionalProperties: { type: ['string', 'number', 'boolean', 'array', 'null'] },
};

/** Body fields of POST /tickets (`create_ticket_request` + skip_notifications; OpenAPI 2.14). */
export const TICKET_CREATE_BODY: FieldSchemas = {
  ticket_type_id: { type: 'string', minLength: 1 },
  contacts: { type: 'array', jsonString: true, minItems: 1, items: CONTACT_REF },
  conversation_to_link_id: { type: 'string' },
  company_id: { type: 'string' },
  created_at: { type: 'integer', timestamp: true },
  ticket_attributes: ATTRIBUTES,
  assignment: {
    type: 'object',
    additionalProperties: false,
    properties: { admin_assignee_id: { type: 'string' }, team_assignee_id: { type: 'string' } },
  },
  skip_notifications: { type: 'boolean' },
};
/** Body fields of PUT /tickets/{ticket_id} (`update_ticket_request` + skip_notifications; OpenAPI 2.14). */
export const TICKET_UPDATE_BODY: FieldSchemas = {
  ticket_attributes: ATTRIBUTES,
  ticket_state_id: { type: 'string' },
  company_id: { type: 'string' },
  open: { type: 'boolean' },
  is_shared: { type: 'boolean' },
  snoozed_until: { type: 'integer', timestamp: true },
  admin_id: { type: 'integer' },
  assignee_id: { type: 'string' },
  skip_notifications: { type: 'boolean' },
};
export const TICKET_OPENAPI = {
  create: { method: 'post', path: '/tickets' },
  update: { method: 'put', path: '/tickets/{ticket_id}' },
} as const;

/** Flat tables rarely hold an array of contacts: contact_id / contact_external_id / contact_email stand in for `contacts`. */
const CONTACT_SHORTCUTS: FieldSchemas = {
  contact_id: { type: 'string' },
  contact_external_id: { type: 'string' },
  contact_email: { type: 'string' },
};

const TICKET_PATH = '/tickets/{id}';
const createValidator = recordValidator({
  body: TICKET_CREATE_BODY,
  consumed: CONTACT_SHORTCUTS,
  required: ['ticket_type_id'],
});
const updateValidator = recordValidator({
  body: TICKET_UPDATE_BODY,
  consumed: { id: { type: 'string', minLength: 1 } },
  required: ['id'],
});

interface TicketAnswer {
  id?: string;
}

/**
 * Tickets: create (POST /tickets; sent at most once, see the ledger), update (PUT) and delete.
 * A create whose answer was lost cannot be checked reliably (search lags), so it is dead-lettered
 * as unknown_outcome instead of risking a second ticket.
 */
export const ticketsWriter: ObjectWriter = {
  object: 'tickets',
  operations: ['create', 'update', 'delete'],
  defaultOperation: 'create',
  routes: [
    { operations: ['update'], method: 'PUT', template: TICKET_PATH, example: { id: 't-1', open: false } },
    { operations: ['delete'], method: 'DELETE', template: TICKET_PATH, example: { id: 't-1' } },
  ],
  prepare(record, operation, dropped) {
    if (operation === 'update' || operation === 'delete') {
      const checked = updateValidator.check(record);
      const id = str(checked, 'id')!;
      const path = buildPath(TICKET_PATH, { id });
      if (operation === 'delete') {
        return {
          keys: [`ticket:id:${id}`],
          plan: [{ method: 'DELETE', path }],
          run: async (ctx): Promise<WriteOutcome> => {
            const answer = await ctx.send<JsonObject>({ method: 'DELETE', path, allow404: true });
            return answer ? { kind: 'deleted', id } : { kind: 'skipped', id, note: `ticket ${id} was already deleted` };
          },
        };
      }
      const body = updateValidator.body(checked, dropped);
      return {
        keys: [`ticket:id:${id}`],
        plan: [{ method: 'PUT', path, body }],
        run: async (ctx): Promise<WriteOutcome> => {
          await ctx.send({ method: 'PUT', path, json: body });
          return { kind: 'updated', id };
        },
      };
    }
    const checked = createValidator.check(withContacts(record));
    const body = createValidator.body(checked, dropped);
    if (!Array.isArray(body.contacts) || body.contacts.length === 0) {
      throw new RecordInvalid('record.contacts is required (or contact_id / contact_external_id / contact_email)');
    }
    return {
      keys: [],
      plan: [{ method: 'POST', path: '/tickets', body }],
      run: async (ctx): Promise<WriteOutcome> => {
        const sent = await ctx.sendOnce<TicketAnswer>({ method: 'POST', path: '/tickets', json: body });
        if (sent.skipped) return { kind: 'skipped', note: sent.skipped };
        return { kind: 'created', id: sent.body?.id };
      },
    };
  },
};

function withContacts(record: JsonObject): JsonObject {
  if (record.contacts !== undefined && record.contacts !== null) return record;
  const ref: JsonObject = {};
  if (record.contact_id != null) ref.id = record.contact_id;
  else if (record.contact_external_id != null) ref.external_id = record.contact_external_id;
  else if (record.contact_email != null) ref.email = record.contact_email;
  return Object.keys(ref).length ? { ...record, contacts: [ref] } : record;
}
