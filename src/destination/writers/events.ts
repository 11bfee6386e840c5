import { identityKeys } from './contacts.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import type { ObjectWriter, WriteOutcome } from './types.js';

const SCALAR = { type: ['string', 'number', 'boolean', 'null'] };
/** Intercom's two structured metadata values; any other nested object is refused. */
const RICH_LINK = {
  type: 'object',
  required: ['url', 'value'],
  additionalProperties: false,
  properties: { url: { type: 'string' }, value: { type: 'string' } },
};
const MONETARY = {
  type: 'object',
  required: ['amount', 'currency'],
  additionalProperties: false,
  properties: { amount: { type: 'integer' }, currency: { type: 'string' } },
};

/** Body fields of `create_data_event_request` (POST /events; OpenAPI 2.14). */
export const EVENT_BODY: FieldSchemas = {
  event_name: { type: 'string', minLength: 1 },
  created_at: { type: 'integer', timestamp: true },
  user_id: { type: 'string' },
  id: { type: 'string' },
  email: { type: 'string' },
  metadata: { type: 'object', jsonString: true, additionalProperties: { anyOf: [SCALAR, RICH_LINK, MONETARY] } },
};
export const EVENT_OPENAPI = [{ method: 'post', path: '/events' }] as const;

const validator = recordValidator({
  body: EVENT_BODY,
  // The source's events stream names the contact's Intercom id intercom_user_id (its `id` is the event's).
  consumed: { intercom_user_id: { type: 'string' } },
  required: ['event_name', 'created_at'],
  requiredOneOf: [['id'], ['user_id'], ['email'], ['intercom_user_id']],
});

/**
 * POST /events. Intercom ignores an event with the same contact, name and created_at as one it
 * has (202 either way), so retries and re-runs cannot duplicate it; created_at is therefore
 * required rather than defaulted to "now".
 */
export const eventsWriter: ObjectWriter = {
  object: 'events',
  operations: ['create'],
  defaultOperation: 'create',
  // POST /events only: no record value goes into a path.
  routes: [],
  prepare(record, _operation, dropped) {
    const checked = validator.check(record);
    const body = validator.body(checked, dropped);
    if (typeof checked.intercom_user_id === 'string') {
      body.id = checked.intercom_user_id;
    }
    return {
      // After any pending write of the same contact (an event right after the contact's creation).
      keys: identityKeys({ id: str(body, 'id'), externalId: str(body, 'user_id'), email: str(body, 'email') }),
      plan: [{ method: 'POST', path: '/events', body }],
      run: async (ctx): Promise<WriteOutcome> => {
        await ctx.send({ method: 'POST', path: '/events', json: body });
        return { kind: 'written' };
      },
    };
  },
};
