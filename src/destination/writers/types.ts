import type { JsonObject, Logger } from '../../core/events.js';

export type Operation = 'create' | 'update' | 'upsert' | 'delete' | 'attach' | 'detach';
export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** What a write did, for the summary: created / updated / deleted, written (neither, e.g. an event or a tag), skipped (already done). */
export type OutcomeKind = 'created' | 'updated' | 'deleted' | 'written' | 'skipped';

export interface PlannedRequest {
  method: HttpMethod | 'GET';
  path: string;
  body?: unknown;
  /** When the request is conditional (upserts): which case sends it. */
  when?: string;
}

export interface WriteOutcome {
  kind: OutcomeKind;
  id?: string;
  /** Why a write was skipped or took an unusual path (logged). */
  note?: string;
}

export interface SendRequest {
  method: HttpMethod | 'GET';
  path: string;
  json?: unknown;
  query?: Record<string, string | number>;
  /** Resolve undefined on 404 instead of failing. */
  allow404?: boolean;
}

/**
 * Checks Intercom for a non-idempotent write whose answer was lost. `since` (Unix seconds) bounds
 * the search to this attempt; undefined after a crash, when the first attempt's time is unknown.
 */
export type Verifier = (since: number | undefined) => Promise<boolean>;

/** What a writer may use while running one record: the shared client behind a few helpers. */
export interface WriteContext {
  stream: string;
  operation: Operation;
  logger: Logger;
  /** One request through the shared client (retried there); the answer goes to the responses file. */
  send<T>(req: SendRequest): Promise<T | undefined>;
  /**
   * A non-idempotent request (a note, a reply, a ticket): sent at most once across runs (ledger),
   * and after an ambiguous failure re-sent only when `verify` says it did not land.
   */
  sendOnce<T>(req: SendRequest, verify?: Verifier): Promise<{ body?: T; skipped?: string }>;
  sleep(ms: number): Promise<void>;
  /** Base delay for writer-level retries (409 after a create). */
  retryBaseMs: number;
  /** Per-run memory of identifier -> Intercom id (contacts), so a second record for the same person skips the lagging search. */
  identities: Map<string, string>;
}

/** A validated record, ready to run. */
export interface PreparedWrite {
  /** Records sharing any key (across streams: `contact:ext:42`) are written in input order. */
  keys: string[];
  /** The requests it would send (dry run). */
  plan: PlannedRequest[];
  run(ctx: WriteContext): Promise<WriteOutcome>;
}

/** Reports a record field the API does not accept (logged once per stream and field). */
export type DropReporter = (field: string) => void;

/**
 * A request a writer sends whose path is filled from record values. Every such path is built by
 * buildPath (src/destination/url-path.ts) from `template`, whose {placeholders} are named after the
 * record fields that fill them; the engine checks those fields before the writer sees the record.
 */
export interface WriterRoute {
  operations: readonly Operation[];
  method: HttpMethod | 'GET';
  template: string;
  /** A minimal record that sends this request with operations[0] (documentation and the hostile-input tests). */
  example: JsonObject;
}

export interface ObjectWriter {
  readonly object: string;
  /** Every request path of this writer that a record value fills. */
  readonly routes: readonly WriterRoute[];
  readonly operations: readonly Operation[];
  readonly defaultOperation: Operation;
  /** Validates and shapes one record; throws RecordInvalid for a record that must not be sent. */
  prepare(record: JsonObject, operation: Operation, dropped: DropReporter): PreparedWrite;
}

/** A record that fails validation: it never reaches the API. `code` is its dead-letter reason. */
export class RecordInvalid extends Error {
  constructor(
    message: string,
    readonly code: string = 'invalid_record',
  ) {
    super(message);
    this.name = 'RecordInvalid';
  }
}

/** A record that could not be written for a reason other than an HTTP answer (no match, unknown outcome). */
export class RecordRejected extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RecordRejected';
  }
}
