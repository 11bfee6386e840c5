import { setMaxListeners } from 'node:events';
import type { SourceConfig } from '../config/source-config.js';
import type { EventSink, JsonObject, Logger } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';
import type { Reader } from '../streams/types.js';
import type { SelectedStream } from '../transform/selected-stream.js';
import type { StreamPlan } from '../transform/stream-plans.js';
import type { StreamNaming } from '../transform/naming.js';

export interface SyncOptions {
  client: IntercomClient;
  config: SourceConfig;
  sink: EventSink;
  logger: Logger;
  selected: SelectedStream[];
  inputState: Map<string, JsonObject>;
  /** Emit a STATE at the first checkpoint after this many records ... */
  checkpointEveryRecords?: number;
  /** ... or after this many milliseconds, whichever comes first. */
  checkpointEveryMs?: number;
  /** Aborted on SIGTERM/SIGINT: stop at the next item, emit the last safe STATE, report INCOMPLETE. */
  signal?: AbortSignal;
  /** The data controls of each selected stream (compiled from config and selection when absent). */
  plans?: Map<string, StreamPlan>;
  /** Readers running at once, at most (default: the max_parallel_readers setting). */
  parallelReaders?: number;
  /** The readers to run (default: every reader of the config); tests pass their own. */
  readers?: readonly Reader[];
}

export interface SyncResult {
  failedStreams: string[];
  recordCounts: Map<string, number>;
}

/**
 * Everything one sync shares across its readers: the options, the streams' output names and
 * state, the result, and the stop switch that a run-wide failure or the caller's signal throws.
 */
export class SyncContext {
  readonly result: SyncResult = { failedStreams: [], recordCounts: new Map() };
  readonly syncStartedAt = Math.floor(Date.now() / 1000);
  readonly selectedByName: Map<string, SelectedStream>;
  /** Fired by the caller's signal and by a failure that stops the whole run. */
  readonly stop = new AbortController();
  /** Emit a STATE after this many records or this many milliseconds, whichever comes first. */
  readonly checkpointEveryRecords: number;
  readonly checkpointEveryMs: number;
  /** Readers running at once, at most (max_parallel_readers). */
  readonly parallelReaders: number;
  /** Set once a run-wide failure was reported: the same failure in other streams is not repeated. */
  runFailureReported = false;

  constructor(
    readonly opts: SyncOptions,
    readonly plans: Map<string, StreamPlan>,
    private readonly naming: StreamNaming,
  ) {
    this.selectedByName = new Map(opts.selected.map((s) => [s.name, s]));
    this.checkpointEveryRecords = opts.checkpointEveryRecords ?? opts.config.settings.checkpoint_every_records;
    this.checkpointEveryMs = opts.checkpointEveryMs ?? opts.config.settings.checkpoint_every_seconds * 1000;
    this.parallelReaders = opts.parallelReaders ?? opts.config.settings.max_parallel_readers;
    // Each running reader listens on the stop signal twice at most (its next page, a full batch's
    // delivery), and removes each listener when that step settles: that many listeners are the
    // design, not a leak, and Node's default of 10 printed a MaxListenersExceededWarning to stderr
    // with 6 readers or more.
    setMaxListeners(2 * this.parallelReaders + 10, this.stop.signal);
  }

  get sink(): EventSink {
    return this.opts.sink;
  }

  get logger(): Logger {
    return this.opts.logger;
  }

  /** State, catalog and every message use the streams' output names (stream_prefix, stream_aliases). */
  out(name: string): string {
    return this.naming.output(name);
  }

  stateOf(name: string): JsonObject | undefined {
    const own = this.opts.inputState.get(this.out(name));
    if (own !== undefined) return own;
    // State written before an alias was configured is still found under the stream's own name.
    return this.naming.stream(name) === undefined ? this.opts.inputState.get(name) : undefined;
  }

  /** True when another stream's failure (not the caller's signal) stopped the sync. */
  stoppedByOther(): boolean {
    return this.stop.signal.aborted && this.opts.signal?.aborted !== true;
  }

  /** Warns about state entries of streams this connector does not have (a typo, or a removed stream). */
  warnUnknownState(readers: readonly Reader[]): void {
    for (const name of this.opts.inputState.keys()) {
      const stream = this.naming.stream(name) ?? name;
      if (!readers.some((r) => r.streams.some((s) => s.name === stream))) {
        this.logger.warn(
          `The state has an entry for stream '${name}', which this connector does not have; it is ignored.`,
        );
      }
    }
  }

  /** Ends streams INCOMPLETE and counts them failed (with their record counts when they ran). */
  async endIncomplete(names: readonly string[], counts?: ReadonlyMap<string, number>): Promise<void> {
    for (const name of names) {
      if (counts) this.result.recordCounts.set(this.out(name), counts.get(name) ?? 0);
      this.result.failedStreams.push(this.out(name));
      await this.sink.emit({ type: 'status', stream: this.out(name), status: 'INCOMPLETE' });
    }
  }
}
