import type { JsonObject } from '../../core/events.js';
import { IntercomApiError } from '../../intercom/errors.js';
import { buildPath } from '../url-path.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import {
  RecordRejected,
  type ObjectWriter,
  type Operation,
  type PlannedRequest,
  type WriteContext,
  type WriteOutcome,
} from './types.js';

/**
 * Body fields of `create_contact_request` and `update_contact_request` (POST /contacts,
 * PUT /contacts/{contact_id}; Intercom OpenAPI 2.14). writers.test.ts checks them against the YAML.
 */
export const CONTACT_BODY: FieldSchemas = {
  role: { type: 'string', enum: ['user', 'lead'] },
  external_id: { type: 'string' },
  email: { type: 'string' },
  phone: { type: ['string', 'null'] },
  name: { type: ['string', 'null'] },
  avatar: { type: ['string', 'null'] },
  signed_up_at: { type: ['integer', 'null'], timestamp: true },
  last_seen_at: { type: ['integer', 'null'], timestamp: true },
  owner_id: { type: ['integer', 'null'] },
  unsubscribed_from_emails: { type: ['boolean', 'null'] },
  // The spec says only "object"; Intercom accepts flat values (the source emits a JSON string).
  custom_attributes: {
    type: ['object', 'null'],
    jsonString: true,
    additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
  },
};
export const CONTACT_OPENAPI = [
  { method: 'post', path: '/contacts' },
  { method: 'put', path: '/contacts/{contact_id}' },
] as const;

const CONSUMED: FieldSchemas = { id: { type: 'string' } };

const validators = {
  create: recordValidator({
    body: CONTACT_BODY,
    consumed: CONSUMED,
    requiredOneOf: [['email'], ['external_id'], ['role']],
  }),
  match: recordValidator({
    body: CONTACT_BODY,
    consumed: CONSUMED,
    requiredOneOf: [['id'], ['external_id'], ['email']],
  }),
};

/** 409 after a create whose search did not see the contact yet (index lag): search again this many times (backoff 1, 2, 4... s). */
const CONFLICT_RETRIES = 6;
const SEARCH_PAGE = 5;

export interface Identity {
  id?: string;
  externalId?: string;
  email?: string;
}

interface ContactHit {
  id: string;
  external_id?: string | null;
  email?: string | null;
}

const CONTACT_PATH = '/contacts/{id}';

/** The path of one contact; `id` comes from the record, or from Intercom's own answer (search, create). */
function contactPath(id: string, fromIntercom = false): string {
  return buildPath(CONTACT_PATH, { id }, fromIntercom ? { describe: () => "the contact id in Intercom's answer" } : {});
}

export const contactsWriter: ObjectWriter = {
  object: 'contacts',
  operations: ['upsert', 'create', 'update', 'delete'],
  defaultOperation: 'upsert',
  routes: [
    { operations: ['upsert', 'update'], method: 'PUT', template: CONTACT_PATH, example: { id: 'c-1', name: 'Ada' } },
    { operations: ['delete'], method: 'DELETE', template: CONTACT_PATH, example: { id: 'c-1' } },
  ],
  prepare(record, operation, dropped) {
    const checked = (operation === 'create' ? validators.create : validators.match).check(record);
    const who: Identity = {
      id: str(checked, 'id'),
      externalId: str(checked, 'external_id'),
      email: str(checked, 'email'),
    };
    const body = operation === 'delete' ? {} : validators.match.body(checked, dropped);
    return {
      keys: identityKeys(who),
      plan: plan(operation, who, body),
      run: (ctx) => run(ctx, operation, who, body),
    };
  },
};

/** Ordering keys of a contact (shared with the writers of events, tags and notes about it). */
export function identityKeys(who: Identity): string[] {
  const keys: string[] = [];
  if (who.id) keys.push(`contact:id:${who.id}`);
  if (who.externalId) keys.push(`contact:ext:${who.externalId}`);
  if (who.email) keys.push(`contact:email:${who.email.toLowerCase()}`);
  return keys;
}

function run(ctx: WriteContext, operation: Operation, who: Identity, body: JsonObject): Promise<WriteOutcome> {
  switch (operation) {
    case 'create':
      return create(ctx, who, body);
    case 'update':
      return update(ctx, who, body);
    case 'delete':
      return remove(ctx, who);
    default:
      return upsert(ctx, who, body);
  }
}

/**
 * Search by external_id, else email, then update or create. A 409 on the create means the contact
 * exists but the search index has not caught up: update the one Intercom names, or search again
 * until it shows up. Never a second create.
 */
async function upsert(ctx: WriteContext, who: Identity, body: JsonObject): Promise<WriteOutcome> {
  let explicitId = who.id;
  // Loops only when an id we had went stale (deleted or merged between lookup and update).
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = explicitId ?? known(ctx, who) ?? (await search(ctx, who));
    if (id) {
      if (await put(ctx, id, who, body)) return { kind: 'updated', id };
      explicitId = undefined;
      forget(ctx, who);
      continue;
    }
    try {
      return await post(ctx, who, body);
    } catch (err) {
      return await updateOnConflict(ctx, who, body, err);
    }
  }
  throw new RecordRejected(
    `The contact matching ${describe(who)} disappeared between lookup and update three times; not written.`,
    'conflict',
    409,
  );
}

/** POST without a search; a 409 (the contact exists, e.g. a re-run after a crash) updates the existing one. */
async function create(ctx: WriteContext, who: Identity, body: JsonObject): Promise<WriteOutcome> {
  try {
    return await post(ctx, who, body);
  } catch (err) {
    return updateOnConflict(ctx, who, body, err);
  }
}

async function updateOnConflict(
  ctx: WriteContext,
  who: Identity,
  body: JsonObject,
  err: unknown,
): Promise<WriteOutcome> {
  const existing = conflictingId(err);
  if (existing === null) throw err;
  const id = existing || (await searchUntilVisible(ctx, who));
  if (id && (await put(ctx, id, who, body)))
    return { kind: 'updated', id, note: `409 on create: updated the existing contact ${id}` };
  throw err;
}

async function update(ctx: WriteContext, who: Identity, body: JsonObject): Promise<WriteOutcome> {
  const id = who.id ?? known(ctx, who) ?? (await search(ctx, who));
  if (id && (await put(ctx, id, who, body))) return { kind: 'updated', id };
  throw new RecordRejected(`No contact matches ${describe(who)}; nothing to update.`, 'not_found', 404);
}

async function remove(ctx: WriteContext, who: Identity): Promise<WriteOutcome> {
  const id = who.id ?? known(ctx, who) ?? (await search(ctx, who));
  if (!id) return { kind: 'skipped', note: `no contact matches ${describe(who)} (already deleted?)` };
  const answer = await ctx.send<JsonObject>({ method: 'DELETE', path: contactPath(id, id !== who.id), allow404: true });
  forget(ctx, who);
  return answer ? { kind: 'deleted', id } : { kind: 'skipped', id, note: `contact ${id} was already deleted` };
}

async function post(ctx: WriteContext, who: Identity, body: JsonObject): Promise<WriteOutcome> {
  const created = await ctx.send<ContactHit>({ method: 'POST', path: '/contacts', json: body });
  const id = created?.id;
  if (id) remember(ctx, who, id);
  return { kind: 'created', id };
}

/** PUT; false when the contact no longer exists. */
async function put(ctx: WriteContext, id: string, who: Identity, body: JsonObject): Promise<boolean> {
  const answer = await ctx.send<ContactHit>({
    method: 'PUT',
    path: contactPath(id, id !== who.id),
    json: body,
    allow404: true,
  });
  if (!answer) return false;
  remember(ctx, who, id);
  return true;
}

async function search(ctx: WriteContext, who: Identity): Promise<string | undefined> {
  if (!who.externalId && !who.email) return undefined;
  const answer = await ctx.send<{ data?: ContactHit[] }>({
    method: 'POST',
    path: '/contacts/search',
    json: searchBody(who),
  });
  const id = pick(answer?.data ?? [], who);
  if (id) remember(ctx, who, id);
  return id;
}

async function searchUntilVisible(ctx: WriteContext, who: Identity): Promise<string | undefined> {
  for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
    if (attempt > 0) await ctx.sleep(ctx.retryBaseMs * 2 ** (attempt - 1));
    const id = await search(ctx, who);
    if (id) return id;
  }
  return undefined;
}

export function searchBody(who: Identity): JsonObject {
  const leaves: JsonObject[] = [];
  if (who.externalId) leaves.push({ field: 'external_id', operator: '=', value: who.externalId });
  if (who.email) leaves.push({ field: 'email', operator: '=', value: who.email });
  const query = leaves.length === 1 ? leaves[0]! : { operator: 'OR', value: leaves };
  return { query, pagination: { per_page: SEARCH_PAGE } };
}

/** external_id decides; an email match counts only when it does not belong to someone with another external_id. */
function pick(hits: ContactHit[], who: Identity): string | undefined {
  if (who.externalId) {
    const byExternal = hits.find((c) => c.external_id === who.externalId);
    if (byExternal) return byExternal.id;
  }
  if (who.email) {
    const email = who.email.toLowerCase();
    const byEmail = hits.find((c) => (c.email ?? '').toLowerCase() === email && (!who.externalId || !c.external_id));
    if (byEmail) return byEmail.id;
  }
  return undefined;
}

/**
 * For a 409: the id of the existing contact when Intercom names it ("... already exists with
 * id=..."), '' when it does not, null when the error is not a conflict.
 */
function conflictingId(err: unknown): string | null {
  if (!(err instanceof IntercomApiError) || err.status !== 409) return null;
  return /already exists with id=([A-Za-z0-9_-]+)/.exec(err.detail ?? '')?.[1] ?? '';
}

function known(ctx: WriteContext, who: Identity): string | undefined {
  for (const key of identityKeys(who)) {
    const id = ctx.identities.get(key);
    if (id) return id;
  }
  return undefined;
}

const IDENTITY_CACHE_LIMIT = 200_000;

function remember(ctx: WriteContext, who: Identity, id: string): void {
  for (const key of identityKeys({ ...who, id })) {
    ctx.identities.delete(key);
    ctx.identities.set(key, id);
  }
  while (ctx.identities.size > IDENTITY_CACHE_LIMIT)
    ctx.identities.delete(ctx.identities.keys().next().value as string);
}

function forget(ctx: WriteContext, who: Identity): void {
  for (const key of identityKeys(who)) ctx.identities.delete(key);
}

function describe(who: Identity): string {
  return [
    who.id && `id=${who.id}`,
    who.externalId && `external_id=${who.externalId}`,
    who.email && `email=${who.email}`,
  ]
    .filter(Boolean)
    .join(', ');
}

function plan(operation: Operation, who: Identity, body: JsonObject): PlannedRequest[] {
  const target = who.id && operation !== 'create' ? contactPath(who.id) : CONTACT_PATH;
  const lookup: PlannedRequest[] = who.id ? [] : [{ method: 'POST', path: '/contacts/search', body: searchBody(who) }];
  switch (operation) {
    case 'create':
      return [{ method: 'POST', path: '/contacts', body }];
    case 'update':
      return [...lookup, { method: 'PUT', path: target, body, ...(who.id ? {} : { when: 'a contact matches' }) }];
    case 'delete':
      return [...lookup, { method: 'DELETE', path: target, ...(who.id ? {} : { when: 'a contact matches' }) }];
    default:
      if (who.id) return [{ method: 'PUT', path: target, body }];
      return [
        ...lookup,
        { method: 'PUT', path: target, body, when: 'a contact matches' },
        { method: 'POST', path: '/contacts', body, when: 'no contact matches' },
      ];
  }
}
