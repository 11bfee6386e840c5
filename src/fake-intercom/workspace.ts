/**
 * Seeded, deterministic in-memory Intercom workspace.
 *
 * Records are stored as compact "cores" (ids, timestamps, relations, version history); the full
 * JSON objects of the OpenAPI description are rendered on demand. Conversation and ticket parts
 * are generated from a per-record seed and never stored (only parts added by mutations are).
 * Same seed + same sizes + same `now` => identical workspace.
 */
import { Clock, DAY } from './clock.js';
import { Rng, hash32, hex8, rngFor } from './rng.js';
import type {
  GroundTruth,
  MutableStream,
  MutationResult,
  MutationSpec,
  TruncatedInfo,
  WorkspaceSize,
} from './types.js';

/** A JSON object as sent on the wire. */
export type Json = { [k: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | Json;

export const PART_CAP = 500;
export const EVENTS_WINDOW_DAYS = 90;
/** Contacts embed at most this many tags/companies/notes. */
export const EMBED_CAP = 10;
/** Fields only Intercom's examples show are null on records updated longer ago than this, set after. */
export const EXAMPLE_FIELDS_SINCE = 180 * DAY;

export const DEFAULT_SIZE: WorkspaceSize = {
  contacts: 200,
  companies: 40,
  conversations: 150,
  tickets: 40,
  admins: 8,
  teams: 3,
  tags: 25,
  segments: 6,
  articles: 30,
  collections: 6,
  helpCenters: 2,
  subscriptionTypes: 3,
  ticketTypes: 3,
  activityLogs: 300,
  eventsPerContact: 3,
  notesPerContact: 1,
  partsPerConversation: 10,
  partsPerTicket: 4,
  largeConversations: 2,
  largeTickets: 1,
};

/** One version of a record, as seen by search. */
export interface VersionEntry {
  updated_at: number;
  rev: number;
  deleted: boolean;
  /** Virtual time from which search sees this version (-Infinity for generated data). */
  visibleAt: number;
}

export interface RecordCore {
  idx: number;
  id: string;
  created_at: number;
  /** Version history; the last entry is the current state. */
  versions: VersionEntry[];
  /** Stable hash of the id, used for the shuffled search order. */
  idHash: number;
}

export interface ContactCore extends RecordCore {
  role: 'user' | 'lead';
  email: string;
  external_id: string | null;
  name: string | null;
  first: string;
  last: string;
  tagIdxs: number[];
  companyIdxs: number[];
  noteCount: number;
  eventCount: number;
  ownerAdmin: number | null;
}

export interface CompanyCore extends RecordCore {
  company_id: string;
  name: string;
  tagIdxs: number[];
  segmentIdxs: number[];
  userCount: number;
}

export interface ExtraPart {
  id: string;
  created_at: number;
  rev: number;
  adminIdx: number;
}

export interface ThreadCore extends RecordCore {
  /** Parts generated from the seed. */
  baseParts: number;
  /** created_at of the last generated part (= updated_at before any mutation). */
  baseEnd: number;
  extraParts: ExtraPart[];
  contactIdxs: number[];
  tagIdxs: number[];
  adminAssignee: number | null;
  teamAssignee: number | null;
}

export interface ConversationCore extends ThreadCore {
  state: 'open' | 'closed' | 'snoozed';
  sourceType: 'conversation' | 'email' | 'phone_call';
  read: boolean;
  priority: boolean;
}

export interface TicketCore extends ThreadCore {
  ticketTypeIdx: number;
  stateCategory: TicketStateCategory;
}

export type TicketStateCategory = 'submitted' | 'in_progress' | 'waiting_on_customer' | 'resolved';
const TICKET_STATE_CATEGORIES: TicketStateCategory[] = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'];

export interface AdminCore {
  idx: number;
  id: string;
  name: string;
  email: string;
  teamIdxs: number[];
}

export interface TeamCore {
  idx: number;
  id: string;
  name: string;
  adminIdxs: number[];
}

export interface TagCore {
  idx: number;
  id: string;
  name: string;
}

export interface SegmentCore {
  idx: number;
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  person_type: 'contact' | 'user';
}

export interface DataAttributeDef {
  model: 'contact' | 'company' | 'conversation';
  name: string;
  full_name: string;
  label: string;
  description: string;
  data_type: 'string' | 'integer' | 'float' | 'boolean' | 'date';
  custom: boolean;
  archived: boolean;
  id?: number;
  options?: string[];
  created_at?: number;
  updated_at?: number;
  admin_idx?: number;
}

export interface ActivityLogCore {
  id: string;
  created_at: number;
  adminIdx: number;
  activity_type: string;
  kind: number;
}

const FIRST = [
  'Ada',
  'Brian',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kira',
  'Luca',
  'Maya',
  'Nils',
  'Olga',
  'Pablo',
  'Qi',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Xavier',
  'Yara',
  'Zoe',
];
const LAST = [
  'Ahmed',
  'Berg',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Murphy',
  'Nowak',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ueda',
  'Varga',
  'Wright',
  'Xu',
  'Young',
  'Zimmer',
];
const WORDS = [
  'acme',
  'blue',
  'cedar',
  'delta',
  'ember',
  'fjord',
  'granite',
  'harbor',
  'iris',
  'juniper',
  'kelp',
  'lumen',
  'maple',
  'nova',
  'orbit',
  'pine',
  'quartz',
  'river',
  'summit',
  'tundra',
];
const INDUSTRIES = ['Software', 'Retail', 'Finance', 'Healthcare', 'Education', 'Logistics', 'Media'];
const PLANS = ['free', 'pro', 'enterprise'];
const CITIES: Array<[string, string, string]> = [
  ['Ireland', 'Dublin', 'Dublin'],
  ['United States', 'California', 'San Francisco'],
  ['Germany', 'Berlin', 'Berlin'],
  ['Japan', 'Tokyo', 'Tokyo'],
  ['Brazil', 'Sao Paulo', 'Sao Paulo'],
  ['Australia', 'New South Wales', 'Sydney'],
];
const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'];
const OSES = ['OS X 14.1', 'Windows 11', 'Linux', 'iOS 17.2', 'Android 14'];
const EVENT_NAMES = [
  'invited-friend',
  'placed-order',
  'viewed-pricing',
  'exported-report',
  'upgraded-plan',
  'logged-in',
];
const TAG_NAMES = [
  'vip',
  'churn-risk',
  'beta',
  'newsletter',
  'partner',
  'trial',
  'billing',
  'bug',
  'feature-request',
  'priority',
];
const ACTIVITY_TYPES = [
  'admin_login_success',
  'admin_logout',
  'admin_away_mode_change',
  'app_name_change',
  'admin_permission_change',
  'message_state_change',
  'conversation_topic_change',
  'admin_assignment_limit_change',
];
const COMMENT_BODIES = [
  '<p>Hi, I cannot <b>log in</b> since this morning.</p>',
  '<p>Thanks &amp; have a nice day!</p>',
  '<p>Could you check invoice <a href="https://example.com/inv/42">#42</a>?</p>',
  '<p>We&#39;ve shipped a fix, please retry.</p>',
  '<p>Line one<br>line two &lt;escaped&gt;</p>',
  '<p>Is there an export API?</p>',
];

/** Removes HTML tags and decodes the common entities (display_as=plaintext). */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .trim();
}

/** Spreads timestamps over the last `spanDays` days: several records per day, some just before UTC midnight, some ties. */
class TimeSpreader {
  private readonly days: number[];
  constructor(
    private readonly now: number,
    count: number,
    rng: Rng,
    spanDays = 400,
  ) {
    const today = Math.floor(now / DAY);
    const n = Math.max(1, Math.min(spanDays, Math.ceil(count / 4)));
    const offsets = rng.sample(spanDays, n);
    if (!offsets.includes(0) && n > 3) offsets[0] = 0; // always some records today
    this.days = offsets.map((o) => (today - o) * DAY);
  }
  ts(rng: Rng): number {
    const day = rng.pick(this.days);
    const r = rng.next();
    let sec: number;
    if (r < 0.1)
      sec = DAY - 1 - rng.int(0, 3); // last seconds before UTC midnight
    else if (r < 0.14)
      sec = rng.int(0, 2); // first seconds of the day
    else if (r < 0.2)
      sec = 43_200; // shared timestamp: ties
    else sec = rng.int(0, DAY - 1);
    let t = day + sec;
    if (t > this.now) t = this.now - rng.int(0, Math.max(0, Math.min(3600, this.now - day)));
    return t;
  }
}

export interface WorkspaceOptions {
  seed: number;
  now: number;
  size: WorkspaceSize;
  clock: Clock;
  indexLagSeconds: number;
}

export class Workspace {
  readonly seed: number;
  /** Generation time ("now" option). */
  readonly genNow: number;
  readonly size: WorkspaceSize;
  readonly clock: Clock;
  indexLagSeconds: number;
  readonly appId: string;
  readonly appName: string;

  readonly contacts: ContactCore[] = [];
  readonly companies: CompanyCore[] = [];
  readonly conversations: ConversationCore[] = [];
  readonly tickets: TicketCore[] = [];
  readonly admins: AdminCore[] = [];
  readonly teams: TeamCore[] = [];
  readonly tags: TagCore[] = [];
  readonly segments: SegmentCore[] = [];
  readonly dataAttributes: DataAttributeDef[] = [];
  readonly activityLogs: ActivityLogCore[] = [];
  readonly contactById = new Map<string, ContactCore>();
  readonly companyById = new Map<string, CompanyCore>();
  readonly conversationById = new Map<string, ConversationCore>();
  readonly ticketById = new Map<string, TicketCore>();
  readonly contactByExternalId = new Map<string, ContactCore>();
  readonly contactByEmail = new Map<string, ContactCore>();

  /** Incremented by each mutation (search caches key on it). */
  generation = 0;
  /**
   * Incremented whenever the rendering of any record may change: every mutation, and edits of a
   * record's core that are not mutations (tag attach/detach). Caches of rendered JSON text key on it.
   */
  renderEpoch = 0;
  /** visibleAt of every mutation so far (search caches expire when one passes). */
  readonly visibilityTimes: number[] = [];
  private mutationCounter = 0;
  private segmentCountCache: { gen: number; counts: number[] } | null = null;

  constructor(opts: WorkspaceOptions) {
    this.seed = opts.seed;
    this.genNow = opts.now;
    this.size = opts.size;
    this.clock = opts.clock;
    this.indexLagSeconds = opts.indexLagSeconds;
    this.appId = 'fk' + hex8(hash32(this.seed, 'app')).slice(0, 6);
    this.appName = `Fake Workspace ${this.seed}`;
    this.generate();
  }

  // ---------------------------------------------------------------- generation

  private generate(): void {
    const { seed, size } = this;
    const now = this.genNow;
    for (let i = 0; i < size.admins; i++) {
      const first = FIRST[i % FIRST.length] as string;
      const last = LAST[(i * 7 + 3) % LAST.length] as string;
      this.admins.push({
        idx: i,
        id: String(991_267_000 + i),
        name: `${first} ${last}`,
        email: `${first}.${last}${i}@${this.appId}.example.com`.toLowerCase(),
        teamIdxs: [],
      });
    }
    for (let t = 0; t < size.teams; t++) {
      const r = rngFor(seed, 'team', t);
      const adminIdxs = r.sample(size.admins, Math.min(size.admins, r.int(1, 4))).sort((a, b) => a - b);
      this.teams.push({
        idx: t,
        id: String(5_017_000 + t),
        name: `Team ${WORDS[t % WORDS.length]} ${t + 1}`,
        adminIdxs,
      });
      for (const a of adminIdxs) this.admins[a]?.teamIdxs.push(t);
    }
    for (let t = 0; t < size.tags; t++) {
      const base = TAG_NAMES[t % TAG_NAMES.length] as string;
      this.tags.push({ idx: t, id: String(7_000_000 + t), name: t < TAG_NAMES.length ? base : `${base}-${t}` });
    }
    for (let s = 0; s < size.segments; s++) {
      const r = rngFor(seed, 'segment', s);
      const created = now - r.int(30, 600) * DAY + r.int(0, DAY - 1);
      this.segments.push({
        idx: s,
        id: hex8(created) + hex8(hash32(seed, 'seg', s)) + hex8(s),
        name: `Segment ${s + 1}: ${WORDS[(s * 3) % WORDS.length]}`,
        created_at: created,
        updated_at: Math.min(now, created + r.int(0, 20) * DAY),
        person_type: s % 3 === 2 ? 'contact' : 'user',
      });
    }
    this.generateDataAttributes();

    const assignableCompanies = size.companies >= 2 ? Math.max(1, Math.floor(size.companies * 0.85)) : size.companies;
    // companies first (contacts reference them)
    const compSpread = new TimeSpreader(now, size.companies, rngFor(seed, 'spread', 'companies'));
    for (let j = 0; j < size.companies; j++) this.companies.push(this.makeCompany(j, compSpread, null));

    const contactSpread = new TimeSpreader(now, size.contacts, rngFor(seed, 'spread', 'contacts'));
    for (let i = 0; i < size.contacts; i++) {
      const c = this.makeContact(i, contactSpread, null, assignableCompanies);
      this.contacts.push(c);
    }
    for (const c of this.contacts) for (const j of c.companyIdxs) (this.companies[j] as CompanyCore).userCount++;

    const convSpread = new TimeSpreader(now, size.conversations, rngFor(seed, 'spread', 'conversations'));
    const largeConv = new Set(rngFor(seed, 'large-conv').sample(size.conversations, size.largeConversations));
    for (let k = 0; k < size.conversations; k++)
      this.conversations.push(this.makeConversation(k, convSpread, null, largeConv.has(k)));

    const ticketSpread = new TimeSpreader(now, size.tickets, rngFor(seed, 'spread', 'tickets'));
    const largeTicket = new Set(rngFor(seed, 'large-ticket').sample(size.tickets, size.largeTickets));
    for (let k = 0; k < size.tickets; k++)
      this.tickets.push(this.makeTicket(k, ticketSpread, null, largeTicket.has(k)));

    const lr = rngFor(seed, 'activity');
    for (let a = 0; a < size.activityLogs; a++) {
      const kind = lr.int(0, ACTIVITY_TYPES.length - 1);
      this.activityLogs.push({
        id: lr.uuid(),
        created_at: now - lr.int(0, 400 * DAY),
        adminIdx: size.admins > 0 ? lr.int(0, size.admins - 1) : 0,
        activity_type: ACTIVITY_TYPES[kind] as string,
        kind,
      });
    }
    this.activityLogs.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1));
  }

  private generateDataAttributes(): void {
    const r = rngFor(this.seed, 'data-attributes');
    const builtIn = (
      model: DataAttributeDef['model'],
      name: string,
      full_name: string,
      label: string,
      data_type: DataAttributeDef['data_type'],
    ): void => {
      this.dataAttributes.push({
        model,
        name,
        full_name,
        label,
        description: `${label} (standard attribute)`,
        data_type,
        custom: false,
        archived: false,
      });
    };
    let nextId = 12_000;
    const custom = (
      model: DataAttributeDef['model'],
      name: string,
      data_type: DataAttributeDef['data_type'],
      archived = false,
      options?: string[],
    ): void => {
      const created = this.genNow - r.int(100, 700) * DAY;
      const def: DataAttributeDef = {
        model,
        name,
        full_name: `custom_attributes.${name}`,
        label: name.replace(/_/g, ' '),
        description: `Custom ${model} attribute ${name}`,
        data_type,
        custom: true,
        archived,
        id: nextId++,
        created_at: created,
        updated_at: created + r.int(0, 50) * DAY,
        admin_idx: this.size.admins > 0 ? r.int(0, this.size.admins - 1) : 0,
      };
      if (options) def.options = options;
      this.dataAttributes.push(def);
    };
    builtIn('contact', 'name', 'name', 'Name', 'string');
    builtIn('contact', 'email', 'email', 'Email', 'string');
    builtIn('contact', 'phone', 'phone', 'Phone', 'string');
    builtIn('contact', 'external_id', 'external_id', 'User ID', 'string');
    builtIn('contact', 'last_seen_at', 'last_seen_at', 'Last seen', 'date');
    builtIn('contact', 'city_name', 'location_data.city_name', 'City', 'string');
    custom('contact', 'plan', 'string', false, PLANS);
    custom('contact', 'seats', 'integer');
    custom('contact', 'vip', 'boolean');
    custom('contact', 'last_order_at', 'date');
    custom('contact', 'legacy_score', 'float', true);
    builtIn('company', 'name', 'name', 'Company name', 'string');
    builtIn('company', 'company_id', 'company_id', 'Company ID', 'string');
    builtIn('company', 'monthly_spend', 'monthly_spend', 'Monthly spend', 'float');
    builtIn('company', 'size', 'size', 'Company size', 'integer');
    custom('company', 'tier', 'string', false, ['bronze', 'silver', 'gold']);
    custom('company', 'region', 'string');
    custom('conversation', 'issue_type', 'string', false, ['billing', 'bug', 'question']);
    custom('conversation', 'csat_score', 'integer');
  }

  private contactId(idx: number, created: number): string {
    return hex8(created) + hex8(hash32(this.seed, 'contact-id', idx)) + hex8(idx);
  }

  private makeContact(
    i: number,
    spread: TimeSpreader | null,
    at: number | null,
    assignableCompanies: number,
  ): ContactCore {
    const { seed, size } = this;
    const r = rngFor(seed, 'contact', i);
    let updated: number;
    let created: number;
    if (spread) {
      updated = spread.ts(r);
      created = r.chance(0.3) ? updated : Math.max(this.genNow - 450 * DAY, updated - r.int(0, 200 * DAY));
    } else {
      updated = created = at as number;
    }
    const role: 'user' | 'lead' = r.chance(0.7) ? 'user' : 'lead';
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const hasName = r.chance(0.9);
    const domain = `${r.pick(WORDS)}${r.int(1, 40)}.example.com`;
    const email = `${first}.${last}.${i}@${domain}`.toLowerCase();
    const external_id = role === 'user' ? `u-${hex8(hash32(seed, 'ext', i))}-${i}` : null;
    const h = hash32(seed, 'many', i);
    const spreadOnly = spread !== null;
    const manyTags = spreadOnly && (i === 0 || h % 40 === 0) && size.tags >= 11;
    const manyCompanies = spreadOnly && (i === 1 || h % 40 === 1) && assignableCompanies >= 11;
    const manyNotes = spreadOnly && (i === 2 || h % 60 === 2);
    const tagCount = manyTags ? r.int(11, Math.min(size.tags, 14)) : r.int(0, Math.min(3, size.tags));
    const tagIdxs = r.sample(size.tags, tagCount);
    let companyIdxs: number[] = [];
    if (spreadOnly && assignableCompanies > 0) {
      const n = manyCompanies
        ? r.int(11, Math.min(assignableCompanies, 13))
        : r.chance(0.6)
          ? r.int(1, Math.min(2, assignableCompanies))
          : 0;
      companyIdxs = r.sample(assignableCompanies, n);
    }
    const noteCount = !spreadOnly ? 0 : manyNotes ? r.int(11, 14) : r.int(0, Math.round(2 * size.notesPerContact));
    const eventCount = !spreadOnly ? 0 : r.int(0, Math.round(2 * size.eventsPerContact));
    const ownerAdmin = size.admins > 0 && r.chance(0.5) ? r.int(0, size.admins - 1) : null;
    const id = this.contactId(i, created);
    const c: ContactCore = {
      idx: i,
      id,
      created_at: created,
      versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : this.visibleFrom() }],
      idHash: hash32(id),
      role,
      email,
      external_id,
      name: hasName ? `${first} ${last}` : null,
      first,
      last,
      tagIdxs,
      companyIdxs,
      noteCount,
      eventCount,
      ownerAdmin,
    };
    this.contactById.set(id, c);
    if (external_id) this.contactByExternalId.set(external_id, c);
    this.contactByEmail.set(email, c);
    return c;
  }

  private makeCompany(j: number, spread: TimeSpreader | null, at: number | null): CompanyCore {
    const { seed, size } = this;
    const r = rngFor(seed, 'company', j);
    let updated: number;
    let created: number;
    if (spread) {
      updated = spread.ts(r);
      created = r.chance(0.3) ? updated : Math.max(this.genNow - 450 * DAY, updated - r.int(0, 300 * DAY));
    } else {
      updated = created = at as number;
    }
    const id = hex8(created) + hex8(hash32(seed, 'company-id', j)) + hex8(j);
    const name = `${r.pick(WORDS)} ${r.pick(WORDS)} ${r.pick(['Ltd', 'Inc', 'GmbH', 'SA'])} ${j + 1}`.replace(
      /^./,
      (m) => m.toUpperCase(),
    );
    const c: CompanyCore = {
      idx: j,
      id,
      created_at: created,
      versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : this.visibleFrom() }],
      idHash: hash32(id),
      company_id: `comp-${hex8(hash32(seed, 'cid', j)).slice(0, 4)}-${j + 1}`,
      name,
      tagIdxs: r.sample(size.tags, r.int(0, Math.min(3, size.tags))),
      segmentIdxs: r.sample(size.segments, r.int(0, Math.min(2, size.segments))),
      userCount: 0,
    };
    this.companyById.set(id, c);
    return c;
  }

  private threadTimes(
    r: Rng,
    spread: TimeSpreader | null,
    at: number | null,
    maxSpanDays: number,
  ): { created: number; updated: number } {
    if (!spread) return { created: at as number, updated: at as number };
    const updated = spread.ts(r);
    const created = r.chance(0.15)
      ? updated
      : Math.max(this.genNow - 450 * DAY, updated - r.int(60, maxSpanDays * DAY));
    return { created, updated };
  }

  private pickContacts(r: Rng, n: number): number[] {
    const alive = this.contacts.length;
    if (alive === 0) return [];
    const out: number[] = [];
    for (let tries = 0; out.length < n && tries < n * 10; tries++) {
      const i = r.int(0, alive - 1);
      const c = this.contacts[i] as ContactCore;
      if (!cur(c).deleted && !out.includes(i)) out.push(i);
    }
    return out;
  }

  private makeConversation(
    k: number,
    spread: TimeSpreader | null,
    at: number | null,
    large: boolean,
  ): ConversationCore {
    const { seed, size } = this;
    const r = rngFor(seed, 'conversation', k);
    const { created, updated } = this.threadTimes(r, spread, at, 30);
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
      versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : this.visibleFrom() }],
      idHash: hash32(id),
      baseParts,
      baseEnd: updated,
      extraParts: [],
      contactIdxs: this.pickContacts(r, r.chance(0.1) ? 2 : 1),
      tagIdxs: r.sample(size.tags, Math.min(size.tags, tagN)),
      adminAssignee: size.admins > 0 && r.chance(0.8) ? r.int(0, size.admins - 1) : null,
      teamAssignee: size.teams > 0 && r.chance(0.6) ? r.int(0, size.teams - 1) : null,
      state: r.pick(['open', 'closed', 'closed', 'snoozed'] as const),
      sourceType: r.chance(0.3) ? 'email' : r.chance(0.1) ? 'phone_call' : 'conversation',
      read: r.chance(0.7),
      priority: r.chance(0.1),
    };
    this.conversationById.set(id, c);
    return c;
  }

  private makeTicket(k: number, spread: TimeSpreader | null, at: number | null, large: boolean): TicketCore {
    const { seed, size } = this;
    const r = rngFor(seed, 'ticket', k);
    const { created, updated } = this.threadTimes(r, spread, at, 60);
    const avg = Math.max(1, size.partsPerTicket);
    const baseParts = large ? r.int(PART_CAP + 10, PART_CAP + 300) : spread ? r.int(1, Math.max(1, 2 * avg - 1)) : 1;
    const id = String(5_000_000 + k);
    const t: TicketCore = {
      idx: k,
      id,
      created_at: created,
      versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : this.visibleFrom() }],
      idHash: hash32(id),
      baseParts,
      baseEnd: updated,
      extraParts: [],
      contactIdxs: this.pickContacts(r, 1),
      tagIdxs: r.sample(size.tags, r.int(0, Math.min(2, size.tags))),
      adminAssignee: size.admins > 0 && r.chance(0.8) ? r.int(0, size.admins - 1) : null,
      teamAssignee: size.teams > 0 && r.chance(0.5) ? r.int(0, size.teams - 1) : null,
      ticketTypeIdx: size.ticketTypes > 0 ? r.int(0, size.ticketTypes - 1) : 0,
      stateCategory: r.pick(TICKET_STATE_CATEGORIES),
    };
    this.ticketById.set(id, t);
    return t;
  }

  // ---------------------------------------------------------------- versions / visibility

  private visibleFrom(): number {
    return this.clock.now() + this.indexLagSeconds;
  }

  /** The version search sees at virtual time `t` (undefined: not visible or deleted). */
  visibleVersion(rec: RecordCore, t: number): VersionEntry | undefined {
    const v = rec.versions;
    for (let i = v.length - 1; i >= 0; i--) {
      const e = v[i] as VersionEntry;
      if (e.visibleAt <= t) return e.deleted ? undefined : e;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- rendering helpers

  adminRef(idx: number): Json {
    const a = this.admins[idx] as AdminCore;
    return { type: 'admin', id: a.id };
  }

  renderAdmin(a: AdminCore): Json {
    const r = rngFor(this.seed, 'admin', a.idx);
    return {
      type: 'admin',
      id: a.id,
      name: a.name,
      email: a.email,
      job_title: r.pick(['Support Engineer', 'Success Manager', 'Founder', 'Support Lead']),
      away_mode_enabled: a.idx % 5 === 4,
      away_mode_reassign: false,
      away_status_reason_id: null,
      has_inbox_seat: a.idx % 6 !== 5,
      team_ids: a.teamIdxs.map((t) => Number((this.teams[t] as TeamCore).id)),
      avatar: a.idx % 2 === 0 ? `https://static.intercomassets.test/avatars/${a.id}/square_128/avatar.png` : null,
      team_priority_level: {
        primary_team_ids: a.teamIdxs.slice(0, 1).map((t) => Number((this.teams[t] as TeamCore).id)),
        secondary_team_ids: a.teamIdxs.slice(1).map((t) => Number((this.teams[t] as TeamCore).id)),
      },
    };
  }

  renderMe(): Json {
    const a = this.admins[0];
    const app: Json = {
      type: 'app',
      id_code: this.appId,
      name: this.appName,
      region: 'US',
      timezone: 'UTC',
      created_at: this.genNow - 900 * DAY,
      identity_verification: false,
    };
    if (!a) return { type: 'admin', id: '0', name: 'Nobody', email: 'nobody@example.com', app };
    const full = this.renderAdmin(a);
    return {
      type: 'admin',
      id: a.id,
      email: a.email,
      name: a.name,
      job_title: full['job_title'] as string,
      away_mode_enabled: false,
      away_mode_reassign: false,
      has_inbox_seat: true,
      team_ids: full['team_ids'] as number[],
      avatar: { type: 'avatar', image_url: null },
      email_verified: true,
      app,
    };
  }

  renderTeam(t: TeamCore): Json {
    const ids = t.adminIdxs.map((a) => Number((this.admins[a] as AdminCore).id));
    return {
      type: 'team',
      id: t.id,
      name: t.name,
      admin_ids: ids,
      admin_priority_level: { primary_admin_ids: ids.slice(0, 1), secondary_admin_ids: ids.slice(1) },
      assignment_limit: t.idx % 2 === 0 ? null : 20,
      distribution_method: t.idx % 2 === 0 ? 'round_robin' : 'balanced',
    };
  }

  renderTag(t: TagCore): Json {
    return { type: 'tag', id: t.id, name: t.name };
  }

  segmentMembers(s: number, c: ContactCore): boolean {
    return hash32(this.seed, 'cseg', s, c.idx) % (s + 2) === 0;
  }

  segmentCounts(): number[] {
    if (this.segmentCountCache && this.segmentCountCache.gen === this.generation) return this.segmentCountCache.counts;
    const counts = this.segments.map(() => 0);
    for (const c of this.contacts) {
      if (cur(c).deleted) continue;
      for (let s = 0; s < this.segments.length; s++)
        if (this.segmentMembers(s, c)) counts[s] = (counts[s] as number) + 1;
    }
    this.segmentCountCache = { gen: this.generation, counts };
    return counts;
  }

  renderSegment(s: SegmentCore, withCount: boolean): Json {
    const out: Json = {
      type: 'segment',
      id: s.id,
      name: s.name,
      created_at: s.created_at,
      updated_at: s.updated_at,
      person_type: s.person_type,
    };
    if (withCount) out['count'] = this.segmentCounts()[s.idx] as number;
    return out;
  }

  renderDataAttribute(d: DataAttributeDef): Json {
    const out: Json = { type: 'data_attribute' };
    if (d.id !== undefined) out['id'] = d.id;
    out['model'] = d.model;
    out['name'] = d.name;
    out['full_name'] = d.full_name;
    out['label'] = d.label;
    out['description'] = d.description;
    out['data_type'] = d.data_type;
    if (d.options) out['options'] = d.options;
    out['api_writable'] = d.custom;
    out['messenger_writable'] = d.custom && d.data_type === 'string';
    out['ui_writable'] = true;
    out['custom'] = d.custom;
    out['archived'] = d.archived;
    if (d.created_at !== undefined) out['created_at'] = d.created_at;
    if (d.updated_at !== undefined) out['updated_at'] = d.updated_at;
    if (d.admin_idx !== undefined && this.admins[d.admin_idx])
      out['admin_id'] = (this.admins[d.admin_idx] as AdminCore).id;
    return out;
  }

  // -- contacts

  contactRef(idx: number): Json {
    const c = this.contacts[idx] as ContactCore;
    return { type: 'contact', id: c.id, external_id: c.external_id };
  }

  noteIds(c: ContactCore): string[] {
    // newest first
    const ids: string[] = [];
    for (let k = c.noteCount - 1; k >= 0; k--) ids.push(String(100_000 + c.idx * 64 + k));
    return ids;
  }

  noteCreatedAt(c: ContactCore, k: number): number {
    const span = Math.max(1, this.genNow - c.created_at);
    return c.created_at + Math.floor((span * (k + 1)) / (c.noteCount + 1));
  }

  renderNote(c: ContactCore, k: number): Json {
    const r = rngFor(this.seed, 'note', c.idx, k);
    const admin = this.admins.length
      ? this.renderAdmin(this.admins[r.int(0, this.admins.length - 1)] as AdminCore)
      : null;
    return {
      type: 'note',
      id: String(100_000 + c.idx * 64 + k),
      created_at: this.noteCreatedAt(c, k),
      contact: { type: 'contact', id: c.id },
      author: admin,
      body: `<p>Note ${k + 1} about ${c.name ?? c.email}: ${r.pick(['called', 'emailed', 'renewal due', 'wants a demo'])}.</p>`,
    };
  }

  /** Renders a contact as of version `v` (default: current). */
  renderContact(c: ContactCore, v: VersionEntry = cur(c)): Json {
    const r = rngFor(this.seed, 'contact-extra', c.idx);
    const [country, region, city] = r.pick(CITIES);
    const seen =
      v.rev > 0 ? v.updated_at : r.chance(0.8) ? Math.max(c.created_at, v.updated_at - r.int(0, 5 * DAY)) : null;
    const mobile = r.chance(0.15);
    const tags = c.tagIdxs.map((t) => this.tags[t] as TagCore);
    const notes = this.noteIds(c);
    const comps = c.companyIdxs.map((j) => this.companies[j] as CompanyCore);
    return {
      type: 'contact',
      id: c.id,
      workspace_id: this.appId,
      external_id: c.external_id,
      role: c.role,
      email: c.email,
      email_domain: c.email.split('@')[1] as string,
      phone: r.chance(0.4) ? `+1555${String(1_000_000 + c.idx).slice(-7)}` : null,
      name: c.name,
      avatar: {
        type: 'avatar',
        image_url: r.chance(0.3) ? `https://static.intercomassets.test/avatars/${c.id}.png` : null,
      },
      owner_id: c.ownerAdmin === null ? null : Number((this.admins[c.ownerAdmin] as AdminCore).id),
      social_profiles: { type: 'list', data: [] },
      has_hard_bounced: r.chance(0.02),
      marked_email_as_spam: r.chance(0.01),
      unsubscribed_from_emails: r.chance(0.1),
      created_at: c.created_at,
      updated_at: v.updated_at,
      signed_up_at: c.role === 'user' ? c.created_at : null,
      last_seen_at: seen,
      last_replied_at: r.chance(0.5) ? Math.max(c.created_at, v.updated_at - r.int(0, 30 * DAY)) : null,
      last_contacted_at: r.chance(0.5) ? Math.max(c.created_at, v.updated_at - r.int(0, 30 * DAY)) : null,
      last_email_opened_at: r.chance(0.3) ? Math.max(c.created_at, v.updated_at - r.int(0, 60 * DAY)) : null,
      last_email_clicked_at: null,
      language_override: r.chance(0.1) ? 'fr' : null,
      browser: mobile ? null : r.pick(BROWSERS),
      browser_version: mobile ? null : `${r.int(90, 125)}.0.${r.int(0, 9999)}`,
      browser_language: mobile ? null : 'en',
      os: r.pick(OSES),
      location: { type: 'location', country, region, city },
      android_app_name: null,
      android_app_version: null,
      android_device: null,
      android_os_version: null,
      android_sdk_version: null,
      android_last_seen_at: null,
      ios_app_name: mobile ? 'Fake iOS App' : null,
      ios_app_version: mobile ? `3.${r.int(0, 20)}.0` : null,
      ios_device: mobile ? 'iPhone15,2' : null,
      ios_os_version: mobile ? '17.2' : null,
      ios_sdk_version: mobile ? '16.5.0' : null,
      ios_last_seen_at: mobile ? seen : null,
      custom_attributes: this.contactCustomAttributes(c, v),
      tags: {
        type: 'list',
        data: tags.slice(0, EMBED_CAP).map((t) => ({ type: 'tag', id: t.id, url: `/tags/${t.id}` })),
        url: `/contacts/${c.id}/tags`,
        total_count: tags.length,
        has_more: tags.length > EMBED_CAP,
      },
      notes: {
        type: 'list',
        data: notes.slice(0, EMBED_CAP).map((n) => ({ type: 'note', id: n, url: `/notes/${n}` })),
        url: `/contacts/${c.id}/notes`,
        total_count: notes.length,
        has_more: notes.length > EMBED_CAP,
      },
      companies: {
        type: 'list',
        data: comps.slice(0, EMBED_CAP).map((co) => ({ type: 'company', id: co.id, url: `/companies/${co.id}` })),
        url: `/contacts/${c.id}/companies`,
        total_count: comps.length,
        has_more: comps.length > EMBED_CAP,
      },
      ...this.contactExampleOnlyFields(c, v, mobile),
    };
  }

  /**
   * Fields Intercom's contact examples show but its `contact` component lacks (ALLOW_EXTRA). Null
   * on contacts updated before EXAMPLE_FIELDS_SINCE (an incremental read meets those first), set
   * after it, the way a connector sees a workspace that starts sending a field.
   */
  contactExampleOnlyFields(c: ContactCore, v: VersionEntry, mobile: boolean): Json {
    const recent = v.updated_at >= this.genNow - EXAMPLE_FIELDS_SINCE;
    const r = rngFor(this.seed, 'contact-utm', c.idx);
    const subscriptions = (): Json => ({
      type: 'list',
      data: [],
      url: `/contacts/${c.id}/subscriptions`,
      total_count: 0,
      has_more: false,
    });
    const campaign = recent && r.chance(0.7);
    return {
      opted_out_subscription_types: recent ? subscriptions() : null,
      opted_in_subscription_types: recent ? subscriptions() : null,
      utm_campaign: campaign ? r.pick(['spring_launch', 'newsletter_2025', 'webinar']) : null,
      utm_content: campaign ? r.pick(['banner', 'footer_link']) : null,
      utm_medium: campaign ? r.pick(['email', 'cpc', 'social']) : null,
      utm_source: campaign ? r.pick(['newsletter', 'search', 'partner']) : null,
      utm_term: campaign && r.chance(0.5) ? r.pick(['crm', 'support desk']) : null,
      referrer: recent && r.chance(0.6) ? `https://www.example.test/blog/post-${c.idx % 20}` : null,
      enabled_push_messaging: recent && mobile ? r.chance(0.5) : null,
    };
  }

  contactCustomAttributes(c: ContactCore, v: VersionEntry): Json {
    const r = rngFor(this.seed, 'contact-ca', c.idx);
    const out: Json = {
      plan: r.pick(PLANS),
      seats: r.int(1, 50) + v.rev,
      vip: r.chance(0.1),
    };
    if (r.chance(0.5)) out['last_order_at'] = Math.max(c.created_at, v.updated_at - r.int(0, 90 * DAY));
    return out;
  }

  // -- companies

  renderCompany(co: CompanyCore, v: VersionEntry = cur(co)): Json {
    const r = rngFor(this.seed, 'company-extra', co.idx);
    const planIdx = r.int(0, PLANS.length);
    return {
      type: 'company',
      company_id: co.company_id,
      id: co.id,
      app_id: this.appId,
      name: co.name,
      remote_created_at: co.created_at,
      created_at: co.created_at,
      updated_at: v.updated_at,
      last_request_at: Math.max(co.created_at, v.updated_at - r.int(0, 10 * DAY)),
      size: r.int(1, 5000),
      website: `https://${co.company_id}.example.com`,
      industry: r.pick(INDUSTRIES),
      monthly_spend: r.int(0, 20_000) + v.rev * 10,
      session_count: r.int(0, 500),
      user_count: co.userCount,
      tags: {
        type: 'tag.list',
        tags: co.tagIdxs.map((t) => this.renderTag(this.tags[t] as TagCore)),
      },
      segments: {
        type: 'segment.list',
        segments: co.segmentIdxs.map((s) => this.renderSegment(this.segments[s] as SegmentCore, false)),
      },
      plan: planIdx < PLANS.length ? { type: 'plan', id: String(300 + planIdx), name: PLANS[planIdx] as string } : {},
      custom_attributes: { tier: r.pick(['bronze', 'silver', 'gold']), region: r.pick(['emea', 'amer', 'apac']) },
    };
  }

  // -- conversations

  partCount(t: ThreadCore, v: VersionEntry = cur(t)): number {
    let n = t.baseParts;
    for (const e of t.extraParts) if (e.rev <= v.rev) n++;
    return n;
  }

  private basePartTime(t: ThreadCore, p: number): number {
    return t.created_at + Math.floor(((t.baseEnd - t.created_at) * (p + 1)) / t.baseParts);
  }

  partId(kind: 'conversation' | 'ticket', t: ThreadCore, p: number): string {
    return String((kind === 'conversation' ? 10_000_000_000 : 50_000_000_000) + t.idx * 10_000 + p);
  }

  private contactAuthor(idx: number): Json {
    const c = this.contacts[idx] as ContactCore;
    return { type: 'user', id: c.id, name: c.name, email: c.email };
  }

  private adminAuthor(idx: number): Json {
    const a = this.admins[idx] as AdminCore;
    return { type: 'admin', id: a.id, name: a.name, email: a.email };
  }

  private botAuthor(): Json {
    return {
      type: 'bot',
      id: '0',
      name: 'Fin',
      email: `operator+${this.appId}@intercom.io`,
      from_ai_agent: true,
      is_ai_answer: false,
    };
  }

  renderConversationPart(c: ConversationCore, p: number, plain: boolean): Json {
    const body = (html: string | null): string | null => (html === null ? null : plain ? htmlToPlain(html) : html);
    if (p >= c.baseParts) {
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
        author: this.admins.length ? this.adminAuthor(e.adminIdx) : this.botAuthor(),
        attachments: [],
        external_id: null,
        redacted: false,
        email_message_metadata: null,
      };
    }
    const r = rngFor(this.seed, 'cpart', c.idx, p);
    const t = this.basePartTime(c, p);
    const roll = r.next();
    const hasAdmin = this.admins.length > 0;
    const contactIdx = c.contactIdxs[0];
    let part_type = 'comment';
    if (hasAdmin && roll > 0.8)
      part_type = roll > 0.94 ? (roll > 0.97 ? 'close' : 'open') : roll > 0.88 ? 'assignment' : 'note';
    const byUser = part_type === 'comment' && contactIdx !== undefined && (r.chance(0.5) || !hasAdmin);
    const adminIdx = hasAdmin ? r.int(0, this.admins.length - 1) : 0;
    const author = byUser
      ? this.contactAuthor(contactIdx as number)
      : hasAdmin
        ? this.adminAuthor(adminIdx)
        : this.botAuthor();
    let html: string | null = null;
    if (part_type === 'comment' || part_type === 'note') html = r.pick(COMMENT_BODIES);
    let meta: Json | null = null;
    if (byUser && c.sourceType === 'email') {
      const cc = this.contacts[contactIdx as number] as ContactCore;
      const headers: Json[] = [
        { type: 'from', email_address: cc.email, name: cc.name },
        { type: 'to', email_address: `support@${this.appId}.example.com`, name: 'Support' },
      ];
      if (r.chance(0.4))
        headers.push({ type: 'cc', email_address: `cc${p}@${this.appId}-partner.example.com`, name: null });
      meta = { subject: `Re: conversation ${c.id}`, email_address_headers: headers };
    }
    return {
      type: 'conversation_part',
      id: this.partId('conversation', c, p),
      part_type,
      body: body(html),
      created_at: t,
      updated_at: t,
      notified_at: t,
      assigned_to: part_type === 'assignment' && hasAdmin ? this.adminRef(r.int(0, this.admins.length - 1)) : null,
      author,
      attachments: r.chance(0.05)
        ? [
            {
              type: 'upload',
              name: 'screenshot.png',
              url: `https://uploads.intercomcdn.test/${c.id}/${p}.png`,
              content_type: 'image/png',
              filesize: r.int(1000, 900_000),
              width: 640,
              height: 480,
            },
          ]
        : [],
      external_id: null,
      redacted: false,
      email_message_metadata: meta,
    };
  }

  /** Index range of the retrievable (500 most recent) parts. */
  retrievableRange(t: ThreadCore): [number, number] {
    const n = this.partCount(t);
    return [Math.max(0, n - PART_CAP), n];
  }

  renderConversation(c: ConversationCore, opts: { v?: VersionEntry; withParts?: boolean; plain?: boolean } = {}): Json {
    const v = opts.v ?? cur(c);
    const r = rngFor(this.seed, 'conv-extra', c.idx);
    const plain = opts.plain ?? false;
    const nParts = this.partCount(c, v);
    const firstContact = c.contactIdxs[0];
    const contact = firstContact !== undefined ? (this.contacts[firstContact] as ContactCore) : undefined;
    const sourceHtml = `<p>${r.pick(['Hello', 'Hi there', 'Question'])}: ${r.pick(['billing issue', 'cannot export', 'feature request', 'login problem'])} #${c.id}</p>`;
    const sourceAuthor: Json = contact
      ? { type: 'user', id: contact.id, name: contact.name, email: contact.email }
      : this.admins.length
        ? this.adminAuthor(0)
        : this.botAuthor();
    const teammates = new Set<number>();
    if (c.adminAssignee !== null) teammates.add(c.adminAssignee);
    const closed = c.state === 'closed';
    const firstReply = c.created_at + r.int(30, 3600);
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
      last_closed_by_id: closed && c.adminAssignee !== null ? (this.admins[c.adminAssignee] as AdminCore).id : '',
      count_reopens: r.int(0, 2),
      count_assignments: r.int(0, 3),
      count_conversation_parts: nParts,
      assigned_team_first_response_time: [],
      assigned_team_first_response_time_in_office_hours: [],
      handling_time: r.int(0, 5000),
      adjusted_handling_time: null,
    };
    if (!closed) {
      for (const k of [
        'time_to_first_close',
        'time_to_last_close',
        'first_close_at',
        'last_close_at',
        'last_closed_by_id',
      ])
        delete stats[k];
    }
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
      admin_assignee_id: c.adminAssignee === null ? null : Number((this.admins[c.adminAssignee] as AdminCore).id),
      team_assignee_id: c.teamAssignee === null ? null : Number((this.teams[c.teamAssignee] as TeamCore).id),
      tags: {
        type: 'tag.list',
        tags: c.tagIdxs.map((t) => {
          const tag = this.tags[t] as TagCore;
          return {
            type: 'tag',
            id: tag.id,
            name: tag.name,
            applied_at: c.created_at + 60,
            applied_by: this.admins.length ? this.adminRef(hash32(c.id, t) % this.admins.length) : null,
          };
        }),
      },
      conversation_rating:
        closed && r.chance(0.3) && contact
          ? {
              rating: r.int(1, 5),
              remark: r.pick(['Great help', 'Slow answer', '']),
              created_at: v.updated_at,
              updated_at: v.updated_at,
              contact: { type: 'contact', id: contact.id, external_id: contact.external_id },
              teammate: c.adminAssignee !== null ? this.adminRef(c.adminAssignee) : { type: 'admin', id: null },
            }
          : null,
      source: {
        type: c.sourceType,
        id: String(400_000_000 + c.idx),
        delivered_as: contact ? 'customer_initiated' : 'admin_initiated',
        subject: c.sourceType === 'email' ? `Email #${c.id}` : '',
        body: plain ? htmlToPlain(sourceHtml) : sourceHtml,
        author: sourceAuthor,
        attachments: [],
        url: null,
        redacted: false,
      },
      contacts: { type: 'contact.list', contacts: c.contactIdxs.map((i) => this.contactRef(i)) },
      teammates: { type: 'admin.list', teammates: [...teammates].map((a) => this.adminRef(a)) },
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
    if (opts.withParts) {
      const lo = Math.max(0, nParts - PART_CAP);
      const parts: Json[] = [];
      for (let p = lo; p < nParts; p++) parts.push(this.renderConversationPart(c, p, plain));
      // total_count is the number of parts in this (capped) list; statistics.count_conversation_parts has the real total.
      out['conversation_parts'] = {
        type: 'conversation_part.list',
        conversation_parts: parts,
        total_count: parts.length,
      };
    }
    out['linked_objects'] = { type: 'list', total_count: 0, has_more: false, data: [] };
    out['ai_agent_participated'] = false;
    out['ai_agent'] = null;
    // Example-only fields (ALLOW_EXTRA): the examples show `topics: {}` and `ticket: null`.
    out['topics'] = v.updated_at >= this.genNow - EXAMPLE_FIELDS_SINCE ? {} : null;
    out['ticket'] = null;
    return out;
  }

  // -- tickets

  ticketTypeId(i: number): string {
    return String(1000 + i);
  }

  ticketStateId(typeIdx: number, cat: TicketStateCategory): string {
    return String(8000 + typeIdx * 10 + TICKET_STATE_CATEGORIES.indexOf(cat));
  }

  ticketTypeCategory(i: number): 'Customer' | 'Back-office' | 'Tracker' {
    return (['Customer', 'Back-office', 'Tracker'] as const)[i % 3] as 'Customer' | 'Back-office' | 'Tracker';
  }

  renderTicketState(typeIdx: number, cat: TicketStateCategory): Json {
    const label = cat.replace(/_/g, ' ').replace(/^./, (m) => m.toUpperCase());
    return {
      type: 'ticket_state',
      id: this.ticketStateId(typeIdx, cat),
      category: cat,
      internal_label: label,
      external_label: label,
    };
  }

  renderTicketType(i: number): Json {
    const created = this.genNow - (500 - i) * DAY;
    const id = this.ticketTypeId(i);
    const attr = (n: number, name: string, data_type: string, def: boolean): Json => ({
      type: 'ticket_type_attribute',
      id: String(20_000 + i * 10 + n),
      workspace_id: this.appId,
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
      ticket_type_id: Number(id),
      archived: false,
      created_at: created,
      updated_at: created,
    });
    return {
      type: 'ticket_type',
      id,
      category: this.ticketTypeCategory(i),
      name: `${['Bug report', 'Refund request', 'Outage', 'Access request'][i % 4]}${i >= 4 ? ` ${i}` : ''}`,
      description: 'Generated ticket type',
      icon: ['🐞', '💸', '🔥', '🔑'][i % 4] as string,
      workspace_id: this.appId,
      ticket_type_attributes: {
        type: 'ticket_type_attributes.list',
        ticket_type_attributes: [
          attr(0, '_default_title_', 'string', true),
          attr(1, '_default_description_', 'string', true),
          attr(2, 'Priority level', 'list', false),
        ],
      },
      ticket_states: { type: 'list', data: TICKET_STATE_CATEGORIES.map((c) => this.renderTicketState(i, c)) },
      archived: false,
      created_at: created,
      updated_at: created + DAY,
      // Example-only (ALLOW_EXTRA): null on the first type listed, set on the others.
      is_internal: i === 0 ? null : i % 2 === 0,
    };
  }

  renderTicketPart(t: TicketCore, p: number): Json {
    if (p >= t.baseParts) {
      const e = t.extraParts[p - t.baseParts] as ExtraPart;
      return {
        type: 'ticket_part',
        id: e.id,
        part_type: 'comment',
        body: `<p>Ticket update ${p - t.baseParts + 1}.</p>`,
        created_at: e.created_at,
        updated_at: e.created_at,
        assigned_to: null,
        author: this.admins.length
          ? this.adminAuthor(e.adminIdx)
          : { type: 'bot', id: '0', name: 'Fin', email: 'operator@intercom.io' },
        attachments: [],
        external_id: null,
        redacted: false,
      };
    }
    const r = rngFor(this.seed, 'tpart', t.idx, p);
    const time = this.basePartTime(t, p);
    const hasAdmin = this.admins.length > 0;
    const contactIdx = t.contactIdxs[0];
    const roll = r.next();
    const out: Json = { type: 'ticket_part', id: this.partId('ticket', t, p) };
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
      ? this.contactAuthor(contactIdx as number)
      : hasAdmin
        ? this.adminAuthor(r.int(0, this.admins.length - 1))
        : { type: 'bot', id: '0', name: 'Fin', email: 'operator@intercom.io' };
    out['attachments'] = [];
    out['external_id'] = null;
    out['redacted'] = false;
    return out;
  }

  renderTicket(t: TicketCore, opts: { v?: VersionEntry; withParts?: boolean } = {}): Json {
    const v = opts.v ?? cur(t);
    const r = rngFor(this.seed, 'ticket-extra', t.idx);
    const out: Json = {
      type: 'ticket',
      id: t.id,
      ticket_id: String(t.idx + 1),
      category: this.ticketTypeCategory(t.ticketTypeIdx),
      ticket_attributes: {
        _default_title_: `${r.pick(['Cannot', 'Please', 'Urgent:'])} ${r.pick(['export data', 'refund order', 'reset access', 'fix sync'])} (${t.id})`,
        _default_description_: r.chance(0.8) ? `Reported by contact; revision ${v.rev}` : null,
        'Priority level': r.pick(['Low', 'High']),
      },
      ticket_state: this.renderTicketState(t.ticketTypeIdx, t.stateCategory),
      ticket_type: this.renderTicketType(t.ticketTypeIdx),
      contacts: { type: 'contact.list', contacts: t.contactIdxs.map((i) => this.contactRef(i)) },
      admin_assignee_id: t.adminAssignee === null ? '0' : (this.admins[t.adminAssignee] as AdminCore).id,
      team_assignee_id: t.teamAssignee === null ? '0' : (this.teams[t.teamAssignee] as TeamCore).id,
      created_at: t.created_at,
      updated_at: v.updated_at,
      open: t.stateCategory !== 'resolved',
      linked_objects: { type: 'list', total_count: 0, has_more: false, data: [] },
    };
    if (opts.withParts) {
      const n = this.partCount(t, v);
      const parts: Json[] = [];
      for (let p = Math.max(0, n - PART_CAP); p < n; p++) parts.push(this.renderTicketPart(t, p));
      out['ticket_parts'] = { type: 'ticket_part.list', ticket_parts: parts, total_count: parts.length };
    }
    out['is_shared'] = t.ticketTypeIdx % 3 === 0;
    return out;
  }

  // -- help center, articles, subscription types

  collectionCount(): number {
    return this.size.collections;
  }

  renderCollection(i: number): Json {
    const r = rngFor(this.seed, 'collection', i);
    const created = this.genNow - r.int(100, 700) * DAY;
    const updated = Math.min(this.genNow, created + r.int(0, 90) * DAY + r.int(0, DAY - 1));
    const name = `${WORDS[i % WORDS.length]} guides`.replace(/^./, (m) => m.toUpperCase());
    const section = i >= 2 && i % 3 === 2;
    const hc = this.size.helpCenters > 0 ? 790 + (i % this.size.helpCenters) : null;
    return {
      id: String(16_000 + i),
      workspace_id: this.appId,
      name,
      description: r.chance(0.6) ? `All about ${name.toLowerCase()}` : null,
      created_at: created,
      updated_at: updated,
      url: `https://help.${this.appId}.example.com/en/collections/${16_000 + i}`,
      icon: 'book-bookmark',
      order: i + 1,
      default_locale: 'en',
      translated_content: {
        type: 'group_translated_content',
        en: { type: 'group_content', name, description: `All about ${name.toLowerCase()}` },
      },
      parent_id: section ? String(16_000 + i - 1) : null,
      help_center_id: section ? null : hc,
    };
  }

  renderHelpCenter(i: number): Json {
    const created = this.genNow - (800 - i) * DAY;
    return {
      id: String(790 + i),
      workspace_id: this.appId,
      created_at: created,
      updated_at: created + 10 * DAY,
      identifier: `${this.appId}-hc-${i + 1}`,
      website_turned_on: i === 0,
      display_name: `Help Center ${i + 1}`,
      url: `https://help.${this.appId}.example.com/hc${i + 1}`,
      custom_domain: i === 0 ? null : `support${i}.example.com`,
    };
  }

  renderArticle(i: number): Json {
    const r = rngFor(this.seed, 'article', i);
    const created = this.genNow - r.int(1, 600) * DAY - r.int(0, DAY - 1);
    const updated = Math.min(this.genNow, created + r.int(0, 100) * DAY + r.int(0, DAY - 1));
    const title = `How to ${r.pick(['export', 'import', 'configure', 'reset', 'share'])} ${r.pick(WORDS)} ${i + 1}`;
    const author = this.admins.length ? Number((this.admins[r.int(0, this.admins.length - 1)] as AdminCore).id) : 0;
    const state = r.chance(0.8) ? 'published' : 'draft';
    const body = `<p>${title}: step one, step two.</p>`;
    const url = state === 'published' ? `https://help.${this.appId}.example.com/en/articles/${3_000_000 + i}` : null;
    const parent = this.size.collections > 0 && r.chance(0.8) ? 16_000 + r.int(0, this.size.collections - 1) : null;
    const tagIdxs = r.sample(this.size.tags, r.int(0, Math.min(2, this.size.tags)));
    return {
      type: 'article',
      id: String(3_000_000 + i),
      workspace_id: this.appId,
      title,
      description: `Learn ${title.toLowerCase()}`,
      body,
      author_id: author,
      state,
      created_at: created,
      updated_at: updated,
      url,
      parent_id: parent,
      parent_ids: parent === null ? [] : [parent],
      parent_type: parent === null ? null : 'collection',
      default_locale: 'en',
      translated_content: {
        type: 'article_translated_content',
        en: {
          type: 'article_content',
          title,
          description: `Learn ${title.toLowerCase()}`,
          body,
          author_id: author,
          state,
          created_at: created,
          updated_at: updated,
          url: url ?? '',
        },
      },
      tags: { type: 'tag.list', tags: tagIdxs.map((t) => this.renderTag(this.tags[t] as TagCore)) },
    };
  }

  renderSubscriptionType(i: number): Json {
    const name = ['Newsletter', 'Product updates', 'Billing notices', 'Events'][i % 4] as string;
    const tr = { name: i >= 4 ? `${name} ${i}` : name, description: `${name} we send`, locale: 'en' };
    return {
      type: 'subscription',
      id: String(100 + i),
      state: i % 5 === 4 ? 'draft' : 'live',
      default_translation: tr,
      translations: [tr],
      consent_type: i % 2 === 0 ? 'opt_out' : 'opt_in',
      content_types: i % 3 === 2 ? ['sms_message'] : ['email'],
    };
  }

  renderActivityLog(l: ActivityLogCore): Json {
    const a = this.admins[l.adminIdx];
    const name = a?.name ?? 'Someone';
    let metadata: Json | null = null;
    let desc = `${name} performed ${l.activity_type.replace(/_/g, ' ')}.`;
    switch (l.activity_type) {
      case 'admin_login_success':
        metadata = { sign_in_method: 'email_password' };
        desc = `${name} logged in.`;
        break;
      case 'admin_away_mode_change':
        metadata = { away_mode: l.kind % 2 === 0, reassign_conversations: false };
        break;
      case 'app_name_change':
        metadata = { before: { name: 'Old name' }, after: { name: this.appName } };
        desc = `${name} changed your app name from Old name to ${this.appName}.`;
        break;
      case 'admin_assignment_limit_change':
        metadata = { conversation_assignment_limit: 20, ticket_assignment_limit: 10 };
        break;
      default:
        metadata = null;
    }
    return {
      id: l.id,
      performed_by: {
        type: 'admin',
        id: a?.id ?? '0',
        email: a?.email ?? 'nobody@example.com',
        ip: `10.0.${l.kind}.${l.created_at % 250}`,
      },
      metadata,
      created_at: l.created_at,
      activity_type: l.activity_type,
      activity_description: desc,
    };
  }

  // -- events

  /** All events of a contact (including those older than 90 days), newest first. */
  contactEvents(c: ContactCore): Json[] {
    const out: Json[] = [];
    for (let e = 0; e < c.eventCount; e++) {
      const r = rngFor(this.seed, 'event', c.idx, e);
      const lo = c.created_at;
      const created = lo + Math.floor(r.next() * Math.max(1, this.genNow - lo));
      const ev: Json = {
        type: 'event',
        id: hex8(created) + hex8(hash32(this.seed, 'event-id', c.idx)) + hex8(c.idx * 256 + e),
        event_name: r.pick(EVENT_NAMES),
        created_at: created,
      };
      if (c.external_id) ev['user_id'] = c.external_id;
      ev['intercom_user_id'] = c.id;
      ev['email'] = c.email;
      ev['metadata'] = { source: r.pick(['web', 'ios', 'android']), order_ref: `ord-${r.int(1000, 9999)}` };
      out.push(ev);
    }
    out.sort(
      (a, b) =>
        (b['created_at'] as number) - (a['created_at'] as number) ||
        ((a['id'] as string) < (b['id'] as string) ? -1 : 1),
    );
    return out;
  }

  listableEvents(c: ContactCore): Json[] {
    const cutoff = this.clock.now() - EVENTS_WINDOW_DAYS * DAY;
    return this.contactEvents(c).filter((e) => (e['created_at'] as number) >= cutoff);
  }

  // ---------------------------------------------------------------- mutations

  mutate(spec: MutationSpec): MutationResult {
    const at = spec.at ?? this.clock.now();
    const visibleAt = this.visibleFrom();
    const r = rngFor(this.seed, 'mutation', this.mutationCounter++);
    const res: MutationResult = { stream: spec.stream, at, visibleAt, updated: [], created: [], deleted: [] };
    const list = this.recordsOf(spec.stream);
    const byId = this.mapOf(spec.stream);
    const aliveIdxs = (): number[] => list.filter((x) => !cur(x).deleted).map((x) => x.idx);

    const explicit = (spec.ids ?? [])
      .map((id) => byId.get(id))
      .filter((x): x is RecordCore => x !== undefined && !cur(x).deleted);
    const deleteExplicit = spec.delete !== undefined && spec.update === undefined;
    const toUpdate: RecordCore[] = deleteExplicit ? [] : [...explicit];
    const toDelete: RecordCore[] = deleteExplicit ? [...explicit] : [];
    if (spec.update && spec.update > 0) {
      const alive = aliveIdxs().filter((i) => !toUpdate.some((x) => x.idx === i));
      for (const k of r.sample(alive.length, spec.update)) toUpdate.push(list[alive[k] as number] as RecordCore);
    }
    if (spec.delete && spec.delete > 0 && !deleteExplicit) {
      const taken = new Set(toUpdate.map((x) => x.idx));
      const alive = aliveIdxs().filter((i) => !taken.has(i));
      for (const k of r.sample(alive.length, spec.delete)) toDelete.push(list[alive[k] as number] as RecordCore);
    } else if (deleteExplicit && spec.delete && spec.delete > explicit.length) {
      const taken = new Set(toDelete.map((x) => x.idx));
      const alive = aliveIdxs().filter((i) => !taken.has(i));
      for (const k of r.sample(alive.length, spec.delete - explicit.length))
        toDelete.push(list[alive[k] as number] as RecordCore);
    }

    for (const rec of toUpdate) {
      const c = cur(rec);
      const rev = c.rev + 1;
      rec.versions.push({ updated_at: at, rev, deleted: false, visibleAt });
      if (spec.stream === 'conversations' || spec.stream === 'tickets') {
        const t = rec as ThreadCore;
        const p = t.baseParts + t.extraParts.length;
        if (p < 9_999) {
          t.extraParts.push({
            id: this.partId(spec.stream === 'conversations' ? 'conversation' : 'ticket', t, p),
            created_at: at,
            rev,
            adminIdx: this.admins.length ? r.int(0, this.admins.length - 1) : 0,
          });
        }
      }
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
    for (let n = 0; n < (spec.create ?? 0); n++) {
      let rec: RecordCore;
      switch (spec.stream) {
        case 'contacts': {
          const c = this.makeContact(this.contacts.length, null, at, 0);
          c.tagIdxs = this.size.tags > 0 ? [r.int(0, this.size.tags - 1)] : [];
          this.contacts.push(c);
          rec = c;
          break;
        }
        case 'companies':
          rec = this.makeCompany(this.companies.length, null, at);
          this.companies.push(rec as CompanyCore);
          break;
        case 'conversations':
          rec = this.makeConversation(this.conversations.length, null, at, false);
          this.conversations.push(rec as ConversationCore);
          break;
        case 'tickets':
          rec = this.makeTicket(this.tickets.length, null, at, false);
          this.tickets.push(rec as TicketCore);
          break;
      }
      res.created.push(rec.id);
    }
    this.generation++;
    this.renderEpoch++;
    this.visibilityTimes.push(visibleAt);
    return res;
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
    const contacts = alive(this.contacts);
    const companies = alive(this.companies);
    const conversations = alive(this.conversations);
    const tickets = alive(this.tickets);
    const gt: GroundTruth = {
      contacts: contacts.map((c) => c.id),
      companies: companies.map((c) => c.id),
      conversations: conversations.map((c) => c.id),
      conversation_parts: [],
      tickets: tickets.map((t) => t.id),
      ticket_parts: [],
      admins: this.admins.map((a) => a.id),
      teams: this.teams.map((t) => t.id),
      tags: this.tags.map((t) => t.id),
      segments: this.segments.map((s) => s.id),
      data_attributes: this.dataAttributes.filter((d) => !d.archived).map((d) => `${d.model}|${d.name}`),
      ticket_types: Array.from({ length: this.size.ticketTypes }, (_, i) => this.ticketTypeId(i)),
      subscription_types: Array.from({ length: this.size.subscriptionTypes }, (_, i) => String(100 + i)),
      articles: Array.from({ length: this.size.articles }, (_, i) => String(3_000_000 + i)),
      collections: Array.from({ length: this.size.collections }, (_, i) => String(16_000 + i)),
      help_centers: Array.from({ length: this.size.helpCenters }, (_, i) => String(790 + i)),
      activity_logs: this.activityLogs.map((l) => l.id),
      events: [],
      notes: [],
      team_admin: [],
      contact_tag: [],
      contact_company: [],
      company_tag: [],
      company_segment: [],
      conversation_tag: [],
      conversation_contact: [],
      ticket_contact: [],
      email_address_header: [],
      truncated: { conversations: [], tickets: [] },
    };
    for (const t of this.teams)
      for (const a of t.adminIdxs) gt.team_admin.push(`${t.id}|${(this.admins[a] as AdminCore).id}`);
    for (const c of contacts) {
      for (const t of c.tagIdxs) gt.contact_tag.push(`${c.id}|${(this.tags[t] as TagCore).id}`);
      for (const j of c.companyIdxs) gt.contact_company.push(`${c.id}|${(this.companies[j] as CompanyCore).id}`);
      gt.notes.push(...this.noteIds(c));
      for (const e of this.listableEvents(c)) gt.events.push(e['id'] as string);
    }
    for (const co of companies) {
      for (const t of co.tagIdxs) gt.company_tag.push(`${co.id}|${(this.tags[t] as TagCore).id}`);
      for (const s of co.segmentIdxs) gt.company_segment.push(`${co.id}|${(this.segments[s] as SegmentCore).id}`);
    }
    for (const c of conversations) {
      for (const t of c.tagIdxs) gt.conversation_tag.push(`${c.id}|${(this.tags[t] as TagCore).id}`);
      for (const i of c.contactIdxs) gt.conversation_contact.push(`${c.id}|${(this.contacts[i] as ContactCore).id}`);
      const [lo, hi] = this.retrievableRange(c);
      for (let p = lo; p < hi; p++) {
        const part = this.renderConversationPart(c, p, false);
        gt.conversation_parts.push(part['id'] as string);
        const meta = part['email_message_metadata'] as Json | null;
        const headers = (meta?.['email_address_headers'] ?? []) as Json[];
        headers.forEach((_, i) => gt.email_address_header.push(`${c.id}|${part['id'] as string}|${i}`));
      }
      const total = hi;
      if (total > PART_CAP) gt.truncated.conversations.push(truncInfo(c.id, total));
    }
    for (const t of tickets) {
      for (const i of t.contactIdxs) gt.ticket_contact.push(`${t.id}|${(this.contacts[i] as ContactCore).id}`);
      const [lo, hi] = this.retrievableRange(t);
      for (let p = lo; p < hi; p++)
        gt.ticket_parts.push(
          p >= t.baseParts ? (t.extraParts[p - t.baseParts] as ExtraPart).id : this.partId('ticket', t, p),
        );
      if (hi > PART_CAP) gt.truncated.tickets.push(truncInfo(t.id, hi));
    }
    for (const v of Object.values(gt)) if (Array.isArray(v)) (v as string[]).sort();
    gt.truncated.conversations.sort((a, b) => (a.id < b.id ? -1 : 1));
    gt.truncated.tickets.sort((a, b) => (a.id < b.id ? -1 : 1));
    return gt;
  }
}

function truncInfo(id: string, total: number): TruncatedInfo {
  return { id, total_parts: total, retrievable_parts: PART_CAP, missing: total - PART_CAP };
}

/** Current version of a record. */
export function cur(rec: RecordCore): VersionEntry {
  return rec.versions[rec.versions.length - 1] as VersionEntry;
}
