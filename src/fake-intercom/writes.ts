/**
 * Write endpoints of the fake Intercom API (the destination side), following the request bodies
 * of the 2.14 OpenAPI description and the "Writes" section of API-NOTES.md:
 *  - POST /contacts needs one of email / external_id / role; a duplicate (external_id, or the email
 *    of an existing user) answers 409 "A contact matching those details already exists with id=...".
 *  - POST /companies creates or updates by company_id; monthly_spend must be an integer.
 *  - POST /events: event_name, created_at and one of id / user_id / email; flat metadata; 202 and no
 *    body; an event with the same contact, name and created_at as a known one is ignored.
 *  - tags, notes, tickets, conversation replies, deletes.
 * Request bodies are validated strictly: a field the request schema does not declare is a 400
 * (the real API may ignore some; strictness proves the connector does not send them).
 *
 * Everything written is kept in `FakeWrites` (the handle's `writes`) for tests to assert on, with a
 * log of every write request (time of the answer, status). Created and updated contacts, companies
 * and tickets go through the workspace's mutations, so reads (search after the index lag, GET,
 * incremental syncs) see them; written notes and replies show up in the notes list and the
 * conversation's parts.
 */
import { cur } from './workspace.js';
import type {
  AdminCore,
  CompanyCore,
  ContactCore,
  ConversationCore,
  Json,
  JsonValue,
  TicketCore,
  Workspace,
} from './workspace.js';
import { ApiError } from './routes.js';
import type { JsonResult, RequestContext, RouteResult } from './routes.js';

export interface WriteLogEntry {
  seq: number;
  /** Date.now() when the answer was produced (the response is sent right after). */
  at: number;
  method: string;
  path: string;
  /** Route template, e.g. 'POST /contacts/{id}/tags'. */
  template: string;
  status: number;
  body: unknown;
  /** Id of the object created, updated or deleted. */
  id?: string;
}

export interface WrittenEvent {
  event_name: string;
  created_at: number;
  contact_id: string;
  metadata?: Json;
}

export interface WrittenReply {
  conversation_id: string;
  part_id: string;
  body: Json;
  author: Json;
  part_type: string;
  html: string | null;
}

type Handler = (ctx: RequestContext, params: string[]) => JsonResult & { id?: string };

interface WriteRoute {
  method: string;
  template: string;
  re: RegExp;
  handler: Handler;
  /** Read routes overridden only while there is written data to show (otherwise the read route answers). */
  when?: (params: string[]) => boolean;
}

type FieldKind =
  'string' | 'string?' | 'integer' | 'integer?' | 'boolean' | 'boolean?' | 'object' | 'object?' | 'array';

/** Request body properties, from the OpenAPI request schemas. */
const CONTACT_FIELDS: Record<string, FieldKind> = {
  role: 'string',
  external_id: 'string',
  email: 'string',
  phone: 'string?',
  name: 'string?',
  avatar: 'string?',
  signed_up_at: 'integer?',
  last_seen_at: 'integer?',
  owner_id: 'integer?',
  unsubscribed_from_emails: 'boolean?',
  custom_attributes: 'object?',
};
const COMPANY_FIELDS: Record<string, FieldKind> = {
  name: 'string',
  company_id: 'string',
  plan: 'string',
  size: 'integer',
  website: 'string',
  industry: 'string',
  custom_attributes: 'object',
  remote_created_at: 'integer',
  monthly_spend: 'integer',
};
const EVENT_FIELDS: Record<string, FieldKind> = {
  event_name: 'string',
  created_at: 'integer',
  user_id: 'string',
  id: 'string',
  email: 'string',
  metadata: 'object',
};
const NOTE_FIELDS: Record<string, FieldKind> = { body: 'string', admin_id: 'string' };
const TAG_FIELDS: Record<string, FieldKind> = { id: 'string' };
const TICKET_CREATE_FIELDS: Record<string, FieldKind> = {
  ticket_type_id: 'string',
  contacts: 'array',
  conversation_to_link_id: 'string',
  company_id: 'string',
  created_at: 'integer',
  ticket_attributes: 'object',
  assignment: 'object',
  skip_notifications: 'boolean',
};
const TICKET_UPDATE_FIELDS: Record<string, FieldKind> = {
  ticket_attributes: 'object',
  ticket_state_id: 'string',
  company_id: 'string',
  open: 'boolean',
  is_shared: 'boolean',
  snoozed_until: 'integer',
  admin_id: 'integer',
  assignee_id: 'string',
  skip_notifications: 'boolean',
};
const REPLY_FIELDS: Record<string, FieldKind> = {
  message_type: 'string',
  type: 'string',
  body: 'string',
  admin_id: 'string',
  created_at: 'integer',
  reply_options: 'array',
  attachment_urls: 'array',
  attachment_files: 'array',
  intercom_user_id: 'string',
  email: 'string',
  user_id: 'string',
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const created = (body: Json, id?: string): JsonResult & { id?: string } => ({ status: 200, body, id });

function bodyOf(ctx: RequestContext, fields: Record<string, FieldKind>): Record<string, unknown> {
  const b = ctx.body;
  if (!isObj(b)) throw new ApiError(400, 'parameter_invalid', 'A JSON object body is required');
  for (const [key, value] of Object.entries(b)) {
    const kind = fields[key];
    if (!kind) throw new ApiError(400, 'parameter_invalid', `${key} is not a valid parameter`, key);
    if (value === null && kind.endsWith('?')) continue;
    const base = kind.replace('?', '');
    const ok =
      base === 'string'
        ? typeof value === 'string'
        : base === 'integer'
          ? Number.isInteger(value)
          : base === 'boolean'
            ? typeof value === 'boolean'
            : base === 'array'
              ? Array.isArray(value)
              : isObj(value);
    if (!ok)
      throw new ApiError(
        400,
        'parameter_invalid',
        `${key} must be ${base === 'integer' ? 'an integer' : `a ${base}`}`,
        key,
      );
  }
  return b;
}

function flatValues(obj: unknown, field: string): void {
  if (obj === undefined || obj === null) return;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (v === null || typeof v !== 'object') continue;
    throw new ApiError(400, 'parameter_invalid', `${field}.${k} must be a string, number or boolean`, field);
  }
}

export class FakeWrites {
  readonly log: WriteLogEntry[] = [];
  /** Intercom contact id -> every attribute written to it (merged). */
  readonly contacts = new Map<string, Json>();
  /** company_id -> every attribute written (merged); `id` is Intercom's id. */
  readonly companies = new Map<string, Json>();
  /** Accepted events (duplicates are counted in duplicateEvents, not stored twice). */
  readonly events: WrittenEvent[] = [];
  duplicateEvents = 0;
  readonly tagOps: { contact_id: string; tag_id: string; op: 'attach' | 'detach' }[] = [];
  readonly notes: Json[] = [];
  /** Ticket id -> attributes written (merged). */
  readonly tickets = new Map<string, Json>();
  readonly replies: WrittenReply[] = [];
  readonly deleted = { contacts: [] as string[], companies: [] as string[], tickets: [] as string[] };

  private readonly routes: WriteRoute[] = [];
  private readonly eventKeys = new Set<string>();
  private readonly notesByContact = new Map<string, Json[]>();
  private readonly repliesByConversation = new Map<string, WrittenReply[]>();
  private seq = 0;
  private noteCounter = 0;

  constructor(private readonly ws: Workspace) {
    const r = (method: string, template: string, handler: Handler, when?: WriteRoute['when']): void => {
      const re = new RegExp('^' + template.replace(/\{[a-z_]+\}/g, '([^/]+)') + '$');
      this.routes.push({ method, template, re, handler, when });
    };
    r('POST', '/contacts', (c) => this.createContact(c));
    r('PUT', '/contacts/{id}', (c, [id]) => this.updateContact(c, id!));
    r('DELETE', '/contacts/{id}', (_c, [id]) => this.deleteContact(id!));
    r('POST', '/contacts/{id}/tags', (c, [id]) => this.attachTag(c, id!));
    r('DELETE', '/contacts/{id}/tags/{tag_id}', (_c, [id, tagId]) => this.detachTag(id!, tagId!));
    r('POST', '/contacts/{id}/notes', (c, [id]) => this.createNote(c, id!));
    r(
      'GET',
      '/contacts/{id}/notes',
      (c, [id]) => this.listNotes(c, id!),
      ([id]) => this.notesByContact.has(id!),
    );
    r('POST', '/companies', (c) => this.upsertCompany(c));
    r('DELETE', '/companies/{id}', (_c, [id]) => this.deleteCompany(id!));
    r('POST', '/events', (c) => this.createEvent(c));
    r('POST', '/tickets', (c) => this.createTicket(c));
    r('PUT', '/tickets/{id}', (c, [id]) => this.updateTicket(c, id!));
    r('DELETE', '/tickets/{id}', (_c, [id]) => this.deleteTicket(id!));
    r('POST', '/conversations/{id}/reply', (c, [id]) => this.reply(c, id!));
    r(
      'GET',
      '/conversations/{id}',
      (c, [id]) => this.conversationWithReplies(c, id!),
      ([id]) => this.repliesByConversation.has(id!),
    );
  }

  /** The write route of a request, if it is one (consulted before the read routes). */
  match(method: string, path: string): { template: string; run: (ctx: RequestContext) => RouteResult } | undefined {
    for (const rt of this.routes) {
      if (rt.method !== method) continue;
      const m = rt.re.exec(path);
      if (!m) continue;
      const params = m.slice(1).map((s) => decodeURIComponent(s));
      if (rt.when && !rt.when(params)) return undefined;
      const template = `${rt.method} ${rt.template}`;
      if (method === 'GET') return { template, run: (ctx) => rt.handler(ctx, params) };
      return { template, run: (ctx) => this.logged(template, ctx, () => rt.handler(ctx, params)) };
    }
    return undefined;
  }

  /** Requests of one route template, in the order they were answered. */
  entries(template?: string): WriteLogEntry[] {
    return template ? this.log.filter((e) => e.template === template) : [...this.log];
  }

  private logged(template: string, ctx: RequestContext, run: () => JsonResult & { id?: string }): JsonResult {
    const entry: WriteLogEntry = {
      seq: ++this.seq,
      at: 0,
      method: ctx.method,
      path: ctx.path,
      template,
      status: 0,
      body: ctx.body,
    };
    try {
      const result = run();
      entry.status = result.status;
      if (result.id !== undefined) entry.id = result.id;
      return { status: result.status, body: result.body };
    } catch (e) {
      entry.status = e instanceof ApiError ? e.status : 500;
      throw e;
    } finally {
      entry.at = Date.now();
      this.log.push(entry);
    }
  }

  // ------------------------------------------------------------ contacts

  private aliveContact(id: string): ContactCore {
    const c = this.ws.contactById.get(id);
    if (!c || cur(c).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
    return c;
  }

  private conflict(b: Record<string, unknown>, role: string, self?: ContactCore): void {
    const byExternal = typeof b.external_id === 'string' ? this.ws.contactByExternalId.get(b.external_id) : undefined;
    const byEmail = typeof b.email === 'string' ? this.ws.contactByEmail.get(b.email.toLowerCase()) : undefined;
    for (const other of [
      byExternal,
      byEmail === undefined || (byEmail.role === 'user' && role === 'user') ? byEmail : undefined,
    ]) {
      if (other && other !== self && !cur(other).deleted)
        throw new ApiError(409, 'conflict', `A contact matching those details already exists with id=${other.id}`);
    }
  }

  private createContact(ctx: RequestContext): JsonResult & { id?: string } {
    const b = bodyOf(ctx, CONTACT_FIELDS);
    if (b.email === undefined && b.external_id === undefined && b.role === undefined)
      throw new ApiError(400, 'parameter_invalid', 'One of email, external_id or role is required');
    const role = (b.role ?? 'user') as string;
    if (role !== 'user' && role !== 'lead')
      throw new ApiError(400, 'parameter_invalid', 'role must be user or lead', 'role');
    flatValues(b.custom_attributes, 'custom_attributes');
    this.conflict(b, role);
    const id = this.ws.mutate({ stream: 'contacts', create: 1 }).created[0] as string;
    const c = this.ws.contactById.get(id) as ContactCore;
    // The mutation generated an email (and maybe an external_id); the written ones replace them.
    this.ws.contactByEmail.delete(c.email);
    if (c.external_id) this.ws.contactByExternalId.delete(c.external_id);
    c.name = null;
    c.tagIdxs = [];
    c.companyIdxs = [];
    c.role = role;
    c.email = typeof b.email === 'string' ? b.email.toLowerCase() : '';
    c.external_id = typeof b.external_id === 'string' ? b.external_id : null;
    this.applyContactCore(c, b);
    this.contacts.set(id, { ...(b as Json) });
    return created(this.renderContact(c), id);
  }

  private updateContact(ctx: RequestContext, id: string): JsonResult & { id?: string } {
    const c = this.aliveContact(id);
    const b = bodyOf(ctx, CONTACT_FIELDS);
    if (b.role !== undefined && b.role !== 'user' && b.role !== 'lead')
      throw new ApiError(400, 'parameter_invalid', 'role must be user or lead', 'role');
    flatValues(b.custom_attributes, 'custom_attributes');
    this.conflict(b, (b.role ?? c.role) as string, c);
    this.ws.mutate({ stream: 'contacts', ids: [id] });
    if (typeof b.role === 'string') c.role = b.role as 'user' | 'lead';
    if (typeof b.email === 'string') {
      if (this.ws.contactByEmail.get(c.email) === c) this.ws.contactByEmail.delete(c.email);
      c.email = b.email.toLowerCase();
    }
    if (typeof b.external_id === 'string') {
      if (c.external_id && this.ws.contactByExternalId.get(c.external_id) === c)
        this.ws.contactByExternalId.delete(c.external_id);
      c.external_id = b.external_id;
    }
    this.applyContactCore(c, b);
    const before = this.contacts.get(id) ?? {};
    this.contacts.set(id, {
      ...before,
      ...(b as Json),
      custom_attributes: {
        ...((before.custom_attributes as Json | undefined) ?? {}),
        ...((b.custom_attributes as Json | undefined) ?? {}),
      },
    });
    return created(this.renderContact(c), id);
  }

  private applyContactCore(c: ContactCore, b: Record<string, unknown>): void {
    if (b.name !== undefined) c.name = b.name as string | null;
    if (c.email) this.ws.contactByEmail.set(c.email, c);
    if (c.external_id) this.ws.contactByExternalId.set(c.external_id, c);
  }

  private renderContact(c: ContactCore): Json {
    const out = this.ws.renderContact(c);
    const w = this.contacts.get(c.id);
    if (!w) return out;
    for (const key of ['phone', 'signed_up_at', 'last_seen_at', 'owner_id', 'unsubscribed_from_emails'] as const)
      if (key in w) out[key] = w[key] as JsonValue;
    if (typeof w.avatar === 'string') out.avatar = { type: 'avatar', image_url: w.avatar };
    if (isObj(w.custom_attributes))
      out.custom_attributes = { ...(out.custom_attributes as Json), ...(w.custom_attributes as Json) };
    return out;
  }

  private deleteContact(id: string): JsonResult & { id?: string } {
    const c = this.aliveContact(id);
    this.ws.mutate({ stream: 'contacts', ids: [id], delete: 0 });
    this.deleted.contacts.push(id);
    return created({ type: 'contact', id, external_id: c.external_id, deleted: true }, id);
  }

  // ------------------------------------------------------------ tags and notes

  private tag(tagId: string): number {
    const t = this.ws.tags.find((x) => x.id === tagId);
    if (!t) throw new ApiError(404, 'tag_not_found', 'Tag not found');
    return t.idx;
  }

  private attachTag(ctx: RequestContext, id: string): JsonResult & { id?: string } {
    const b = bodyOf(ctx, TAG_FIELDS);
    if (typeof b.id !== 'string') throw new ApiError(400, 'parameter_not_found', 'id is a required parameter', 'id');
    const c = this.aliveContact(id);
    const idx = this.tag(b.id);
    if (!c.tagIdxs.includes(idx)) c.tagIdxs.push(idx);
    this.ws.touch(); // not a mutation (no new version), but the contact renders differently
    this.tagOps.push({ contact_id: id, tag_id: b.id, op: 'attach' });
    return created(this.ws.renderTag(this.ws.tags[idx]!), b.id);
  }

  private detachTag(id: string, tagId: string): JsonResult & { id?: string } {
    const c = this.aliveContact(id);
    const idx = this.tag(tagId);
    c.tagIdxs = c.tagIdxs.filter((t) => t !== idx);
    this.ws.touch();
    this.tagOps.push({ contact_id: id, tag_id: tagId, op: 'detach' });
    return created(this.ws.renderTag(this.ws.tags[idx]!), tagId);
  }

  private admin(adminId: string): AdminCore {
    const a = this.ws.admins.find((x) => x.id === adminId);
    if (!a) throw new ApiError(404, 'admin_not_found', 'Admin not found');
    return a;
  }

  private createNote(ctx: RequestContext, id: string): JsonResult & { id?: string } {
    const b = bodyOf(ctx, NOTE_FIELDS);
    if (typeof b.body !== 'string' || b.body === '')
      throw new ApiError(400, 'parameter_not_found', 'body is a required parameter', 'body');
    const c = this.aliveContact(id);
    const author = typeof b.admin_id === 'string' ? this.admin(b.admin_id) : this.ws.admins[0]!;
    const note: Json = {
      type: 'note',
      id: String(90_000_000 + ++this.noteCounter),
      created_at: this.ws.clock.now(),
      contact: { type: 'contact', id: c.id },
      author: this.ws.renderAdmin(author),
      body: `<p>${b.body}</p>`,
    };
    this.notes.push(note);
    const list = this.notesByContact.get(c.id) ?? [];
    list.unshift(note);
    this.notesByContact.set(c.id, list);
    return created(note, note.id as string);
  }

  /** GET /contacts/{id}/notes of a contact with written notes: those first (newest first), then the generated ones. */
  private listNotes(ctx: RequestContext, id: string): JsonResult {
    const c = this.aliveContact(id);
    const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
    const perPage = Math.min(150, Math.max(1, Number(ctx.query.get('per_page') ?? 50) || 50));
    const generated = this.ws.noteIds(c).map((_, n) => () => this.ws.renderNote(c, c.noteCount - 1 - n));
    const all = [...(this.notesByContact.get(id) ?? []).map((n) => () => n), ...generated];
    const data = all.slice((page - 1) * perPage, page * perPage).map((render) => render());
    return {
      status: 200,
      body: {
        type: 'list',
        data,
        total_count: all.length,
        pages: { type: 'pages', page, per_page: perPage, total_pages: Math.ceil(all.length / perPage) },
      },
    };
  }

  // ------------------------------------------------------------ companies

  private companyByCompanyId(companyId: string): CompanyCore | undefined {
    return this.ws.companies.find((co) => co.company_id === companyId && !cur(co).deleted);
  }

  private upsertCompany(ctx: RequestContext): JsonResult & { id?: string } {
    const b = bodyOf(ctx, COMPANY_FIELDS);
    flatValues(b.custom_attributes, 'custom_attributes');
    const companyId = typeof b.company_id === 'string' ? b.company_id : undefined;
    let co = companyId ? this.companyByCompanyId(companyId) : undefined;
    if (co) {
      this.ws.mutate({ stream: 'companies', ids: [co.id] });
    } else {
      const id = this.ws.mutate({ stream: 'companies', create: 1 }).created[0] as string;
      co = this.ws.companyById.get(id) as CompanyCore;
      co.tagIdxs = [];
      co.segmentIdxs = [];
      if (companyId) co.company_id = companyId;
      else co.company_id = `fake-${co.idx}`;
    }
    if (typeof b.name === 'string') co.name = b.name;
    const before = this.companies.get(co.company_id) ?? {};
    this.companies.set(co.company_id, {
      ...before,
      ...(b as Json),
      id: co.id,
      custom_attributes: {
        ...((before.custom_attributes as Json | undefined) ?? {}),
        ...((b.custom_attributes as Json | undefined) ?? {}),
      },
    });
    return created(this.renderCompany(co), co.id);
  }

  private renderCompany(co: CompanyCore): Json {
    const out = this.ws.renderCompany(co);
    const w = this.companies.get(co.company_id);
    if (!w) return out;
    for (const key of ['size', 'website', 'industry', 'monthly_spend', 'remote_created_at'] as const)
      if (key in w) out[key] = w[key] as JsonValue;
    if (typeof w.plan === 'string') out.plan = { type: 'plan', id: String(hashPlan(w.plan)), name: w.plan };
    if (isObj(w.custom_attributes))
      out.custom_attributes = { ...(out.custom_attributes as Json), ...(w.custom_attributes as Json) };
    return out;
  }

  private deleteCompany(id: string): JsonResult & { id?: string } {
    const co = this.ws.companyById.get(id);
    if (!co || cur(co).deleted) throw new ApiError(404, 'company_not_found', 'Company Not Found');
    this.ws.mutate({ stream: 'companies', ids: [id], delete: 0 });
    this.deleted.companies.push(id);
    return created({ id, object: 'company', deleted: true }, id);
  }

  // ------------------------------------------------------------ events

  private createEvent(ctx: RequestContext): JsonResult & { id?: string } {
    const b = bodyOf(ctx, EVENT_FIELDS);
    if (typeof b.event_name !== 'string' || b.event_name === '')
      throw new ApiError(400, 'parameter_not_found', 'event_name is a required parameter', 'event_name');
    if (b.created_at === undefined)
      throw new ApiError(400, 'parameter_not_found', 'created_at is a required parameter', 'created_at');
    if (b.metadata !== undefined) {
      for (const [k, v] of Object.entries(b.metadata as Record<string, unknown>)) {
        if (v === null || typeof v !== 'object') continue;
        const keys = Object.keys(v).sort().join(',');
        if (keys !== 'url,value' && keys !== 'amount,currency')
          throw new ApiError(400, 'parameter_invalid', `metadata.${k}: nested objects are not supported`, 'metadata');
      }
    }
    let contact: ContactCore | undefined;
    if (typeof b.id === 'string') contact = this.ws.contactById.get(b.id);
    else if (typeof b.user_id === 'string') contact = this.ws.contactByExternalId.get(b.user_id);
    else if (typeof b.email === 'string') contact = this.ws.contactByEmail.get(b.email.toLowerCase());
    else throw new ApiError(400, 'parameter_not_found', 'One of id, user_id or email is required');
    if (!contact || cur(contact).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
    const key = `${contact.id}|${b.event_name}|${String(b.created_at)}`;
    if (this.eventKeys.has(key)) this.duplicateEvents++;
    else {
      this.eventKeys.add(key);
      this.events.push({
        event_name: b.event_name,
        created_at: b.created_at as number,
        contact_id: contact.id,
        ...(b.metadata ? { metadata: b.metadata as Json } : {}),
      });
    }
    return { status: 202, body: {}, id: contact.id };
  }

  // ------------------------------------------------------------ tickets

  private aliveTicket(id: string): TicketCore {
    const t = this.ws.ticketById.get(id);
    if (!t || cur(t).deleted) throw new ApiError(404, 'ticket_not_found', 'Ticket not found');
    return t;
  }

  private createTicket(ctx: RequestContext): JsonResult & { id?: string } {
    const b = bodyOf(ctx, TICKET_CREATE_FIELDS);
    if (typeof b.ticket_type_id !== 'string')
      throw new ApiError(400, 'parameter_not_found', 'ticket_type_id is a required parameter', 'ticket_type_id');
    const typeIdx = Number(b.ticket_type_id) - 1000;
    if (!Number.isInteger(typeIdx) || typeIdx < 0 || typeIdx >= this.ws.size.ticketTypes)
      throw new ApiError(404, 'ticket_type_not_found', 'Ticket type not found', 'ticket_type_id');
    if (!Array.isArray(b.contacts) || b.contacts.length === 0)
      throw new ApiError(400, 'parameter_not_found', 'contacts is a required parameter', 'contacts');
    const contactIdxs = (b.contacts as unknown[]).map((ref) => {
      if (!isObj(ref))
        throw new ApiError(
          400,
          'parameter_invalid',
          'contacts must be objects with id, external_id or email',
          'contacts',
        );
      const c =
        typeof ref.id === 'string'
          ? this.ws.contactById.get(ref.id)
          : typeof ref.external_id === 'string'
            ? this.ws.contactByExternalId.get(ref.external_id)
            : typeof ref.email === 'string'
              ? this.ws.contactByEmail.get(ref.email.toLowerCase())
              : undefined;
      if (!c || cur(c).deleted) throw new ApiError(404, 'not_found', 'User Not Found', 'contacts');
      return c.idx;
    });
    const id = this.ws.mutate({ stream: 'tickets', create: 1 }).created[0] as string;
    const t = this.ws.ticketById.get(id) as TicketCore;
    t.ticketTypeIdx = typeIdx;
    t.contactIdxs = contactIdxs;
    this.tickets.set(id, { ...(b as Json) });
    return created(this.renderTicket(t), id);
  }

  private updateTicket(ctx: RequestContext, id: string): JsonResult & { id?: string } {
    const t = this.aliveTicket(id);
    const b = bodyOf(ctx, TICKET_UPDATE_FIELDS);
    this.ws.mutate({ stream: 'tickets', ids: [id] });
    const before = this.tickets.get(id) ?? {};
    this.tickets.set(id, {
      ...before,
      ...(b as Json),
      ticket_attributes: {
        ...((before.ticket_attributes as Json | undefined) ?? {}),
        ...((b.ticket_attributes as Json | undefined) ?? {}),
      },
    });
    return created(this.renderTicket(t), id);
  }

  private renderTicket(t: TicketCore): Json {
    const out = this.ws.renderTicket(t);
    const w = this.tickets.get(t.id);
    if (w && isObj(w.ticket_attributes))
      out.ticket_attributes = { ...(out.ticket_attributes as Json), ...(w.ticket_attributes as Json) };
    if (w && typeof w.open === 'boolean') out.open = w.open;
    return out;
  }

  private deleteTicket(id: string): JsonResult & { id?: string } {
    this.aliveTicket(id);
    this.ws.mutate({ stream: 'tickets', ids: [id], delete: 0 });
    this.deleted.tickets.push(id);
    return created({ id, object: 'ticket', deleted: true }, id);
  }

  // ------------------------------------------------------------ conversation replies

  private aliveConversation(id: string): ConversationCore {
    const conv = this.ws.conversationById.get(id);
    if (!conv || cur(conv).deleted) throw new ApiError(404, 'not_found', 'Conversation Not Found');
    return conv;
  }

  private reply(ctx: RequestContext, id: string): JsonResult & { id?: string } {
    const conv = this.aliveConversation(id);
    const b = bodyOf(ctx, REPLY_FIELDS);
    let author: Json;
    if (b.type === 'admin') {
      if (b.message_type !== 'comment' && b.message_type !== 'note' && b.message_type !== 'quick_reply')
        throw new ApiError(
          400,
          'parameter_invalid',
          'message_type must be comment, note or quick_reply',
          'message_type',
        );
      if (typeof b.admin_id !== 'string')
        throw new ApiError(400, 'parameter_not_found', 'admin_id is a required parameter', 'admin_id');
      const a = this.admin(b.admin_id);
      author = { type: 'admin', id: a.id, name: a.name, email: a.email };
    } else if (b.type === 'user') {
      if (b.message_type !== 'comment')
        throw new ApiError(400, 'parameter_invalid', 'message_type must be comment', 'message_type');
      if (typeof b.body !== 'string' || b.body === '')
        throw new ApiError(400, 'parameter_not_found', 'body is a required parameter', 'body');
      const c =
        typeof b.intercom_user_id === 'string'
          ? this.ws.contactById.get(b.intercom_user_id)
          : typeof b.user_id === 'string'
            ? this.ws.contactByExternalId.get(b.user_id)
            : typeof b.email === 'string'
              ? this.ws.contactByEmail.get(b.email.toLowerCase())
              : undefined;
      if (!c || cur(c).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
      author = { type: 'user', id: c.id, name: c.name, email: c.email };
    } else {
      throw new ApiError(400, 'parameter_invalid', 'type must be admin or user', 'type');
    }
    this.ws.mutate({ stream: 'conversations', ids: [id] });
    const part = conv.extraParts[conv.extraParts.length - 1]!;
    const written: WrittenReply = {
      conversation_id: id,
      part_id: part.id,
      body: b as Json,
      author,
      part_type: b.message_type === 'note' ? 'note' : 'comment',
      html: typeof b.body === 'string' ? `<p>${b.body}</p>` : null,
    };
    this.replies.push(written);
    const list = this.repliesByConversation.get(id) ?? [];
    list.push(written);
    this.repliesByConversation.set(id, list);
    return created(this.renderConversation(conv, false), part.id);
  }

  private conversationWithReplies(ctx: RequestContext, id: string): JsonResult {
    return {
      status: 200,
      body: this.renderConversation(this.aliveConversation(id), ctx.query.get('display_as') === 'plaintext'),
    };
  }

  private renderConversation(conv: ConversationCore, plain: boolean): Json {
    const out = this.ws.renderConversation(conv, { withParts: true, plain });
    const byPart = new Map((this.repliesByConversation.get(conv.id) ?? []).map((r) => [r.part_id, r]));
    const parts = ((out.conversation_parts as Json | undefined)?.conversation_parts ?? []) as Json[];
    for (const p of parts) {
      const w = byPart.get(p.id as string);
      if (!w) continue;
      p.part_type = w.part_type;
      p.author = w.author;
      p.body = w.html === null ? null : plain ? w.html.replace(/<[^>]*>/g, '') : w.html;
    }
    return out;
  }
}

function hashPlan(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return 400 + (h % 1000);
}
