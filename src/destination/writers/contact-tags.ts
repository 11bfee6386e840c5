import type { JsonObject } from '../../core/events.js';
import { identityKeys } from './contacts.js';
import { buildPath } from '../url-path.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import type { ObjectWriter, WriteOutcome } from './types.js';

/** Body of POST /contacts/{contact_id}/tags (OpenAPI 2.14): the tag's id. */
export const CONTACT_TAG_BODY: FieldSchemas = { id: { type: 'string' } };
export const CONTACT_TAG_OPENAPI = [{ method: 'post', path: '/contacts/{contact_id}/tags' }] as const;

/** Records look like the source's contact_tag stream: {contact_id, tag_id}. */
const validator = recordValidator({
  body: {},
  consumed: { contact_id: { type: 'string', minLength: 1 }, tag_id: { type: 'string', minLength: 1 } },
  required: ['contact_id', 'tag_id'],
});

const ATTACH_PATH = '/contacts/{contact_id}/tags';
const DETACH_PATH = '/contacts/{contact_id}/tags/{tag_id}';

/** Attach (POST /contacts/{id}/tags) or detach (DELETE /contacts/{id}/tags/{tag_id}); both are idempotent. */
export const contactTagsWriter: ObjectWriter = {
  object: 'contact_tags',
  operations: ['attach', 'detach', 'create', 'delete'],
  defaultOperation: 'attach',
  routes: [
    {
      operations: ['attach', 'create'],
      method: 'POST',
      template: ATTACH_PATH,
      example: { contact_id: 'c-1', tag_id: 't-1' },
    },
    {
      operations: ['detach', 'delete'],
      method: 'DELETE',
      template: DETACH_PATH,
      example: { contact_id: 'c-1', tag_id: 't-1' },
    },
  ],
  prepare(record, operation, dropped) {
    const checked = validator.check(record);
    validator.body(checked, dropped);
    const contactId = str(checked, 'contact_id')!;
    const tagId = str(checked, 'tag_id')!;
    const keys = identityKeys({ id: contactId });
    if (operation === 'detach' || operation === 'delete') {
      const path = buildPath(DETACH_PATH, { contact_id: contactId, tag_id: tagId });
      return {
        keys,
        plan: [{ method: 'DELETE', path }],
        run: async (ctx): Promise<WriteOutcome> => {
          const answer = await ctx.send<JsonObject>({ method: 'DELETE', path, allow404: true });
          return answer
            ? { kind: 'deleted', id: tagId }
            : { kind: 'skipped', id: tagId, note: `tag ${tagId} is not on contact ${contactId}` };
        },
      };
    }
    const path = buildPath(ATTACH_PATH, { contact_id: contactId });
    const body = { id: tagId };
    return {
      keys,
      plan: [{ method: 'POST', path, body }],
      run: async (ctx): Promise<WriteOutcome> => {
        await ctx.send({ method: 'POST', path, json: body });
        return { kind: 'written', id: tagId };
      },
    };
  },
};
