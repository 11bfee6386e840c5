/** Public types of the fake Intercom server. */
export type NextShape = 'url' | 'cursor' | 'pages';

/** How the fake shapes list answers (see shapes.ts). */
export interface ListShapes {
  next: NextShape;
  totalCount: 'number' | 'null';
  /** 'schema': the schema's records key; 'alternate': the other documented key (where there is one). */
  recordsKey: 'schema' | 'alternate';
  /** Records per page at most, whatever per_page asks (Intercom may send fewer than asked). */
  pageSize: number;
}

export interface WorkspaceSize {
  contacts: number;
  companies: number;
  conversations: number;
  tickets: number;
  admins: number;
  teams: number;
  tags: number;
  segments: number;
  articles: number;
  collections: number;
  helpCenters: number;
  subscriptionTypes: number;
  ticketTypes: number;
  activityLogs: number;
  /** Average number of data events per contact (0..2*avg, uniform). */
  eventsPerContact: number;
  /** Average number of notes per contact (0..2*avg, uniform; a few contacts get 11-14). */
  notesPerContact: number;
  /** Average number of parts per conversation (1..2*avg-1, uniform). */
  partsPerConversation: number;
  /** Average number of parts per ticket. */
  partsPerTicket: number;
  /** Number of conversations with more than 500 parts (only 500 are retrievable). */
  largeConversations: number;
  /** Number of tickets with more than 500 parts. */
  largeTickets: number;
}

export type FaultKind = 'status' | 'reset' | 'truncate' | 'hang' | 'malformed' | '429' | 'records';

export interface FaultRule {
  /** 'METHOD /path' matched exactly, otherwise used as a RegExp tested against 'METHOD /path'. Absent: every API request. */
  route?: string;
  kind: FaultKind;
  /** HTTP status for kind 'status' (default 500). */
  status?: number;
  /** For kind '429': send X-RateLimit-* headers (default true). */
  withHeaders?: boolean;
  /** How many matching requests it hits (default 1; -1 or Infinity = unlimited). */
  times?: number;
  /** Skip the first N matching requests. */
  after?: number;
  /** Probability (0..1) that an eligible request is hit; drawn from the seeded RNG. */
  probability?: number;
  /**
   * For kind 'records' (a 200 list answer is rewritten), each rewrite in turn: records whose id is
   * in `ids` get `set` fields and lose `unset` ones; `nulls` null items are appended to the list.
   */
  records?: RecordRewrite[];
}

export interface RecordRewrite {
  ids?: string[];
  set?: Record<string, unknown>;
  unset?: string[];
  nulls?: number;
}

export type MutableStream = 'contacts' | 'companies' | 'conversations' | 'tickets';

export interface MutationSpec {
  stream: MutableStream;
  /** Number of existing (not deleted) records to update (picked with the seeded RNG). */
  update?: number;
  /** Number of records to create. */
  create?: number;
  /** Number of existing records to delete. */
  delete?: number;
  /** Unix seconds used as updated_at/created_at (default: the fake's current time). */
  at?: number;
  /**
   * Explicit target ids. They are deleted when `delete` is given and `update` is not; otherwise
   * they are updated. Unknown ids are ignored (and not returned).
   */
  ids?: string[];
}

export interface MutationResult {
  stream: MutableStream;
  at: number;
  /** Virtual time at which the changes become visible to search (at mutation time + indexLagSeconds). */
  visibleAt: number;
  updated: string[];
  created: string[];
  deleted: string[];
}

export interface MutateEvery {
  /** Apply `spec` after every N counted API requests. */
  requests: number;
  spec: MutationSpec;
}

export interface FakeIntercomOptions {
  seed?: number;
  token?: string;
  now?: number;
  size?: Partial<WorkspaceSize>;
  latencyMs?: number;
  jitterMs?: number;
  ratePer10s?: number;
  indexLagSeconds?: number;
  faults?: FaultRule[];
  port?: number;
  /** Scroll idle expiry in seconds (default 60). */
  scrollIdleSeconds?: number;
  /** Companies per scroll page (default 50). */
  scrollPageSize?: number;
  /** Widest created_at window accepted by GET /admins/activity_logs before it answers 500 (default 30). */
  activityLogMaxWindowDays?: number;
  /**
   * Serve lists in varied documented shapes (shapes.ts): 'seed' picks them from the seed, or give
   * them explicitly. Absent: every list keeps its one usual shape.
   */
  shapes?: 'seed' | ListShapes;
  /** Apply a mutation every N requests while a sync runs. */
  mutateEvery?: MutateEvery;
  /** Host to bind (default 127.0.0.1). */
  host?: string;
  /**
   * Render every contact, conversation, ticket and company into the response cache before
   * listening (default false): startup takes longer (~15 us and ~2 KB per record) so that the
   * first read of each record costs what later reads cost (benchmarks of the connector's CPU).
   */
  prerender?: boolean;
}

export interface WindowCount {
  /** Unix seconds at which the 10-second window starts. */
  start: number;
  count: number;
}

export interface FakeStats {
  /** API requests received (control endpoints are not counted). */
  totalRequests: number;
  /** Count per route template, e.g. 'GET /conversations/{id}'. Unknown routes are counted under their raw path. */
  byRoute: Record<string, number>;
  /**
   * Latency the fake drew for the requests of each route template (ms, summed; latency ± jitter):
   * the bench's lower bound of a chain of dependent requests uses what this run's chain really
   * waited, not the mean.
   */
  latencyMsByRoute: Record<string, number>;
  /** Count per final HTTP status ('reset' / 'hang' for connections that never got a full answer). */
  byStatus: Record<string, number>;
  /** 429 answers (rate limit and injected). */
  rateLimited: number;
  /** Faults injected so far. */
  faultsInjected: number;
  currentInFlight: number;
  maxInFlight: number;
  /** Requests per wall-clock aligned 10-second window (oldest first, last 360 windows). */
  windows: WindowCount[];
  /** Mutations applied through mutateEvery. */
  autoMutations: number;
}

export interface TruncatedInfo {
  id: string;
  /** statistics.count_conversation_parts (or all ticket parts). */
  total_parts: number;
  /** Parts returned by GET (at most 500). */
  retrievable_parts: number;
  missing: number;
}

export interface GroundTruth {
  contacts: string[];
  companies: string[];
  conversations: string[];
  /** Retrievable parts only (the 500 most recent per conversation). */
  conversation_parts: string[];
  tickets: string[];
  ticket_parts: string[];
  admins: string[];
  teams: string[];
  tags: string[];
  segments: string[];
  /** 'model|name' (built-in data attributes have no id). */
  data_attributes: string[];
  ticket_types: string[];
  subscription_types: string[];
  articles: string[];
  collections: string[];
  help_centers: string[];
  activity_logs: string[];
  /** Events listable now (created in the last 90 days). */
  events: string[];
  notes: string[];
  team_admin: string[];
  contact_tag: string[];
  contact_company: string[];
  company_tag: string[];
  company_segment: string[];
  conversation_tag: string[];
  conversation_contact: string[];
  ticket_contact: string[];
  /** 'conversationId|partId|index' for retrievable parts. */
  email_address_header: string[];
  truncated: { conversations: TruncatedInfo[]; tickets: TruncatedInfo[] };
}
