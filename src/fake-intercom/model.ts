/**
 * The fake workspace's data model: records are compact "cores" (ids, timestamps, relations,
 * version history); the JSON objects of the OpenAPI description are rendered on demand from them
 * by the object modules (objects/*.ts). Pure types and constants, imported by every object module.
 */
import { DAY } from './clock.js';
import type { TruncatedInfo, WorkspaceSize } from './types.js';

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
export const TICKET_STATE_CATEGORIES: TicketStateCategory[] = [
  'submitted',
  'in_progress',
  'waiting_on_customer',
  'resolved',
];

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

/** Current version of a record. */
export function cur(rec: RecordCore): VersionEntry {
  return rec.versions[rec.versions.length - 1] as VersionEntry;
}

export function truncInfo(id: string, total: number): TruncatedInfo {
  return { id, total_parts: total, retrievable_parts: PART_CAP, missing: total - PART_CAP };
}

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
