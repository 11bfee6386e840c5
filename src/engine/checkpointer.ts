import type { EventSink, JsonObject } from '../core/events.js';

/**
 * Turns a reader's checkpoints into STATE messages for its streams: at an immediate checkpoint,
 * or at the first one after N records or N milliseconds. Between emits it holds the latest
 * checkpoint, so a failure can still emit everything that is safe.
 */
export class Checkpointer {
  private pending: JsonObject | undefined;
  private lastEmitted: JsonObject | undefined;
  private lastEmitAt = Date.now();
  private recordsSinceEmit = 0;
  /** Records per stream since its last STATE (the STATE's record count). */
  private readonly sinceState: Map<string, number>;

  constructor(
    private readonly streams: readonly { name: string; output: string }[],
    private readonly sink: EventSink,
    private readonly every: { records: number; ms: number },
  ) {
    this.sinceState = new Map(streams.map((s) => [s.name, 0]));
  }

  delivered(stream: string, records: number): void {
    this.sinceState.set(stream, (this.sinceState.get(stream) ?? 0) + records);
    this.recordsSinceEmit += records;
  }

  async checkpoint(state: JsonObject, immediate: boolean): Promise<void> {
    this.pending = state;
    const due =
      immediate || this.recordsSinceEmit >= this.every.records || Date.now() - this.lastEmitAt >= this.every.ms;
    if (due) await this.emit(state);
  }

  /** The reader finished: its last checkpoint, or the state it started from. */
  async finish(startState: JsonObject | undefined): Promise<void> {
    await this.emit(this.pending ?? this.lastEmitted ?? startState ?? {});
  }

  /** The reader failed: everything before its last checkpoint is safe, so say so first. */
  async flushPending(): Promise<void> {
    if (this.pending) await this.emit(this.pending);
  }

  private async emit(state: JsonObject): Promise<void> {
    for (const { name, output } of this.streams) {
      await this.sink.emit({ type: 'state', stream: output, state, recordCount: this.sinceState.get(name) ?? 0 });
      this.sinceState.set(name, 0);
    }
    this.lastEmitted = state;
    this.pending = undefined;
    this.lastEmitAt = Date.now();
    this.recordsSinceEmit = 0;
  }
}
