/**
 * Seeded, deterministic in-memory Intercom workspace.
 *
 * Records are stored as compact "cores" (ids, timestamps, relations, version history; model.ts);
 * the full JSON objects of the OpenAPI description are rendered on demand by the object modules
 * (objects/*.ts), which this class also offers as methods. Conversation and ticket parts are
 * generated from a per-record seed and never stored (only parts added by mutations are).
 * Same seed + same sizes + same `now` => identical workspace.
 */
import {
  PART_CAP,
  cur,
  truncInfo,
  type ActivityLogCore,
  type AdminCore,
  type CompanyCore,
  type ContactCore,
  type ConversationCore,
  type DataAttributeDef,
  type ExtraPart,
  type Json,
  type RecordCore,
  type SegmentCore,
  type TagCore,
  type TeamCore,
  type ThreadCore,
  type TicketCore,
  type TicketStateCategory,
  type VersionEntry,
} from './model.js';
import { adminRef, generateActivityLogs, generateAdmins, generateTeams } from './objects/admins.js';
import { renderActivityLog, renderAdmin, renderMe, renderTeam } from './objects/admins.js';
import { makeCompany, renderCompany } from './objects/companies.js';
import {
  contactCustomAttributes,
  contactEvents,
  contactExampleOnlyFields,
  contactRef,
  listableEvents,
  makeContact,
  noteCreatedAt,
  noteIds,
  renderContact,
  renderNote,
} from './objects/contacts.js';
import {
  conversationCompany,
  makeConversation,
  renderConversation,
  renderConversationPart,
  type ConversationRendering,
} from './objects/conversations.js';
import { generateDataAttributes, renderDataAttribute } from './objects/data-attributes.js';
import { renderArticle, renderCollection, renderHelpCenter } from './objects/help-center.js';
import { renderSubscriptionType } from './objects/subscription-types.js';
import { generateSegments, generateTags, renderSegment, renderTag } from './objects/tags.js';
import { partCount, partId, retrievableRange } from './objects/threads.js';
import {
  makeTicket,
  renderTicket,
  renderTicketPart,
  renderTicketState,
  renderTicketType,
  ticketStateId,
  ticketTypeCategory,
  ticketTypeId,
} from './objects/tickets.js';
import { rngFor, type Rng } from './rng.js';
import { WorkspaceState, type WorkspaceOptions } from './state.js';
import type { GroundTruth, MutableStream, MutationResult, MutationSpec } from './types.js';
import { TimeSpreader } from './vocabulary.js';

export * from './model.js';
export type { WorkspaceOptions } from './state.js';

export class Workspace extends WorkspaceState {
  private mutationCounter = 0;

  constructor(opts: WorkspaceOptions) {
    super(opts);
    generateAdmins(this);
    generateTeams(this);
    generateTags(this);
    generateSegments(this);
    generateDataAttributes(this);
    this.generateRecords();
    generateActivityLogs(this);
  }

  /** Companies first (contacts reference them), contacts, conversations and tickets (they reference contacts). */
  private generateRecords(): void {
    const { seed, size, genNow: now } = this;
    const assignableCompanies = size.companies >= 2 ? Math.max(1, Math.floor(size.companies * 0.85)) : size.companies;
    const compSpread = new TimeSpreader(now, size.companies, rngFor(seed, 'spread', 'companies'));
    for (let j = 0; j < size.companies; j++) this.companies.push(makeCompany(this, j, compSpread, null));

    const contactSpread = new TimeSpreader(now, size.contacts, rngFor(seed, 'spread', 'contacts'));
    for (let i = 0; i < size.contacts; i++)
      this.contacts.push(makeContact(this, i, contactSpread, null, assignableCompanies));
    for (const c of this.contacts) for (const j of c.companyIdxs) (this.companies[j] as CompanyCore).userCount++;

    const convSpread = new TimeSpreader(now, size.conversations, rngFor(seed, 'spread', 'conversations'));
    const largeConv = new Set(rngFor(seed, 'large-conv').sample(size.conversations, size.largeConversations));
    for (let k = 0; k < size.conversations; k++)
      this.conversations.push(makeConversation(this, k, convSpread, null, largeConv.has(k)));

    const ticketSpread = new TimeSpreader(now, size.tickets, rngFor(seed, 'spread', 'tickets'));
    const largeTicket = new Set(rngFor(seed, 'large-ticket').sample(size.tickets, size.largeTickets));
    for (let k = 0; k < size.tickets; k++)
      this.tickets.push(makeTicket(this, k, ticketSpread, null, largeTicket.has(k)));
  }

  // ---------------------------------------------------------------- rendering (objects/*.ts)

  adminRef(idx: number): Json {
    return adminRef(this, idx);
  }
  renderAdmin(a: AdminCore): Json {
    return renderAdmin(this, a);
  }
  renderMe(): Json {
    return renderMe(this);
  }
  renderTeam(t: TeamCore): Json {
    return renderTeam(this, t);
  }
  renderTag(t: TagCore): Json {
    return renderTag(t);
  }
  renderSegment(s: SegmentCore, withCount: boolean): Json {
    return renderSegment(this, s, withCount);
  }
  renderDataAttribute(d: DataAttributeDef): Json {
    return renderDataAttribute(this, d);
  }
  contactRef(idx: number): Json {
    return contactRef(this, idx);
  }
  noteIds(c: ContactCore): string[] {
    return noteIds(c);
  }
  noteCreatedAt(c: ContactCore, k: number): number {
    return noteCreatedAt(this, c, k);
  }
  renderNote(c: ContactCore, k: number): Json {
    return renderNote(this, c, k);
  }
  /** Renders a contact as of version `v` (default: current). */
  renderContact(c: ContactCore, v: VersionEntry = cur(c)): Json {
    return renderContact(this, c, v);
  }
  contactExampleOnlyFields(c: ContactCore, v: VersionEntry, mobile: boolean): Json {
    return contactExampleOnlyFields(this, c, v, mobile);
  }
  contactCustomAttributes(c: ContactCore, v: VersionEntry): Json {
    return contactCustomAttributes(this, c, v);
  }
  renderCompany(co: CompanyCore, v: VersionEntry = cur(co)): Json {
    return renderCompany(this, co, v);
  }
  partCount(t: ThreadCore, v: VersionEntry = cur(t)): number {
    return partCount(t, v);
  }
  partId(kind: 'conversation' | 'ticket', t: ThreadCore, p: number): string {
    return partId(kind, t, p);
  }
  /** Index range of the retrievable (500 most recent) parts. */
  retrievableRange(t: ThreadCore): [number, number] {
    return retrievableRange(t);
  }
  renderConversationPart(c: ConversationCore, p: number, plain: boolean): Json {
    return renderConversationPart(this, c, p, plain);
  }
  renderConversation(c: ConversationCore, opts: ConversationRendering = {}): Json {
    return renderConversation(this, c, opts);
  }
  /** The company API 2.15 shows on a conversation (null: none). */
  conversationCompany(c: ConversationCore): CompanyCore | null {
    return conversationCompany(this, c);
  }
  ticketTypeId(i: number): string {
    return ticketTypeId(i);
  }
  ticketStateId(typeIdx: number, cat: TicketStateCategory): string {
    return ticketStateId(typeIdx, cat);
  }
  ticketTypeCategory(i: number): 'Customer' | 'Back-office' | 'Tracker' {
    return ticketTypeCategory(i);
  }
  renderTicketState(typeIdx: number, cat: TicketStateCategory): Json {
    return renderTicketState(typeIdx, cat);
  }
  renderTicketType(i: number): Json {
    return renderTicketType(this, i);
  }
  renderTicketPart(t: TicketCore, p: number): Json {
    return renderTicketPart(this, t, p);
  }
  renderTicket(t: TicketCore, opts: { v?: VersionEntry; withParts?: boolean } = {}): Json {
    return renderTicket(this, t, opts);
  }
  collectionCount(): number {
    return this.size.collections;
  }
  renderCollection(i: number): Json {
    return renderCollection(this, i);
  }
  renderHelpCenter(i: number): Json {
    return renderHelpCenter(this, i);
  }
  renderArticle(i: number): Json {
    return renderArticle(this, i);
  }
  renderSubscriptionType(i: number): Json {
    return renderSubscriptionType(i);
  }
  renderActivityLog(l: ActivityLogCore): Json {
    return renderActivityLog(this, l);
  }
  /** All events of a contact (including those older than 90 days), newest first. */
  contactEvents(c: ContactCore): Json[] {
    return contactEvents(this, c);
  }
  listableEvents(c: ContactCore): Json[] {
    return listableEvents(this, c);
  }

  // ---------------------------------------------------------------- mutations

  mutate(spec: MutationSpec): MutationResult {
    const at = spec.at ?? this.clock.now();
    const visibleAt = this.visibleFrom();
    const r = rngFor(this.seed, 'mutation', this.mutationCounter++);
    const res: MutationResult = { stream: spec.stream, at, visibleAt, updated: [], created: [], deleted: [] };
    const { toUpdate, toDelete } = this.pickMutated(spec, r);
    for (const rec of toUpdate) {
      this.updateRecord(spec.stream, rec, at, visibleAt, r);
      res.updated.push(rec.id);
    }
    for (const rec of toDelete) {
      const c = cur(rec);
      rec.versions.push({ updated_at: c.updated_at, rev: c.rev, deleted: true, visibleAt });
      if (spec.stream === 'contacts') {
        for (const j of (rec as ContactCore).companyIdxs) (this.companies[j] as CompanyCore).userCount--;
      }
      res.deleted.push(rec.id);
    }
    for (let n = 0; n < (spec.create ?? 0); n++) res.created.push(this.createRecord(spec.stream, at, r).id);
    this.generation++;
    this.renderEpoch++;
    this.visibilityTimes.push(visibleAt);
    return res;
  }

  /** The records a mutation updates and deletes: the ids it names, then random alive ones. */
  private pickMutated(spec: MutationSpec, r: Rng): { toUpdate: RecordCore[]; toDelete: RecordCore[] } {
    const list = this.recordsOf(spec.stream);
    const byId = this.mapOf(spec.stream);
    const aliveIdxs = (): number[] => list.filter((x) => !cur(x).deleted).map((x) => x.idx);
    const pickAlive = (n: number, taken: (i: number) => boolean, into: RecordCore[]): void => {
      const alive = aliveIdxs().filter((i) => !taken(i));
      for (const k of r.sample(alive.length, n)) into.push(list[alive[k] as number] as RecordCore);
    };
    const explicit = (spec.ids ?? [])
      .map((id) => byId.get(id))
      .filter((x): x is RecordCore => x !== undefined && !cur(x).deleted);
    const deleteExplicit = spec.delete !== undefined && spec.update === undefined;
    const toUpdate: RecordCore[] = deleteExplicit ? [] : [...explicit];
    const toDelete: RecordCore[] = deleteExplicit ? [...explicit] : [];
    if (spec.update && spec.update > 0) pickAlive(spec.update, (i) => toUpdate.some((x) => x.idx === i), toUpdate);
    if (spec.delete && spec.delete > 0 && !deleteExplicit) {
      const taken = new Set(toUpdate.map((x) => x.idx));
      pickAlive(spec.delete, (i) => taken.has(i), toDelete);
    } else if (deleteExplicit && spec.delete && spec.delete > explicit.length) {
      const taken = new Set(toDelete.map((x) => x.idx));
      pickAlive(spec.delete - explicit.length, (i) => taken.has(i), toDelete);
    }
    return { toUpdate, toDelete };
  }

  /** A new version of the record; a conversation or ticket also gets a new part. */
  private updateRecord(stream: MutableStream, rec: RecordCore, at: number, visibleAt: number, r: Rng): void {
    const rev = cur(rec).rev + 1;
    rec.versions.push({ updated_at: at, rev, deleted: false, visibleAt });
    if (stream !== 'conversations' && stream !== 'tickets') return;
    const t = rec as ThreadCore;
    const p = t.baseParts + t.extraParts.length;
    if (p < 9_999) {
      t.extraParts.push({
        id: partId(stream === 'conversations' ? 'conversation' : 'ticket', t, p),
        created_at: at,
        rev,
        adminIdx: this.admins.length ? r.int(0, this.admins.length - 1) : 0,
      });
    }
  }

  private createRecord(stream: MutableStream, at: number, r: Rng): RecordCore {
    switch (stream) {
      case 'contacts': {
        const c = makeContact(this, this.contacts.length, null, at, 0);
        c.tagIdxs = this.size.tags > 0 ? [r.int(0, this.size.tags - 1)] : [];
        this.contacts.push(c);
        return c;
      }
      case 'companies': {
        const co = makeCompany(this, this.companies.length, null, at);
        this.companies.push(co);
        return co;
      }
      case 'conversations': {
        const c = makeConversation(this, this.conversations.length, null, at, false);
        this.conversations.push(c);
        return c;
      }
      case 'tickets': {
        const t = makeTicket(this, this.tickets.length, null, at, false);
        this.tickets.push(t);
        return t;
      }
    }
  }

  /** Records an edit of a record's core made outside `mutate()` (drops cached renderings). */
  touch(): void {
    this.renderEpoch++;
  }

  recordsOf(stream: MutableStream): RecordCore[] {
    switch (stream) {
      case 'contacts':
        return this.contacts;
      case 'companies':
        return this.companies;
      case 'conversations':
        return this.conversations;
      case 'tickets':
        return this.tickets;
    }
  }

  private mapOf(stream: MutableStream): Map<string, RecordCore> {
    switch (stream) {
      case 'contacts':
        return this.contactById;
      case 'companies':
        return this.companyById;
      case 'conversations':
        return this.conversationById;
      case 'tickets':
        return this.ticketById;
    }
  }

  // ---------------------------------------------------------------- ground truth

  /** Every primary key a full read of the current state should emit, sorted. */
  groundTruth(): GroundTruth {
    const alive = <T extends RecordCore>(xs: T[]): T[] => xs.filter((x) => !cur(x).deleted);
    const gt = this.listTruth();
    for (const t of this.teams)
      for (const a of t.adminIdxs) gt.team_admin.push(`${t.id}|${(this.admins[a] as AdminCore).id}`);
    for (const c of alive(this.contacts)) this.contactTruth(gt, c);
    for (const co of alive(this.companies)) {
      gt.companies.push(co.id);
      for (const t of co.tagIdxs) gt.company_tag.push(`${co.id}|${(this.tags[t] as TagCore).id}`);
      for (const s of co.segmentIdxs) gt.company_segment.push(`${co.id}|${(this.segments[s] as SegmentCore).id}`);
    }
    for (const c of alive(this.conversations)) this.conversationTruth(gt, c);
    for (const t of alive(this.tickets)) this.ticketTruth(gt, t);
    for (const v of Object.values(gt)) if (Array.isArray(v)) (v as string[]).sort();
    gt.truncated.conversations.sort((a, b) => (a.id < b.id ? -1 : 1));
    gt.truncated.tickets.sort((a, b) => (a.id < b.id ? -1 : 1));
    return gt;
  }

  /** The lists' keys; the records' and junctions' keys are left empty for the per-object steps. */
  private listTruth(): GroundTruth {
    const { size } = this;
    const ids = (n: number, id: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => id(i));
    return {
      ...{ contacts: [], companies: [], conversations: [], conversation_parts: [], tickets: [], ticket_parts: [] },
      admins: this.admins.map((a) => a.id),
      teams: this.teams.map((t) => t.id),
      tags: this.tags.map((t) => t.id),
      segments: this.segments.map((s) => s.id),
      data_attributes: this.dataAttributes.filter((d) => !d.archived).map((d) => `${d.model}|${d.name}`),
      ticket_types: ids(size.ticketTypes, ticketTypeId),
      subscription_types: ids(size.subscriptionTypes, (i) => String(100 + i)),
      articles: ids(size.articles, (i) => String(3_000_000 + i)),
      collections: ids(size.collections, (i) => String(16_000 + i)),
      help_centers: ids(size.helpCenters, (i) => String(790 + i)),
      activity_logs: this.activityLogs.map((l) => l.id),
      ...{ events: [], notes: [], team_admin: [], contact_tag: [], contact_company: [], company_tag: [] },
      ...{ company_segment: [], conversation_tag: [], conversation_contact: [], ticket_contact: [] },
      email_address_header: [],
      truncated: { conversations: [], tickets: [] },
    };
  }

  private contactTruth(gt: GroundTruth, c: ContactCore): void {
    gt.contacts.push(c.id);
    for (const t of c.tagIdxs) gt.contact_tag.push(`${c.id}|${(this.tags[t] as TagCore).id}`);
    for (const j of c.companyIdxs) gt.contact_company.push(`${c.id}|${(this.companies[j] as CompanyCore).id}`);
    gt.notes.push(...noteIds(c));
    for (const e of listableEvents(this, c)) gt.events.push(e['id'] as string);
  }

  private conversationTruth(gt: GroundTruth, c: ConversationCore): void {
    gt.conversations.push(c.id);
    for (const t of c.tagIdxs) gt.conversation_tag.push(`${c.id}|${(this.tags[t] as TagCore).id}`);
    for (const i of c.contactIdxs) gt.conversation_contact.push(`${c.id}|${(this.contacts[i] as ContactCore).id}`);
    const [lo, hi] = retrievableRange(c);
    for (let p = lo; p < hi; p++) {
      const part = renderConversationPart(this, c, p, false);
      gt.conversation_parts.push(part['id'] as string);
      const meta = part['email_message_metadata'] as Json | null;
      const headers = (meta?.['email_address_headers'] ?? []) as Json[];
      headers.forEach((_, i) => gt.email_address_header.push(`${c.id}|${part['id'] as string}|${i}`));
    }
    if (hi > PART_CAP) gt.truncated.conversations.push(truncInfo(c.id, hi));
  }

  private ticketTruth(gt: GroundTruth, t: TicketCore): void {
    gt.tickets.push(t.id);
    for (const i of t.contactIdxs) gt.ticket_contact.push(`${t.id}|${(this.contacts[i] as ContactCore).id}`);
    const [lo, hi] = retrievableRange(t);
    for (let p = lo; p < hi; p++)
      gt.ticket_parts.push(p >= t.baseParts ? (t.extraParts[p - t.baseParts] as ExtraPart).id : partId('ticket', t, p));
    if (hi > PART_CAP) gt.truncated.tickets.push(truncInfo(t.id, hi));
  }
}
