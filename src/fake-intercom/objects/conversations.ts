/**
 * Conversations and their parts: generated cores, their rendering as of a version (API 2.15 adds
 * the conversation's `company`), and the routes that list them or read one. The conversation
 * search is search-routes.ts.
 */
import { DAY } from '../clock.js';
import { ApiError, type RequestContext } from '../http.js';
import {
  EXAMPLE_FIELDS_SINCE,
  PART_CAP,
  cur,
  htmlToPlain,
  type AdminCore,
  type CompanyCore,
  type ContactCore,
  type ConversationCore,
  type ExtraPart,
  type Json,
  type TagCore,
  type TeamCore,
  type VersionEntry,
} from '../model.js';
import { hash32, rngFor, type Rng } from '../rng.js';
import { ok, type RecordText, type Router } from '../router.js';
import type { WorkspaceState } from '../state.js';
import { COMMENT_BODIES, WORDS, type TimeSpreader } from '../vocabulary.js';
import { adminRef } from './admins.js';
import { renderCompany } from './companies.js';
import { contactRef } from './contacts.js';
import {
  adminAuthor,
  basePartTime,
  botAuthor,
  contactAuthor,
  partCount,
  partId,
  pickContacts,
  threadTimes,
} from './threads.js';

export interface ConversationRendering {
  /** The version rendered (default: current). */
  v?: VersionEntry;
  /** With `conversation_parts` (the 500 most recent), as GET /conversations/{id} answers. */
  withParts?: boolean;
  /** display_as=plaintext: bodies without HTML. */
  plain?: boolean;
  /** The Intercom-Version asked for: 2.15 adds `company`. */
  apiVersion?: string;
}

/** Conversation `k`: from the seed (`spread`), or created by a mutation at `at`; registered in conversationById. */
export function makeConversation(
  ws: WorkspaceState,
  k: number,
  spread: TimeSpreader | null,
  at: number | null,
  large: boolean,
): ConversationCore {
  const { seed, size } = ws;
  const r = rngFor(seed, 'conversation', k);
  const { created, updated } = threadTimes(ws, r, spread, at, 30);
  const avg = Math.max(1, size.partsPerConversation);
  const baseParts = large
    ? r.int(PART_CAP + 20, PART_CAP * 2 + 100)
    : spread
      ? r.int(1, Math.max(1, 2 * avg - 1))
      : r.int(1, 3);
  const id = String(1_000_000 + k);
  const tagN = r.chance(0.1) ? r.int(3, 5) : r.int(0, 2);
  const c: ConversationCore = {
    idx: k,
    id,
    created_at: created,
    versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : ws.visibleFrom() }],
    idHash: hash32(id),
    baseParts,
    baseEnd: updated,
    extraParts: [],
    contactIdxs: pickContacts(ws, r, r.chance(0.1) ? 2 : 1),
    tagIdxs: r.sample(size.tags, Math.min(size.tags, tagN)),
    adminAssignee: size.admins > 0 && r.chance(0.8) ? r.int(0, size.admins - 1) : null,
    teamAssignee: size.teams > 0 && r.chance(0.6) ? r.int(0, size.teams - 1) : null,
    state: r.pick(['open', 'closed', 'closed', 'snoozed'] as const),
    sourceType: r.chance(0.3) ? 'email' : r.chance(0.1) ? 'phone_call' : 'conversation',
    read: r.chance(0.7),
    priority: r.chance(0.1),
  };
  ws.conversationById.set(id, c);
  return c;
}

/** A part added by a mutation: a comment from the support team. */
function addedPart(ws: WorkspaceState, c: ConversationCore, p: number, body: (html: string) => string): Json {
  const e = c.extraParts[p - c.baseParts] as ExtraPart;
  return {
    type: 'conversation_part',
    id: e.id,
    part_type: 'comment',
    body: body(`<p>Update ${p - c.baseParts + 1} from the support team.</p>`),
    created_at: e.created_at,
    updated_at: e.created_at,
    notified_at: e.created_at,
    assigned_to: null,
    author: ws.admins.length ? adminAuthor(ws, e.adminIdx) : botAuthor(ws),
    attachments: [],
    external_id: null,
    redacted: false,
    email_message_metadata: null,
  };
}

/** The email headers of a user's part in an email conversation. */
function emailMetadata(ws: WorkspaceState, r: Rng, c: ConversationCore, p: number, contactIdx: number): Json {
  const cc = ws.contacts[contactIdx] as ContactCore;
  const headers: Json[] = [
    { type: 'from', email_address: cc.email, name: cc.name },
    { type: 'to', email_address: `support@${ws.appId}.example.com`, name: 'Support' },
  ];
  if (r.chance(0.4)) headers.push({ type: 'cc', email_address: `cc${p}@${ws.appId}-partner.example.com`, name: null });
  return { subject: `Re: conversation ${c.id}`, email_address_headers: headers };
}

function attachments(r: Rng, c: ConversationCore, p: number): Json[] {
  if (!r.chance(0.05)) return [];
  return [
    {
      type: 'upload',
      name: 'screenshot.png',
      url: `https://uploads.intercomcdn.test/${c.id}/${p}.png`,
      content_type: 'image/png',
      filesize: r.int(1000, 900_000),
      width: 640,
      height: 480,
    },
  ];
}

/** Part `p` of a conversation (generated from the seed, or added by a mutation). */
export function renderConversationPart(ws: WorkspaceState, c: ConversationCore, p: number, plain: boolean): Json {
  const body = (html: string | null): string | null => (html === null ? null : plain ? htmlToPlain(html) : html);
  if (p >= c.baseParts) return addedPart(ws, c, p, body as (html: string) => string);
  const r = rngFor(ws.seed, 'cpart', c.idx, p);
  const t = basePartTime(c, p);
  const roll = r.next();
  const hasAdmin = ws.admins.length > 0;
  const contactIdx = c.contactIdxs[0];
  let part_type = 'comment';
  if (hasAdmin && roll > 0.8)
    part_type = roll > 0.94 ? (roll > 0.97 ? 'close' : 'open') : roll > 0.88 ? 'assignment' : 'note';
  const byUser = part_type === 'comment' && contactIdx !== undefined && (r.chance(0.5) || !hasAdmin);
  const adminIdx = hasAdmin ? r.int(0, ws.admins.length - 1) : 0;
  const author = byUser
    ? contactAuthor(ws, contactIdx as number)
    : hasAdmin
      ? adminAuthor(ws, adminIdx)
      : botAuthor(ws);
  const html = part_type === 'comment' || part_type === 'note' ? r.pick(COMMENT_BODIES) : null;
  const meta = byUser && c.sourceType === 'email' ? emailMetadata(ws, r, c, p, contactIdx as number) : null;
  return {
    type: 'conversation_part',
    id: partId('conversation', c, p),
    part_type,
    body: body(html),
    created_at: t,
    updated_at: t,
    notified_at: t,
    assigned_to: part_type === 'assignment' && hasAdmin ? adminRef(ws, r.int(0, ws.admins.length - 1)) : null,
    author,
    attachments: attachments(r, c, p),
    external_id: null,
    redacted: false,
    email_message_metadata: meta,
  };
}

/** `statistics`; the close times only on closed conversations. */
function statistics(
  ws: WorkspaceState,
  r: Rng,
  c: ConversationCore,
  v: VersionEntry,
  nParts: number,
  firstReply: number,
): Json {
  const closed = c.state === 'closed';
  const stats: Json = {
    type: 'conversation_statistics',
    time_to_assignment: r.int(0, 600),
    time_to_admin_reply: r.int(30, 7200),
    time_to_first_close: closed ? r.int(600, 86_400) : 0,
    time_to_last_close: closed ? r.int(600, 86_400) : 0,
    median_time_to_reply: r.int(30, 3600),
    first_contact_reply_at: c.created_at,
    first_assignment_at: c.created_at + r.int(0, 600),
    first_admin_reply_at: Math.min(v.updated_at, firstReply),
    first_close_at: closed ? v.updated_at : 0,
    last_assignment_at: c.created_at + r.int(0, 600),
    last_assignment_admin_reply_at: Math.min(v.updated_at, firstReply),
    last_contact_reply_at: v.updated_at,
    last_admin_reply_at: v.updated_at,
    last_close_at: closed ? v.updated_at : 0,
    last_closed_by_id: closed && c.adminAssignee !== null ? (ws.admins[c.adminAssignee] as AdminCore).id : '',
    count_reopens: r.int(0, 2),
    count_assignments: r.int(0, 3),
    count_conversation_parts: nParts,
    assigned_team_first_response_time: [],
    assigned_team_first_response_time_in_office_hours: [],
    handling_time: r.int(0, 5000),
    adjusted_handling_time: null,
  };
  if (!closed)
    for (const k of [
      'time_to_first_close',
      'time_to_last_close',
      'first_close_at',
      'last_close_at',
      'last_closed_by_id',
    ])
      delete stats[k];
  return stats;
}

function conversationTags(ws: WorkspaceState, c: ConversationCore): Json {
  return {
    type: 'tag.list',
    tags: c.tagIdxs.map((t) => {
      const tag = ws.tags[t] as TagCore;
      return {
        type: 'tag',
        id: tag.id,
        name: tag.name,
        applied_at: c.created_at + 60,
        applied_by: ws.admins.length ? adminRef(ws, hash32(c.id, t) % ws.admins.length) : null,
      };
    }),
  };
}

/** A rating on some closed conversations started by a contact. */
function rating(ws: WorkspaceState, r: Rng, c: ConversationCore, v: VersionEntry, contact?: ContactCore): Json | null {
  if (!(c.state === 'closed' && r.chance(0.3) && contact)) return null;
  return {
    rating: r.int(1, 5),
    remark: r.pick(['Great help', 'Slow answer', '']),
    created_at: v.updated_at,
    updated_at: v.updated_at,
    contact: { type: 'contact', id: contact.id, external_id: contact.external_id },
    teammate: c.adminAssignee !== null ? adminRef(ws, c.adminAssignee) : { type: 'admin', id: null },
  };
}

function source(ws: WorkspaceState, c: ConversationCore, html: string, plain: boolean, contact?: ContactCore): Json {
  const author: Json = contact
    ? { type: 'user', id: contact.id, name: contact.name, email: contact.email }
    : ws.admins.length
      ? adminAuthor(ws, 0)
      : botAuthor(ws);
  return {
    type: c.sourceType,
    id: String(400_000_000 + c.idx),
    delivered_as: contact ? 'customer_initiated' : 'admin_initiated',
    subject: c.sourceType === 'email' ? `Email #${c.id}` : '',
    body: plain ? htmlToPlain(html) : html,
    author,
    attachments: [],
    url: null,
    redacted: false,
  };
}

/**
 * The company a conversation belongs to (API 2.15): the first alive company of the contact who
 * started it; none when that contact has no company (or there is no contact).
 */
export function conversationCompany(ws: WorkspaceState, c: ConversationCore): CompanyCore | null {
  const first = c.contactIdxs[0];
  const contact = first === undefined ? undefined : ws.contacts[first];
  for (const j of contact?.companyIdxs ?? []) {
    const co = ws.companies[j] as CompanyCore;
    if (!cur(co).deleted) return co;
  }
  return null;
}

/** The 500 most recent parts; total_count is their number (statistics.count_conversation_parts has the real total). */
function conversationParts(ws: WorkspaceState, c: ConversationCore, nParts: number, plain: boolean): Json {
  const parts: Json[] = [];
  for (let p = Math.max(0, nParts - PART_CAP); p < nParts; p++) parts.push(renderConversationPart(ws, c, p, plain));
  return { type: 'conversation_part.list', conversation_parts: parts, total_count: parts.length };
}

export function renderConversation(ws: WorkspaceState, c: ConversationCore, opts: ConversationRendering = {}): Json {
  const v = opts.v ?? cur(c);
  const r = rngFor(ws.seed, 'conv-extra', c.idx);
  const plain = opts.plain ?? false;
  const nParts = partCount(c, v);
  const firstContact = c.contactIdxs[0];
  const contact = firstContact !== undefined ? (ws.contacts[firstContact] as ContactCore) : undefined;
  const sourceHtml = `<p>${r.pick(['Hello', 'Hi there', 'Question'])}: ${r.pick(['billing issue', 'cannot export', 'feature request', 'login problem'])} #${c.id}</p>`;
  const stats = statistics(ws, r, c, v, nParts, c.created_at + r.int(30, 3600));
  const company = opts.apiVersion === '2.15' ? conversationCompany(ws, c) : undefined;
  const out: Json = {
    type: 'conversation',
    id: c.id,
    title: r.chance(0.3) ? `Conversation about ${r.pick(WORDS)}` : null,
    created_at: c.created_at,
    updated_at: v.updated_at,
    waiting_since: c.state === 'open' ? v.updated_at : null,
    snoozed_until: c.state === 'snoozed' ? v.updated_at + 3 * DAY : null,
    open: c.state !== 'closed',
    state: c.state,
    read: c.read,
    priority: c.priority ? 'priority' : 'not_priority',
    admin_assignee_id: c.adminAssignee === null ? null : Number((ws.admins[c.adminAssignee] as AdminCore).id),
    team_assignee_id: c.teamAssignee === null ? null : Number((ws.teams[c.teamAssignee] as TeamCore).id),
    ...(company === undefined ? {} : { company: company && renderCompany(ws, company) }),
    tags: conversationTags(ws, c),
    conversation_rating: rating(ws, r, c, v, contact),
    source: source(ws, c, sourceHtml, plain, contact),
    contacts: { type: 'contact.list', contacts: c.contactIdxs.map((i) => contactRef(ws, i)) },
    teammates: { type: 'admin.list', teammates: c.adminAssignee === null ? [] : [adminRef(ws, c.adminAssignee)] },
    custom_attributes: { issue_type: r.pick(['billing', 'bug', 'question']), csat_score: r.int(1, 5) },
    first_contact_reply: contact
      ? { created_at: c.created_at, type: c.sourceType === 'email' ? 'email' : 'conversation', url: null }
      : null,
    sla_applied: r.chance(0.2)
      ? {
          type: 'conversation_sla_summary',
          sla_name: 'Standard SLA',
          sla_status: r.pick(['hit', 'missed', 'active'] as const),
        }
      : null,
    statistics: stats,
  };
  if (opts.withParts) out['conversation_parts'] = conversationParts(ws, c, nParts, plain);
  out['linked_objects'] = { type: 'list', total_count: 0, has_more: false, data: [] };
  out['ai_agent_participated'] = false;
  out['ai_agent'] = null;
  // Example-only fields (ALLOW_EXTRA): the examples show `topics: {}` and `ticket: null`.
  out['topics'] = v.updated_at >= ws.genNow - EXAMPLE_FIELDS_SINCE ? {} : null;
  out['ticket'] = null;
  return out;
}

/** JSON text of a conversation as of `v` for an API version, cached (lists and searches). */
export function conversationText(
  api: Router,
  c: ConversationCore,
  v: VersionEntry = cur(c),
  apiVersion?: string,
): RecordText {
  const variant = apiVersion === '2.15' ? '2.15' : '';
  return api.recordText(v, () => renderConversation(api.ws, c, { v, apiVersion: variant || undefined }), variant);
}

function aliveConversation(ws: WorkspaceState, id: string): ConversationCore {
  const conv = ws.conversationById.get(id);
  if (!conv || cur(conv).deleted) throw new ApiError(404, 'not_found', 'Conversation Not Found');
  return conv;
}

export function registerConversationRoutes(api: Router): void {
  const { ws } = api;
  api.route('GET', '/conversations', (c: RequestContext) =>
    api.cursorList(
      c,
      ws.conversations,
      20,
      (x) => conversationText(api, x, cur(x), c.version),
      'conversations',
      'conversation.list',
    ),
  );
  api.route('GET', '/conversations/{id}', (c, [id]) =>
    ok(
      renderConversation(ws, aliveConversation(ws, id as string), {
        withParts: true,
        plain: c.query.get('display_as') === 'plaintext',
        apiVersion: c.version,
      }),
    ),
  );
}
