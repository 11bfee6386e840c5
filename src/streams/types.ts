import type { SourceConfig } from '../config/source-config.js';
import type { JsonObject, Logger } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';

export type SyncMode = 'full_refresh' | 'incremental';

/** What a stream is, independent of where its records come from. */
export interface StreamSpec {
  name: string;
  /** Field names of the (possibly composite) primary key. */
  primaryKey: string[];
  /** Set for streams that support incremental sync. */
  cursorField?: string;
}

export type ReaderItem =
  | { kind: 'record'; stream: string; record: JsonObject }
  /**
   * Many records of one stream at once (a page): the engine handles them without a turn of the
   * event loop each. `owned`: the reader keeps no reference to them, so data controls may rewrite
   * them in place instead of copying.
   */
  | { kind: 'records'; stream: string; records: JsonObject[]; owned?: boolean }
  /** Everything yielded before this is safe: on resume, reading restarts from `state`. */
  /** `immediate`: emit this STATE now, not at the next threshold (e.g. it names a server-side job to resume). */
  | { kind: 'checkpoint'; state: JsonObject; immediate?: boolean }
  | { kind: 'estimate'; stream: string; rows: number }
  /**
   * Something of the stream could not be delivered (a parent whose detail Intercom refused, a
   * record without its primary key). The reader goes on with the rest; its checkpoints already
   * stop before the gap, and the engine ends the reader's streams INCOMPLETE with this reason.
   */
  | { kind: 'incomplete'; stream: string; reason: string };

export interface ReadContext {
  client: IntercomClient;
  config: SourceConfig;
  logger: Logger;
  /** The streams of this reader that the catalog selected. */
  selected: ReadonlySet<string>;
  /** The reader's state from the previous sync; undefined on a full refresh or first sync. */
  state: JsonObject | undefined;
  /** Unix seconds when the sync started. */
  syncStartedAt: number;
  /** Aborted on SIGTERM/SIGINT (readers holding a server-side job cancel it). */
  signal?: AbortSignal;
}

/** See Reader.holds. */
export interface ReaderClaim {
  resource: string;
  limit: number;
}

/**
 * One walk over one Intercom endpoint family. Its first stream is the parent; junction streams
 * (team_admin, contact_tag, ...) come from the same records in the same pass.
 */
export interface Reader {
  streams: StreamSpec[];
  read(ctx: ReadContext): AsyncGenerator<ReaderItem>;
  /**
   * A resource Intercom limits per workspace that the reader holds for its whole run (the one
   * companies scroll per app, the pending reporting export jobs): the sync runs at most `limit`
   * readers holding the same `resource` at once; the others start when one of them ends.
   */
  holds?: ReaderClaim;
}
