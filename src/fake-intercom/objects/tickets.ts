/**
 * Tickets, their types and states, and their parts: generated cores, their rendering as of a
 * version, and the route that reads one ticket. The ticket search is search-routes.ts; the ticket
 * type list is simple-lists.ts.
 */
import { DAY } from '../clock.js';
import { ApiError } from '../http.js';
import {
  PART_CAP,
  TICKET_STATE_CATEGORIES,
  cur,
  type AdminCore,
  type ExtraPart,
  type Json,
  type TeamCore,
  type TicketCore,
  type TicketStateCategory,
  type VersionEntry,
} from '../model.js';
import { hash32, rngFor } from '../rng.js';
import { ok, type RecordText, type Router } from '../router.js';
import type { WorkspaceState } from '../state.js';
import { COMMENT_BODIES, type TimeSpreader } from '../vocabulary.js';
import { contactRef } from './contacts.js';
import { adminAuthor, basePartTime, contactAuthor, partCount, partId, pickContacts, threadTimes } from './threads.js';

/** Ticket `k`: from the seed (`spread`), or created by a mutation at `at`; registered in ticketById. */
export function makeTicket(
  ws: WorkspaceState,
  k: number,
  spread: TimeSpreader | null,
  at: number | null,
  large: boolean,
): TicketCore {
  const { seed, size } = ws;
  const r = rngFor(seed, 'ticket', k);
  const { created, updated } = threadTimes(ws, r, spread, at, 60);
  const avg = Math.max(1, size.partsPerTicket);
  const baseParts = large ? r.int(PART_CAP + 10, PART_CAP + 300) : spread ? r.int(1, Math.max(1, 2 * avg - 1)) : 1;
  const id = String(5_000_000 + k);
  const t: TicketCore = {
    idx: k,
    id,
    created_at: created,
    versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : ws.visibleFrom() }],
    idHash: hash32(id),
    baseParts,
    baseEnd: updated,
    extraParts: [],
    contactIdxs: pickContacts(ws, r, 1),
    tagIdxs: r.sample(size.tags, r.int(0, Math.min(2, size.tags))),
    adminAssignee: size.admins > 0 && r.chance(0.8) ? r.int(0, size.admins - 1) : null,
    teamAssignee: size.teams > 0 && r.chance(0.5) ? r.int(0, size.teams - 1) : null,
    ticketTypeIdx: size.ticketTypes > 0 ? r.int(0, size.ticketTypes - 1) : 0,
    stateCategory: r.pick(TICKET_STATE_CATEGORIES),
  };
  ws.ticketById.set(id, t);
  return t;
}

export function ticketTypeId(i: number): string {
  return String(1000 + i);
}

export function ticketStateId(typeIdx: number, cat: TicketStateCategory): string {
  return String(8000 + typeIdx * 10 + TICKET_STATE_CATEGORIES.indexOf(cat));
}

export function ticketTypeCategory(i: number): 'Customer' | 'Back-office' | 'Tracker' {
  return (['Customer', 'Back-office', 'Tracker'] as const)[i % 3] as 'Customer' | 'Back-office' | 'Tracker';
}

export function renderTicketState(typeIdx: number, cat: TicketStateCategory): Json {
  const label = cat.replace(/_/g, ' ').replace(/^./, (m) => m.toUpperCase());
  return {
    type: 'ticket_state',
    id: ticketStateId(typeIdx, cat),
    category: cat,
    internal_label: label,
    external_label: label,
  };
}

/** Attribute `n` of ticket type `i` (title and description are the default ones). */
function ticketTypeAttribute(
  ws: WorkspaceState,
  i: number,
  n: number,
  name: string,
  data_type: string,
  def: boolean,
): Json {
  const created = ws.genNow - (500 - i) * DAY;
  return {
    type: 'ticket_type_attribute',
    id: String(20_000 + i * 10 + n),
    workspace_id: ws.appId,
    name,
    description: `${name} of the ticket`,
    data_type,
    input_options:
      data_type === 'list'
        ? {
            list_options: [
              { id: 'low', label: 'Low' },
              { id: 'high', label: 'High' },
            ],
          }
        : {},
    order: n,
    required_to_create: def,
    required_to_create_for_contacts: false,
    visible_on_create: true,
    visible_to_contacts: def,
    default: def,
    ticket_type_id: Number(ticketTypeId(i)),
    archived: false,
    created_at: created,
    updated_at: created,
  };
}

export function renderTicketType(ws: WorkspaceState, i: number): Json {
  const created = ws.genNow - (500 - i) * DAY;
  return {
    type: 'ticket_type',
    id: ticketTypeId(i),
    category: ticketTypeCategory(i),
    name: `${['Bug report', 'Refund request', 'Outage', 'Access request'][i % 4]}${i >= 4 ? ` ${i}` : ''}`,
    description: 'Generated ticket type',
    icon: ['🐞', '💸', '🔥', '🔑'][i % 4] as string,
    workspace_id: ws.appId,
    ticket_type_attributes: {
      type: 'ticket_type_attributes.list',
      ticket_type_attributes: [
        ticketTypeAttribute(ws, i, 0, '_default_title_', 'string', true),
        ticketTypeAttribute(ws, i, 1, '_default_description_', 'string', true),
        ticketTypeAttribute(ws, i, 2, 'Priority level', 'list', false),
      ],
    },
    ticket_states: { type: 'list', data: TICKET_STATE_CATEGORIES.map((c) => renderTicketState(i, c)) },
    archived: false,
    created_at: created,
    updated_at: created + DAY,
    // Example-only (ALLOW_EXTRA): null on the first type listed, set on the others.
    is_internal: i === 0 ? null : i % 2 === 0,
  };
}

const FIN: Json = { type: 'bot', id: '0', name: 'Fin', email: 'operator@intercom.io' };

/** A part added by a mutation: a comment from an admin. */
function addedTicketPart(ws: WorkspaceState, t: TicketCore, p: number): Json {
  const e = t.extraParts[p - t.baseParts] as ExtraPart;
  return {
    type: 'ticket_part',
    id: e.id,
    part_type: 'comment',
    body: `<p>Ticket update ${p - t.baseParts + 1}.</p>`,
    created_at: e.created_at,
    updated_at: e.created_at,
    assigned_to: null,
    author: ws.admins.length ? adminAuthor(ws, e.adminIdx) : { ...FIN },
    attachments: [],
    external_id: null,
    redacted: false,
  };
}

export function renderTicketPart(ws: WorkspaceState, t: TicketCore, p: number): Json {
  if (p >= t.baseParts) return addedTicketPart(ws, t, p);
  const r = rngFor(ws.seed, 'tpart', t.idx, p);
  const time = basePartTime(t, p);
  const hasAdmin = ws.admins.length > 0;
  const contactIdx = t.contactIdxs[0];
  const roll = r.next();
  const out: Json = { type: 'ticket_part', id: partId('ticket', t, p) };
  if (p === 0 || (hasAdmin && roll > 0.85)) {
    out['part_type'] = 'ticket_state_updated_by_admin';
    out['body'] = null;
    out['previous_ticket_state'] = 'submitted';
    out['ticket_state'] = p === 0 ? 'submitted' : r.pick(TICKET_STATE_CATEGORIES);
  } else {
    out['part_type'] = roll > 0.7 && hasAdmin ? 'note' : 'comment';
    out['body'] = r.pick(COMMENT_BODIES);
  }
  out['created_at'] = time;
  out['updated_at'] = time;
  out['assigned_to'] = null;
  const byUser = out['part_type'] === 'comment' && contactIdx !== undefined && (r.chance(0.5) || !hasAdmin);
  out['author'] = byUser
    ? contactAuthor(ws, contactIdx as number)
    : hasAdmin
      ? adminAuthor(ws, r.int(0, ws.admins.length - 1))
      : { ...FIN };
  out['attachments'] = [];
  out['external_id'] = null;
  out['redacted'] = false;
  return out;
}

export function renderTicket(
  ws: WorkspaceState,
  t: TicketCore,
  opts: { v?: VersionEntry; withParts?: boolean } = {},
): Json {
  const v = opts.v ?? cur(t);
  const r = rngFor(ws.seed, 'ticket-extra', t.idx);
  const out: Json = {
    type: 'ticket',
    id: t.id,
    ticket_id: String(t.idx + 1),
    category: ticketTypeCategory(t.ticketTypeIdx),
    ticket_attributes: {
      _default_title_: `${r.pick(['Cannot', 'Please', 'Urgent:'])} ${r.pick(['export data', 'refund order', 'reset access', 'fix sync'])} (${t.id})`,
      _default_description_: r.chance(0.8) ? `Reported by contact; revision ${v.rev}` : null,
      'Priority level': r.pick(['Low', 'High']),
    },
    ticket_state: renderTicketState(t.ticketTypeIdx, t.stateCategory),
    ticket_type: renderTicketType(ws, t.ticketTypeIdx),
    contacts: { type: 'contact.list', contacts: t.contactIdxs.map((i) => contactRef(ws, i)) },
    admin_assignee_id: t.adminAssignee === null ? '0' : (ws.admins[t.adminAssignee] as AdminCore).id,
    team_assignee_id: t.teamAssignee === null ? '0' : (ws.teams[t.teamAssignee] as TeamCore).id,
    created_at: t.created_at,
    updated_at: v.updated_at,
    open: t.stateCategory !== 'resolved',
    linked_objects: { type: 'list', total_count: 0, has_more: false, data: [] },
  };
  if (opts.withParts) {
    const n = partCount(t, v);
    const parts: Json[] = [];
    for (let p = Math.max(0, n - PART_CAP); p < n; p++) parts.push(renderTicketPart(ws, t, p));
    out['ticket_parts'] = { type: 'ticket_part.list', ticket_parts: parts, total_count: parts.length };
  }
  out['is_shared'] = t.ticketTypeIdx % 3 === 0;
  return out;
}

/** JSON text of a ticket as of `v`, cached (searches). */
export function ticketText(api: Router, t: TicketCore, v: VersionEntry = cur(t)): RecordText {
  return api.recordText(v, () => renderTicket(api.ws, t, { v }));
}

export function registerTicketRoutes(api: Router): void {
  const { ws } = api;
  api.route('GET', '/tickets/{id}', (_c, [id]) => {
    const t = ws.ticketById.get(id as string);
    if (!t || cur(t).deleted) throw new ApiError(404, 'ticket_not_found', 'Ticket not found');
    return ok(renderTicket(ws, t, { withParts: true }));
  });
}
