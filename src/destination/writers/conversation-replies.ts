import { buildPath } from '../url-path.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import { sameText } from './text.js';
import type { ObjectWriter, WriteContext, WriteOutcome } from './types.js';

const URLS = { type: 'array', maxItems: 10, items: { type: 'string' } };
const FILES = {
  type: 'array',
  maxItems: 10,
  items: {
    type: 'object',
    properties: { content_type: { type: 'string' }, data: { type: 'string' }, name: { type: 'string' } },
  },
};
const REPLY_OPTIONS = {
  type: 'array',
  items: {
    type: 'object',
    required: ['text', 'uuid'],
    properties: { text: { type: 'string' }, uuid: { type: 'string' } },
  },
};

/**
 * Body fields of POST /conversations/{conversation_id}/reply (`reply_conversation_request`: the
 * admin reply and the three contact replies; OpenAPI 2.14).
 */
export const REPLY_BODY: FieldSchemas = {
  message_type: { type: 'string', enum: ['comment', 'note', 'quick_reply'] },
  type: { type: 'string', enum: ['admin', 'user'] },
  body: { type: 'string' },
  admin_id: { type: 'string' },
  created_at: { type: 'integer', timestamp: true },
  reply_options: REPLY_OPTIONS,
  attachment_urls: URLS,
  attachment_files: FILES,
  intercom_user_id: { type: 'string' },
  email: { type: 'string' },
  user_id: { type: 'string' },
};
export const REPLY_OPENAPI = [{ method: 'post', path: '/conversations/{conversation_id}/reply' }] as const;

const REPLY_PATH = '/conversations/{conversation_id}/reply';
const CONVERSATION_PATH = '/conversations/{conversation_id}';
const EXAMPLE = { conversation_id: '5', admin_id: '9', body: 'Thanks, fixed now' };

const CONSUMED: FieldSchemas = { conversation_id: { type: 'string', minLength: 1 } };
const adminValidator = recordValidator({
  body: REPLY_BODY,
  consumed: CONSUMED,
  required: ['conversation_id', 'admin_id', 'message_type', 'type'],
});
const userValidator = recordValidator({
  body: { ...REPLY_BODY, message_type: { type: 'string', enum: ['comment'] } },
  consumed: CONSUMED,
  required: ['conversation_id', 'body', 'message_type', 'type'],
  requiredOneOf: [['intercom_user_id'], ['email'], ['user_id']],
});

interface ConversationAnswer {
  id?: string;
  conversation_parts?: {
    conversation_parts?: {
      id?: string;
      body?: string | null;
      author?: { id?: string; email?: string } | null;
      created_at?: number;
    }[];
  };
}

/**
 * Replies are not idempotent: sent once (ledger); after an ambiguous failure the conversation's
 * parts are checked for the reply before it is sent again. `type` defaults to admin when admin_id
 * is given (else user), `message_type` to comment.
 */
export const conversationRepliesWriter: ObjectWriter = {
  object: 'conversation_replies',
  operations: ['create'],
  defaultOperation: 'create',
  routes: [
    { operations: ['create'], method: 'POST', template: REPLY_PATH, example: EXAMPLE },
    // The lookup after an ambiguous failure (is the reply among the conversation's parts?).
    { operations: ['create'], method: 'GET', template: CONVERSATION_PATH, example: EXAMPLE },
  ],
  prepare(record, _operation, dropped) {
    const withDefaults = { ...record };
    withDefaults.type ??= record.admin_id !== undefined && record.admin_id !== null ? 'admin' : 'user';
    withDefaults.message_type ??= 'comment';
    const validator = withDefaults.type === 'admin' ? adminValidator : userValidator;
    const checked = validator.check(withDefaults);
    const conversationId = str(checked, 'conversation_id')!;
    const body = validator.body(checked, dropped);
    const path = buildPath(REPLY_PATH, { conversation_id: conversationId });
    return {
      keys: [`conversation:id:${conversationId}`],
      plan: [{ method: 'POST', path, body }],
      run: async (ctx): Promise<WriteOutcome> => {
        const sent = await ctx.sendOnce<ConversationAnswer>({ method: 'POST', path, json: body }, (since) =>
          replyExists(ctx, conversationId, body, since),
        );
        if (sent.skipped) return { kind: 'skipped', note: sent.skipped };
        return { kind: 'created', id: sent.body?.conversation_parts?.conversation_parts?.at(-1)?.id };
      },
    };
  },
};

async function replyExists(
  ctx: WriteContext,
  conversationId: string,
  body: Record<string, unknown>,
  since: number | undefined,
): Promise<boolean> {
  const answer = await ctx.send<ConversationAnswer>({
    method: 'GET',
    path: buildPath(CONVERSATION_PATH, { conversation_id: conversationId }),
    allow404: true,
  });
  const author = str(body, 'admin_id') ?? str(body, 'intercom_user_id');
  const text = typeof body.body === 'string' ? body.body : '';
  return (answer?.conversation_parts?.conversation_parts ?? []).some(
    (p) =>
      sameText(p.body, text) &&
      (!author || p.author?.id === author) &&
      (since === undefined || p.created_at === undefined || p.created_at >= since),
  );
}
