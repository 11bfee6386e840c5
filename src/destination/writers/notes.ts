import { identityKeys } from './contacts.js';
import { buildPath } from '../url-path.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import { sameText } from './text.js';
import type { ObjectWriter, WriteContext, WriteOutcome } from './types.js';

/** Body of POST /contacts/{contact_id}/notes (OpenAPI 2.14). */
export const NOTE_BODY: FieldSchemas = {
  body: { type: 'string', minLength: 1 },
  admin_id: { type: 'string' },
};
export const NOTE_OPENAPI = [{ method: 'post', path: '/contacts/{contact_id}/notes' }] as const;

const NOTES_PATH = '/contacts/{contact_id}/notes';
const validator = recordValidator({
  body: NOTE_BODY,
  consumed: { contact_id: { type: 'string', minLength: 1 } },
  required: ['contact_id', 'body'],
});

interface NoteAnswer {
  id?: string;
  created_at?: number;
  body?: string;
  author?: { id?: string } | null;
}

/**
 * A note is not idempotent: it is sent once (ledger), and after an ambiguous failure the
 * contact's newest notes are checked for it before it is sent again.
 */
export const notesWriter: ObjectWriter = {
  object: 'notes',
  operations: ['create'],
  defaultOperation: 'create',
  routes: [
    {
      operations: ['create'],
      method: 'POST',
      template: NOTES_PATH,
      example: { contact_id: 'c-1', body: 'Called about the renewal' },
    },
    // The lookup after an ambiguous failure (is the note there already?).
    {
      operations: ['create'],
      method: 'GET',
      template: NOTES_PATH,
      example: { contact_id: 'c-1', body: 'Called about the renewal' },
    },
  ],
  prepare(record, _operation, dropped) {
    const checked = validator.check(record);
    const contactId = str(checked, 'contact_id')!;
    const body = validator.body(checked, dropped);
    const path = buildPath(NOTES_PATH, { contact_id: contactId });
    return {
      keys: identityKeys({ id: contactId }),
      plan: [{ method: 'POST', path, body }],
      run: async (ctx): Promise<WriteOutcome> => {
        const sent = await ctx.sendOnce<NoteAnswer>({ method: 'POST', path, json: body }, (since) =>
          noteExists(ctx, path, body.body as string, str(body, 'admin_id'), since),
        );
        if (sent.skipped) return { kind: 'skipped', note: sent.skipped };
        return { kind: 'created', id: sent.body?.id };
      },
    };
  },
};

async function noteExists(
  ctx: WriteContext,
  path: string,
  text: string,
  adminId: string | undefined,
  since: number | undefined,
): Promise<boolean> {
  const answer = await ctx.send<{ data?: NoteAnswer[] }>({
    method: 'GET',
    path,
    query: { per_page: 50 },
    allow404: true,
  });
  return (answer?.data ?? []).some(
    (n) =>
      sameText(n.body, text) &&
      (!adminId || n.author?.id === adminId) &&
      (since === undefined || n.created_at === undefined || n.created_at >= since),
  );
}
