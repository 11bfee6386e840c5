/**
 * The one table of streams: every fact about a shipped stream lives here once. The registry
 * (readers), the permission a 403 names, discover's notes, progress, the schema generator
 * (scripts/gen-stream-schemas.mjs), the sample catalogs, the README table, the schema tests and the
 * fake Intercom's list routes all read it.
 *
 * A plain list stream is one entry with `reader: 'list'`: the generic list reader (list-reader.ts)
 * reads it from `endpoint`, `pagination`, `perPage` and `schema.apiVersion`. A stream whose reader
 * has real logic (sliced search, scroll, parts, per-contact requests, windows) names that reader;
 * a reader's first stream is its parent, junction streams follow it and come from the same pass.
 *
 * This file is pure data: it imports types only, so the .mjs generators can load it without a build.
 */
import type { StreamRecords } from '../generated/streams/index.js';
import type { StreamSpec } from './types.js';

/** A shipped stream's name: one with a schema (schemas/streams) and so a generated record type. */
export type StreamName = keyof StreamRecords;

/** Readers with real logic, in code (registry.ts maps each name to its reader). */
export type CodeReader =
  | 'teams'
  | 'data_attributes'
  | 'contacts'
  | 'companies'
  | 'conversations'
  | 'tickets'
  | 'articles'
  | 'subscription_types'
  | 'activity_logs'
  | 'events'
  | 'notes'
  | 'handling_events'
  | 'content_engagement';

/**
 * How the records are paged (the strategies of src/intercom/paginators):
 * - cursor: a GET list following `pages.next` (cursor or URL) when present, else one page;
 * - page-number: `page` / `per_page` until `pages.total_pages`;
 * - unpaged: one GET answers the whole list;
 * - search: a POST search with the cursor in the body, in time slices;
 * - scroll: `scroll_param`, one request at a time;
 * - time-windows: created_at windows with contiguous-prefix checkpoints;
 * - per-parent: one request (or paged list) per parent record;
 * - from-parent: no request of its own, taken from the parent's records in the same pass;
 * - export-job: an asynchronous export job per time window, polled, then downloaded as CSV.
 */
export type PaginationKind =
  | 'cursor'
  | 'page-number'
  | 'unpaged'
  | 'search'
  | 'scroll'
  | 'time-windows'
  | 'per-parent'
  | 'from-parent'
  | 'export-job';

export type ApiVersion = '2.14' | '2.15';

export interface StreamDefinition {
  name: StreamName;
  /** 'list': the generic list reader reads it from this entry. Otherwise the code reader it belongs to. */
  reader: 'list' | CodeReader;
  /** Where the records are listed: `recordsKey` is the path to the list in the 200 response. */
  endpoint?: { method: 'GET' | 'POST'; path: string; recordsKey: string[] };
  pagination: PaginationKind;
  /** Page size asked for (page-number lists: the spec's example or documented maximum). */
  perPage?: number;
  /**
   * Page-number lists whose page parameters the spec does not document: should the endpoint ignore
   * them and answer the same page again, a page without a new id ends the walk (instead of the
   * paginator's stall error after its idle-page bound).
   */
  repeatEndsWalk?: boolean;
  primaryKey: string[];
  /** The incremental cursor; a stream with one supports full_refresh and incremental (syncModesOf). */
  cursor?: string;
  /** The parent stream; `key` is the field joining a record to it; `junction`: a row per pair. */
  parent?: { stream: StreamName; key?: string; junction?: boolean };
  /** Query parameters set to true when the named boolean config option is true. */
  flagParams?: Record<string, string>;
  /** The Intercom Developer Hub permission its endpoint needs (undefined: none documented). */
  permission?: string;
  /**
   * `hash_pii: true` hashes these fields (dotted paths): those that identify or describe a person,
   * or carry text a person wrote. Deliberately not: ids (needed for joins; they identify nothing
   * outside Intercom), email_domain (mostly a company's domain), company names (a business).
   * The README's "Data controls" section shows them.
   */
  pii?: readonly string[];
  /** The OpenAPI component its schema comes from, and the API version whose spec describes it
   * (the generic reader asks a 2.15 endpoint with Intercom-Version 2.15 whatever api_version says). */
  schema: {
    component?: string;
    apiVersion: ApiVersion;
    /** The endpoint's 200 response declares another item schema than its records have (API-NOTES.md): the component is taken unchecked. */
    endpointDeclaresOther?: true;
  };
  /** The cursor field stays nullable in the schema: the reader delivers records that lack it. */
  cursorNullable?: true;
  /** Intercom's cap on the children one parent returns (the rest are reported PARTS_TRUNCATED). */
  partsCap?: number;
  /** What a user should know before selecting it (cost, permission, retention); shown in discover. */
  notes?: string;
  /** In catalog.quickstart.json (the cheap core streams a first real run selects). */
  quickstart?: boolean;
}

const V14 = { apiVersion: '2.14' } as const;
const PERMISSION = {
  admins: 'Read admins',
  tags: 'Read tags',
  users: 'Read and list users and companies',
  conversations: 'Read conversations',
  tickets: 'Read tickets',
  content: 'Read content data',
  events: 'Read events',
  oneUser: 'Read one user and one company',
  news: 'Read and List news items and newsfeeds',
  articles: 'Read and List articles',
} as const;

const get = (path: string, ...recordsKey: string[]) => ({ method: 'GET', path, recordsKey }) as const;
const post = (path: string, ...recordsKey: string[]) => ({ method: 'POST', path, recordsKey }) as const;

/** Every shipped stream, in the order a sync runs their readers. */
export const STREAMS: readonly StreamDefinition[] = [
  {
    name: 'admins',
    reader: 'list',
    endpoint: get('/admins', 'admins'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.admins,
    pii: ['email', 'name', 'avatar'],
    schema: { component: 'admin', ...V14 },
    quickstart: true,
  },
  {
    name: 'teams',
    reader: 'teams',
    endpoint: get('/teams', 'teams'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.admins,
    schema: { component: 'team', ...V14 },
    quickstart: true,
  },
  {
    name: 'team_admin',
    reader: 'teams',
    pagination: 'from-parent',
    primaryKey: ['team_id', 'admin_id'],
    parent: { stream: 'teams', junction: true },
    permission: PERMISSION.admins,
    schema: V14,
    quickstart: true,
  },
  {
    name: 'tags',
    reader: 'list',
    endpoint: get('/tags', 'data'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.tags,
    schema: { component: 'tag', ...V14 },
    quickstart: true,
  },
  {
    name: 'segments',
    reader: 'list',
    endpoint: get('/segments', 'segments'),
    pagination: 'cursor',
    primaryKey: ['id'],
    flagParams: { include_count: 'segments_include_count' },
    permission: PERMISSION.users,
    schema: { component: 'segment', ...V14 },
    quickstart: true,
  },
  // Built-in attributes have no `id`; (model, name) is unique. One list per model.
  {
    name: 'data_attributes',
    reader: 'data_attributes',
    endpoint: get('/data_attributes', 'data'),
    pagination: 'cursor',
    primaryKey: ['model', 'name'],
    schema: { component: 'data_attribute', ...V14 },
  },
  {
    name: 'contacts',
    reader: 'contacts',
    endpoint: post('/contacts/search', 'data'),
    pagination: 'search',
    primaryKey: ['id'],
    cursor: 'updated_at',
    permission: PERMISSION.users,
    pii: ['name', 'email', 'phone', 'external_id', 'avatar', 'location', 'social_profiles', 'custom_attributes'],
    schema: { component: 'contact', ...V14 },
    quickstart: true,
  },
  {
    name: 'contact_tag',
    reader: 'contacts',
    pagination: 'from-parent',
    primaryKey: ['contact_id', 'tag_id'],
    cursor: 'updated_at',
    parent: { stream: 'contacts', junction: true },
    permission: PERMISSION.users,
    schema: V14,
    quickstart: true,
  },
  {
    name: 'contact_company',
    reader: 'contacts',
    pagination: 'from-parent',
    primaryKey: ['contact_id', 'company_id'],
    cursor: 'updated_at',
    parent: { stream: 'contacts', junction: true },
    permission: PERMISSION.users,
    schema: V14,
    quickstart: true,
  },
  {
    name: 'companies',
    reader: 'companies',
    endpoint: get('/companies/scroll', 'data'),
    pagination: 'scroll',
    primaryKey: ['id'],
    cursor: 'updated_at',
    permission: PERMISSION.users,
    schema: { component: 'company', ...V14 },
    quickstart: true,
  },
  {
    name: 'company_tag',
    reader: 'companies',
    pagination: 'from-parent',
    primaryKey: ['company_id', 'tag_id'],
    cursor: 'updated_at',
    parent: { stream: 'companies', junction: true },
    permission: PERMISSION.users,
    schema: V14,
    quickstart: true,
  },
  {
    name: 'company_segment',
    reader: 'companies',
    pagination: 'from-parent',
    primaryKey: ['company_id', 'segment_id'],
    cursor: 'updated_at',
    parent: { stream: 'companies', junction: true },
    permission: PERMISSION.users,
    schema: V14,
    quickstart: true,
  },
  {
    name: 'conversations',
    reader: 'conversations',
    endpoint: post('/conversations/search', 'conversations'),
    pagination: 'search',
    primaryKey: ['id'],
    cursor: 'updated_at',
    permission: PERMISSION.conversations,
    pii: [
      'title',
      'source.subject',
      'source.body',
      'source.author.email',
      'source.author.name',
      'conversation_rating.remark',
    ],
    schema: { component: 'conversation_list_item', ...V14 },
    quickstart: true,
  },
  {
    name: 'conversation_tag',
    reader: 'conversations',
    pagination: 'from-parent',
    primaryKey: ['conversation_id', 'tag_id'],
    cursor: 'updated_at',
    parent: { stream: 'conversations', junction: true },
    permission: PERMISSION.conversations,
    schema: V14,
    quickstart: true,
  },
  {
    name: 'conversation_parts',
    reader: 'conversations',
    endpoint: get('/conversations/{conversation_id}', 'conversation_parts', 'conversation_parts'),
    pagination: 'per-parent',
    primaryKey: ['id'],
    cursor: 'updated_at',
    parent: { stream: 'conversations', key: 'conversation_id' },
    permission: PERMISSION.conversations,
    pii: [
      'body',
      'author.email',
      'author.name',
      'email_message_metadata.subject',
      'email_message_metadata.email_address_headers.email_address',
      'email_message_metadata.email_address_headers.name',
    ],
    schema: { component: 'conversation_part', ...V14 },
    partsCap: 500,
    notes: 'One request per new or changed conversation (GET /conversations/{id}), run concurrently.',
    quickstart: true,
  },
  {
    name: 'email_address_header',
    reader: 'conversations',
    pagination: 'from-parent',
    primaryKey: ['conversation_id', 'conversation_part_id', 'index'],
    cursor: 'updated_at',
    parent: { stream: 'conversation_parts', key: 'conversation_part_id' },
    permission: PERMISSION.conversations,
    pii: ['email_address', 'name'],
    schema: { component: 'email_address_header', ...V14 },
    quickstart: true,
  },
  {
    name: 'tickets',
    reader: 'tickets',
    endpoint: post('/tickets/search', 'tickets'),
    pagination: 'search',
    primaryKey: ['id'],
    cursor: 'updated_at',
    permission: PERMISSION.tickets,
    pii: ['ticket_attributes'],
    schema: { component: 'ticket', ...V14 },
    notes:
      'Needs the Read tickets permission (a token without it fails this stream with a 403 that names it). Not in catalog.quickstart.json.',
  },
  {
    name: 'ticket_parts',
    reader: 'tickets',
    endpoint: get('/tickets/{ticket_id}', 'ticket_parts', 'ticket_parts'),
    pagination: 'per-parent',
    primaryKey: ['id'],
    cursor: 'updated_at',
    parent: { stream: 'tickets', key: 'ticket_id' },
    permission: PERMISSION.tickets,
    pii: ['body', 'author.email', 'author.name'],
    schema: { component: 'ticket_part', ...V14 },
    partsCap: 500,
    notes: 'One request per new or changed ticket; needs the Read tickets permission. Not in catalog.quickstart.json.',
  },
  {
    name: 'ticket_types',
    reader: 'list',
    endpoint: get('/ticket_types', 'data'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.tickets,
    schema: { component: 'ticket_type', ...V14 },
    notes: 'Needs the Read tickets permission. Not in catalog.quickstart.json.',
  },
  {
    name: 'articles',
    reader: 'articles',
    endpoint: get('/articles', 'data'),
    pagination: 'page-number',
    primaryKey: ['id'],
    cursor: 'updated_at',
    // An article without updated_at cannot be placed in time: it is always delivered.
    cursorNullable: true,
    permission: PERMISSION.content,
    schema: { component: 'article_list_item', ...V14 },
    notes: 'Help center; needs the Read content data permission.',
  },
  // Pages are sorted by updated_at: a collection edited during the walk can appear twice (the reader drops the repeat).
  {
    name: 'collections',
    reader: 'list',
    endpoint: get('/help_center/collections', 'data'),
    pagination: 'page-number',
    perPage: 50,
    primaryKey: ['id'],
    permission: PERMISSION.content,
    schema: { component: 'collection', ...V14 },
    notes: 'Help center; needs the Read content data permission.',
  },
  {
    name: 'help_centers',
    reader: 'list',
    endpoint: get('/help_center/help_centers', 'data'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.content,
    schema: { component: 'help_center', ...V14 },
    notes: 'Help center; needs the Read content data permission.',
  },
  {
    name: 'subscription_types',
    reader: 'subscription_types',
    endpoint: get('/subscription_types', 'data'),
    pagination: 'cursor',
    primaryKey: ['id'],
    schema: { component: 'subscription_type', ...V14 },
  },
  {
    name: 'activity_logs',
    reader: 'activity_logs',
    endpoint: get('/admins/activity_logs', 'activity_logs'),
    pagination: 'time-windows',
    primaryKey: ['id'],
    cursor: 'created_at',
    permission: PERMISSION.admins,
    pii: ['performed_by.email', 'performed_by.ip'],
    schema: { component: 'activity_log', ...V14 },
    notes:
      'Admin activity, read in created_at windows from the workspace creation on a first sync; needs the Read admins permission.',
  },
  {
    name: 'events',
    reader: 'events',
    // The spec declares GET /events as data_event_summary; the real response lists data_event under `events`.
    endpoint: get('/events', 'events'),
    pagination: 'per-parent',
    primaryKey: ['id'],
    cursor: 'created_at',
    parent: { stream: 'contacts' },
    permission: PERMISSION.events,
    pii: ['email', 'user_id'],
    schema: { component: 'data_event', ...V14, endpointDeclaresOther: true },
    notes:
      'Costly: one request per contact (per contact changed since the cursor on incremental syncs), so a first sync of 100,000 contacts needs 100,000+ requests (10+ minutes at 10,000 requests/min). Needs the Read events permission. Intercom keeps only the last 90 days. Not in catalog.quickstart.json.',
  },
  {
    name: 'notes',
    reader: 'notes',
    endpoint: get('/contacts/{contact_id}/notes', 'data'),
    pagination: 'per-parent',
    primaryKey: ['id'],
    cursor: 'created_at',
    cursorNullable: true,
    parent: { stream: 'contacts', key: 'contact_id' },
    permission: PERMISSION.oneUser,
    pii: ['body', 'author.email', 'author.name'],
    schema: { component: 'note', ...V14 },
    notes:
      'Costly: one request per contact that has notes (changed since the cursor on incremental syncs). Needs the Read one user and one company permission. Not in catalog.quickstart.json.',
  },
  {
    name: 'ticket_states',
    reader: 'list',
    endpoint: get('/ticket_states', 'data'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.tickets,
    schema: { component: 'ticket_state_detailed', ...V14 },
  },
  {
    name: 'away_status_reasons',
    reader: 'list',
    endpoint: get('/away_status_reasons', 'data'),
    pagination: 'cursor',
    primaryKey: ['id'],
    permission: PERMISSION.admins,
    schema: { component: 'away_status_reason', ...V14 },
  },
  // GET /news/... declare paginated_response, whose items are news_item or newsfeed. Page sizes are the spec examples'.
  {
    name: 'news_items',
    reader: 'list',
    endpoint: get('/news/news_items', 'data'),
    pagination: 'page-number',
    perPage: 10,
    repeatEndsWalk: true,
    primaryKey: ['id'],
    permission: PERMISSION.news,
    schema: { component: 'news_item', ...V14, endpointDeclaresOther: true },
  },
  {
    name: 'newsfeeds',
    reader: 'list',
    endpoint: get('/news/newsfeeds', 'data'),
    pagination: 'page-number',
    perPage: 10,
    repeatEndsWalk: true,
    primaryKey: ['id'],
    permission: PERMISSION.news,
    schema: { component: 'newsfeed', ...V14, endpointDeclaresOther: true },
  },
  {
    name: 'internal_articles',
    reader: 'list',
    endpoint: get('/internal_articles', 'data'),
    pagination: 'page-number',
    perPage: 25,
    repeatEndsWalk: true,
    primaryKey: ['id'],
    permission: PERMISSION.articles,
    schema: { component: 'internal_article_list_item', ...V14 },
  },
  // calls: "Max 25" per page.
  {
    name: 'calls',
    reader: 'list',
    endpoint: get('/calls', 'data'),
    pagination: 'page-number',
    perPage: 25,
    repeatEndsWalk: true,
    primaryKey: ['id'],
    permission: PERMISSION.conversations,
    schema: { component: 'call', ...V14 },
  },
  {
    name: 'ai_content_sources',
    reader: 'list',
    endpoint: get('/ai/content_import_sources', 'data'),
    pagination: 'page-number',
    perPage: 50,
    repeatEndsWalk: true,
    primaryKey: ['id'],
    permission: PERMISSION.content,
    schema: { component: 'content_import_source', ...V14 },
  },
  {
    name: 'ai_external_pages',
    reader: 'list',
    endpoint: get('/ai/external_pages', 'data'),
    pagination: 'page-number',
    perPage: 50,
    repeatEndsWalk: true,
    primaryKey: ['id'],
    permission: PERMISSION.content,
    schema: { component: 'external_page', ...V14 },
  },
  // Endpoints that exist from API 2.15 on: described by the 2.15 spec and asked with Intercom-Version 2.15.
  {
    name: 'brands',
    reader: 'list',
    endpoint: get('/brands', 'data'),
    pagination: 'unpaged',
    primaryKey: ['id'],
    schema: { component: 'brand', apiVersion: '2.15' },
  },
  {
    name: 'emails',
    reader: 'list',
    endpoint: get('/emails', 'data'),
    pagination: 'unpaged',
    primaryKey: ['id'],
    schema: { component: 'email_setting', apiVersion: '2.15' },
  },
  {
    name: 'content_engagement',
    reader: 'content_engagement',
    pagination: 'export-job',
    primaryKey: ['_row_id'],
    cursor: '_time',
    permission: 'Export content data',
    schema: { component: 'data_export_csv', ...V14 },
    notes:
      'Outbound message receipts and engagement from the Content Data Export: one export job per window of send dates, run one at a time (Intercom allows one active job per workspace). Not in catalog.quickstart.json.',
  },
  {
    name: 'handling_events',
    reader: 'handling_events',
    endpoint: get('/conversations/{id}/handling_events', 'handling_events'),
    pagination: 'per-parent',
    primaryKey: ['conversation_id', 'index'],
    cursor: 'updated_at',
    parent: { stream: 'conversations', key: 'conversation_id' },
    permission: PERMISSION.conversations,
    schema: { component: 'handling_event', apiVersion: '2.15' },
    notes:
      'Intercom API 2.15 (asked with that version): one request per new or changed conversation, run concurrently. Not in catalog.quickstart.json.',
  },
];

/** Endpoints readers call that belong to no shipped stream (reporting datasets come from config). */
export const OTHER_ENDPOINTS: readonly { path: string; permission: string }[] = [
  { path: '/export/reporting_data/get_datasets', permission: 'Read reporting datasets' },
  { path: '/export/reporting_data', permission: 'Export reporting data' },
  { path: '/download/reporting_data', permission: 'Export reporting data' },
  { path: '/export/content/data', permission: 'Export content data' },
  { path: '/download/content/data', permission: 'Export content data' },
  { path: '/export/cancel', permission: 'Export content data' },
];

export function streamDefinition(name: string): StreamDefinition | undefined {
  return STREAMS.find((s) => s.name === name);
}

/** The fields a stream's schema keeps non-nullable: its key, its cursor (unless nullable) and the key joining it to its parent. */
export function keyFieldsOf(def: StreamDefinition): string[] {
  const fields = [...def.primaryKey];
  if (def.cursor && !def.cursorNullable) fields.push(def.cursor);
  if (def.parent?.key && !fields.includes(def.parent.key)) fields.push(def.parent.key);
  return fields;
}

/** full_refresh always; incremental when the stream has a cursor. */
export function syncModesOf(def: StreamDefinition): ('full_refresh' | 'incremental')[] {
  return def.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'];
}

/** What the engine needs of a table entry: name, key and cursor. */
export function specOf(def: StreamDefinition): StreamSpec {
  return { name: def.name, primaryKey: [...def.primaryKey], ...(def.cursor ? { cursorField: def.cursor } : {}) };
}

/** The streams a code reader yields, parent first, as the table lists them. */
export function streamsOfReader(reader: CodeReader): StreamSpec[] {
  return STREAMS.filter((s) => s.reader === reader).map(specOf);
}

/** Where a stream's records are listed (a single-key records path), for the code readers. */
export function endpointOf(name: StreamName): { path: string; recordsKey: string } {
  const endpoint = streamDefinition(name)?.endpoint;
  if (!endpoint || endpoint.recordsKey.length !== 1)
    throw new Error(`stream table: ${name} has no endpoint with a one-key records path`);
  return { path: endpoint.path, recordsKey: endpoint.recordsKey[0]! };
}
