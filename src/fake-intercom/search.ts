/**
 * Search query validation and evaluation for POST /contacts/search, /conversations/search and
 * /tickets/search, following the descriptions of the OpenAPI file and API-NOTES.md:
 *  - leaf {field, operator, value} or group {operator: AND|OR, value: [...]}, groups homogeneous,
 *    at most 2 levels of groups, at most 15 filters per group;
 *  - contacts: date fields are matched by UTC calendar day (`>` = from the start of the next day,
 *    `<` = before the start of the day, `=` = the whole day), `!=`, `>=`, `<=`, `IN`, `NIN` on
 *    dates are errors;
 *  - conversations and tickets: `>` and `<` are inclusive ("greater (or equal)").
 */
import { DAY } from './clock.js';

export type SearchStream = 'contacts' | 'conversations' | 'tickets';
export type FieldKind = 'string' | 'integer' | 'date' | 'boolean' | 'strings' | 'any';
export type FieldValue = string | number | boolean | null | undefined | string[];
/** Reads a field of the record being evaluated. */
export type Getter = (field: string) => FieldValue;
export type Predicate = (get: Getter) => boolean;

export class SearchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const OPERATORS = new Set(['=', '!=', 'IN', 'NIN', '<', '<=', '>', '>=', '~', '!~', '^', '$']);
export const MAX_FILTERS_PER_GROUP = 15;
export const MAX_GROUP_DEPTH = 2;

const CONTACT_FIELDS: Record<string, FieldKind> = {
  id: 'string',
  role: 'string',
  name: 'string',
  avatar: 'string',
  owner_id: 'integer',
  email: 'string',
  email_domain: 'string',
  phone: 'string',
  external_id: 'string',
  created_at: 'date',
  signed_up_at: 'date',
  updated_at: 'date',
  last_seen_at: 'date',
  last_contacted_at: 'date',
  last_replied_at: 'date',
  last_email_opened_at: 'date',
  last_email_clicked_at: 'date',
  language_override: 'string',
  browser: 'string',
  browser_language: 'string',
  os: 'string',
  'location.country': 'string',
  'location.region': 'string',
  'location.city': 'string',
  unsubscribed_from_emails: 'boolean',
  marked_email_as_spam: 'boolean',
  has_hard_bounced: 'boolean',
  ios_last_seen_at: 'date',
  ios_app_version: 'string',
  ios_device: 'string',
  ios_app_device: 'string',
  ios_os_version: 'string',
  ios_app_name: 'string',
  ios_sdk_version: 'string',
  android_last_seen_at: 'date',
  android_app_version: 'string',
  android_device: 'string',
  android_app_name: 'string',
  andoid_sdk_version: 'string',
  segment_id: 'strings',
  tag_id: 'strings',
};
/** Kinds of the generated contact custom attributes (others are strings). */
const CONTACT_CUSTOM: Record<string, FieldKind> = {
  plan: 'string',
  seats: 'integer',
  vip: 'boolean',
  last_order_at: 'date',
};

const CONVERSATION_FIELDS: Record<string, FieldKind> = {
  id: 'string',
  created_at: 'date',
  updated_at: 'date',
  'source.type': 'string',
  'source.id': 'string',
  'source.delivered_as': 'string',
  'source.subject': 'string',
  'source.body': 'string',
  'source.author.id': 'string',
  'source.author.type': 'string',
  'source.author.name': 'string',
  'source.author.email': 'string',
  'source.url': 'string',
  contact_ids: 'strings',
  teammate_ids: 'strings',
  admin_assignee_id: 'integer',
  team_assignee_id: 'integer',
  channel_initiated: 'string',
  open: 'boolean',
  read: 'boolean',
  state: 'string',
  waiting_since: 'date',
  snoozed_until: 'date',
  tag_ids: 'strings',
  priority: 'string',
  'statistics.time_to_assignment': 'integer',
  'statistics.time_to_admin_reply': 'integer',
  'statistics.time_to_first_close': 'integer',
  'statistics.time_to_last_close': 'integer',
  'statistics.median_time_to_reply': 'integer',
  'statistics.first_contact_reply_at': 'date',
  'statistics.first_assignment_at': 'date',
  'statistics.first_admin_reply_at': 'date',
  'statistics.first_close_at': 'date',
  'statistics.last_assignment_at': 'date',
  'statistics.last_assignment_admin_reply_at': 'date',
  'statistics.last_contact_reply_at': 'date',
  'statistics.last_admin_reply_at': 'date',
  'statistics.last_close_at': 'date',
  'statistics.last_closed_by_id': 'string',
  'statistics.count_reopens': 'integer',
  'statistics.count_assignments': 'integer',
  'statistics.count_conversation_parts': 'integer',
  'conversation_rating.requested_at': 'date',
  'conversation_rating.replied_at': 'date',
  'conversation_rating.score': 'integer',
  'conversation_rating.remark': 'string',
  'conversation_rating.contact_id': 'string',
  'conversation_rating.admin_d': 'string',
  ai_agent_participated: 'boolean',
  'ai_agent.resolution_state': 'string',
  'ai_agent.last_answer_type': 'string',
  'ai_agent.rating': 'integer',
  'ai_agent.rating_remark': 'string',
  'ai_agent.source_type': 'string',
  'ai_agent.source_title': 'string',
};

const TICKET_FIELDS: Record<string, FieldKind> = {
  id: 'string',
  created_at: 'date',
  updated_at: 'date',
  title: 'string',
  description: 'string',
  category: 'string',
  ticket_type_id: 'string',
  contact_ids: 'strings',
  teammate_ids: 'strings',
  admin_assignee_id: 'string',
  team_assignee_id: 'string',
  open: 'boolean',
  state: 'string',
  snoozed_until: 'date',
};

export function fieldKind(stream: SearchStream, field: string): FieldKind | undefined {
  if (stream === 'contacts') {
    if (field.startsWith('custom_attributes.'))
      return CONTACT_CUSTOM[field.slice('custom_attributes.'.length)] ?? 'string';
    return CONTACT_FIELDS[field];
  }
  if (stream === 'conversations') {
    if (field.startsWith('custom_attributes.')) return 'any';
    return CONVERSATION_FIELDS[field];
  }
  if (field.startsWith('ticket_attribute.')) return 'any';
  return TICKET_FIELDS[field];
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isLeaf(x: unknown): boolean {
  return isObj(x) && 'field' in x;
}

const bad = (msg: string): SearchError => new SearchError('parameter_invalid', msg);

/** Validates a query and compiles it into a predicate. Throws SearchError (400) when invalid. */
export function compileQuery(stream: SearchStream, query: unknown): Predicate {
  return compileNode(stream, query, 0);
}

function compileNode(stream: SearchStream, node: unknown, depth: number): Predicate {
  if (!isObj(node)) throw bad('query must be an object');
  if (isLeaf(node)) return compileLeaf(stream, node);
  const op = node['operator'];
  if (op !== 'AND' && op !== 'OR')
    throw bad(`Invalid operator for a group of filters: ${JSON.stringify(op)} (expected AND or OR)`);
  if (depth >= MAX_GROUP_DEPTH)
    throw bad(`Too many nested filters: at most ${MAX_GROUP_DEPTH} levels of nesting are allowed`);
  const value = node['value'];
  if (!Array.isArray(value) || value.length === 0) throw bad('The value of an AND/OR filter must be a non-empty array');
  if (value.length > MAX_FILTERS_PER_GROUP)
    throw bad(`Too many filters in one group: at most ${MAX_FILTERS_PER_GROUP} are allowed`);
  const leaves = value.filter(isLeaf).length;
  if (leaves !== 0 && leaves !== value.length)
    throw bad('A group must contain either only filters or only nested groups');
  const subs = value.map((v) => compileNode(stream, v, depth + 1));
  // Plain loops: no closure allocated per record evaluated (searches scan every record).
  if (op === 'AND') {
    return (get) => {
      for (const p of subs) if (!p(get)) return false;
      return true;
    };
  }
  return (get) => {
    for (const p of subs) if (p(get)) return true;
    return false;
  };
}

/**
 * True when a valid contacts query only tests the date field `field`: contact dates match by UTC
 * calendar day (see compileLeaf), so the query's result then depends on floor(value / DAY) only
 * (searches evaluate it once per day instead of once per record).
 */
export function onlyTestsDayOf(stream: SearchStream, query: unknown, field: string): boolean {
  if (stream !== 'contacts' || fieldKind(stream, field) !== 'date') return false;
  const walk = (node: unknown): boolean => {
    if (!isObj(node)) return false;
    if (isLeaf(node)) return node['field'] === field;
    const value = node['value'];
    return Array.isArray(value) && value.every(walk);
  };
  return walk(query);
}

function toNumber(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  throw bad(`Invalid value for ${field}: ${JSON.stringify(v)} (expected a number / UNIX timestamp)`);
}

function toBool(v: unknown, field: string): boolean {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw bad(`Invalid value for ${field}: ${JSON.stringify(v)} (expected a boolean)`);
}

function toStr(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw bad(`Invalid value for ${field}: ${JSON.stringify(v)} (expected a string)`);
}

interface Leaf {
  field: string;
  op: string;
  kind: FieldKind;
  raw: unknown;
  /** A contact date: compared by UTC calendar day. */
  contactDate: boolean;
}

/** A leaf's field, operator and value, checked against the field's kind as Intercom does. */
function checkLeaf(stream: SearchStream, node: Record<string, unknown>): Leaf {
  const field = node['field'];
  const op = node['operator'];
  if (typeof field !== 'string' || field === '') throw bad('field must be a non-empty string');
  if (typeof op !== 'string' || !OPERATORS.has(op)) throw bad(`Invalid operator: ${JSON.stringify(op)}`);
  if (!('value' in node)) throw bad(`Missing value for field ${field}`);
  const kind = fieldKind(stream, field);
  if (!kind) throw bad(`${field} is not a searchable field`);
  const raw = node['value'];
  const contactDate = stream === 'contacts' && kind === 'date';
  if (contactDate && (op === '!=' || op === '>=' || op === '<=' || op === 'IN' || op === 'NIN')) {
    throw bad(`The operator ${op} is not supported on the date field ${field}`);
  }
  if (stream === 'contacts' && field === 'tag_id' && op !== '=' && op !== '!=')
    throw bad('tag_id supports only the = and != operators');
  const isRange = op === '>' || op === '<' || op === '>=' || op === '<=';
  const isText = op === '~' || op === '!~' || op === '^' || op === '$';
  if (isRange && kind !== 'integer' && kind !== 'date' && kind !== 'any')
    throw bad(`The operator ${op} is only valid for integer and date fields (${field})`);
  if (isText && kind !== 'string' && kind !== 'strings' && kind !== 'any')
    throw bad(`The operator ${op} is only valid for string fields (${field})`);
  if ((op === 'IN' || op === 'NIN') && !Array.isArray(raw))
    throw bad(`The operator ${op} requires an array value (${field})`);
  if (op !== 'IN' && op !== 'NIN' && Array.isArray(raw))
    throw bad(`The operator ${op} does not accept an array value (${field})`);
  return { field, op, kind, raw, contactDate };
}

type Scalar = string | number | boolean | null;

/** The leaf's value(s) coerced to the field's kind (one value unless IN / NIN). */
function leafValues({ field, op, kind, raw }: Leaf): Scalar[] {
  const numeric = kind === 'integer' || kind === 'date';
  const coerce = (v: unknown): Scalar => {
    if (v === null) return null;
    if (numeric) return toNumber(v, field);
    if (kind === 'boolean') return toBool(v, field);
    if (kind === 'any') return typeof v === 'number' || typeof v === 'boolean' ? v : toStr(v, field);
    return toStr(v, field);
  };
  if (raw === null && op !== '=' && op !== '!=') throw bad(`null is only accepted with = and != (${field})`);
  return Array.isArray(raw) ? raw.map(coerce) : [coerce(raw)];
}

/** Contact dates compare by UTC calendar day (=, > and < only). */
function contactDatePredicate(field: string, op: string, value: Scalar): Predicate {
  const day = Math.floor((value as number) / DAY);
  return (get) => {
    const f = get(field);
    if (typeof f !== 'number') return value === null && op === '=' && (f === null || f === undefined);
    const d = Math.floor(f / DAY);
    if (op === '=') return d === day;
    if (op === '>') return d > day;
    return d < day; // '<'
  };
}

/** Ranges: conversations/tickets "Greater (or equal) than"; contact integers strict for '>' and '<'. */
function rangeTest(stream: SearchStream, op: string, f: FieldValue, value: number): boolean {
  if (typeof f !== 'number') return false;
  if (op === '>' || op === '>=') return stream !== 'contacts' || op === '>=' ? f >= value : f > value;
  return stream !== 'contacts' || op === '<=' ? f <= value : f < value;
}

/** The test of one field value (a list field matches when any item does). */
function valueTest(stream: SearchStream, op: string, kind: FieldKind, values: Scalar[]): (f: FieldValue) => boolean {
  const value = values[0] ?? null;
  const norm = (x: unknown): unknown => (typeof x === 'string' ? x.toLowerCase() : x);
  const eq = (f: unknown, v: unknown): boolean => {
    if (v === null) return f === null || f === undefined || f === '';
    if (typeof v === 'number' && typeof f === 'string' && kind === 'any') return Number(f) === v;
    return norm(f) === norm(v);
  };
  const text = String(value).toLowerCase();
  return (f) => {
    // Ranges first: they need none of the closures below (allocated per evaluated record).
    if (op === '>' || op === '>=' || op === '<' || op === '<=') return rangeTest(stream, op, f, value as number);
    const arr = Array.isArray(f) ? f : null;
    const matchesAny = (pred: (x: unknown) => boolean): boolean => (arr ? arr.some(pred) : pred(f));
    switch (op) {
      case '=':
        if (arr && value === null) return arr.length === 0;
        return matchesAny((x) => eq(x, value));
      case '!=':
        if (arr && value === null) return arr.length > 0;
        return !matchesAny((x) => eq(x, value));
      case 'IN':
        return matchesAny((x) => values.some((v) => eq(x, v)));
      case 'NIN':
        return !matchesAny((x) => values.some((v) => eq(x, v)));
      case '~':
        return matchesAny((x) => typeof x === 'string' && x.toLowerCase().includes(text));
      case '!~':
        return !matchesAny((x) => typeof x === 'string' && x.toLowerCase().includes(text));
      case '^':
        return matchesAny((x) => typeof x === 'string' && x.toLowerCase().startsWith(text));
      case '$':
        return matchesAny((x) => typeof x === 'string' && x.toLowerCase().endsWith(text));
      default:
        return false;
    }
  };
}

function compileLeaf(stream: SearchStream, node: Record<string, unknown>): Predicate {
  const leaf = checkLeaf(stream, node);
  const values = leafValues(leaf);
  const { field, op, kind } = leaf;
  if (leaf.contactDate) return contactDatePredicate(field, op, values[0] ?? null);
  const test = valueTest(stream, op, kind, values);
  return (get) => test(get(field));
}

/** Opaque search cursor: base64url of "<sortKey>.<idx>". */
export function encodeCursor(key: number, idx: number): string {
  return Buffer.from(`k1.${key.toString(36)}.${idx.toString(36)}`).toString('base64url');
}

export function decodeCursor(s: string): { key: number; idx: number } | null {
  const txt = Buffer.from(s, 'base64url').toString('utf8');
  const m = /^k1\.([0-9a-z]+)\.([0-9a-z]+)$/.exec(txt);
  if (!m) return null;
  return { key: parseInt(m[1] as string, 36), idx: parseInt(m[2] as string, 36) };
}
