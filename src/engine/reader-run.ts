import type { JsonObject } from '../core/events.js';
import type { Reader, ReaderItem } from '../streams/types.js';
import { Checkpointer } from './checkpointer.js';
import type { SyncContext } from './context.js';
import { deliverBatch, SyncInterrupted, untilAborted } from './delivery.js';
import { EstimateGate } from './estimates.js';
import { fail, finishComplete, finishWithGaps, Gaps } from './outcome.js';

/** One reader's run within a sync: its selected streams, counts, checkpoints and gaps. */
class ReaderRun {
  readonly counts: Map<string, number>;
  readonly checkpoints: Checkpointer;
  readonly gaps = new Gaps();
  private readonly running = new Set<string>();
  private readonly selectedSet: Set<string>;
  private readonly estimates = new EstimateGate();

  constructor(
    readonly ctx: SyncContext,
    readonly selected: readonly string[],
  ) {
    this.selectedSet = new Set(selected);
    this.counts = new Map(selected.map((name) => [name, 0]));
    const streams = selected.map((name) => ({ name, output: ctx.out(name) }));
    this.checkpoints = new Checkpointer(streams, ctx.sink, {
      records: ctx.checkpointEveryRecords,
      ms: ctx.checkpointEveryMs,
    });
  }

  /** The state the reader resumes from: only when every stream of it is incremental and has state. */
  startState(): JsonObject | undefined {
    const incremental = this.selected.every((name) => this.ctx.selectedByName.get(name)?.syncMode === 'incremental');
    // A stream newly added to the catalog has no state: the whole reader starts over for it.
    const states = this.selected.map((name) => this.ctx.stateOf(name));
    return incremental && states.every((s) => s !== undefined) ? states[0] : undefined;
  }

  async handle(item: ReaderItem, signal: AbortSignal): Promise<void> {
    const { ctx } = this;
    if (item.kind === 'record' || item.kind === 'records') {
      const records = item.kind === 'record' ? [item.record] : item.records;
      await this.deliver(item.stream, records, item.kind === 'records' && item.owned === true, signal);
    } else if (item.kind === 'checkpoint') {
      await this.checkpoints.checkpoint(item.state, item.immediate === true);
    } else if (item.kind === 'estimate') {
      if (this.selectedSet.has(item.stream) && this.estimates.admit(item.stream, item.rows)) {
        await ctx.sink.emit({ type: 'estimate', stream: ctx.out(item.stream), rowEstimate: item.rows });
      }
    } else if (item.kind === 'incomplete') {
      this.gaps.add(`${ctx.out(item.stream)}: ${item.reason}`);
    }
  }

  private async deliver(
    stream: string,
    records: readonly JsonObject[],
    owned: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const plan = this.ctx.plans.get(stream);
    if (!plan || !this.selectedSet.has(stream) || records.length === 0) return;
    if (!this.running.has(stream)) {
      this.running.add(stream);
      await this.ctx.sink.emit({ type: 'status', stream: plan.outputName, status: 'RUNNING' });
    }
    await deliverBatch(
      { plan, records, owned },
      { sink: this.ctx.sink, logger: this.ctx.logger, signal },
      (emitted) => {
        this.counts.set(stream, (this.counts.get(stream) ?? 0) + emitted);
        this.checkpoints.delivered(stream, emitted);
      },
    );
  }
}

/**
 * Runs one reader to its end and reports its streams' outcome. Returns true when its failure stops
 * the whole run (revoked token, unreachable host, interruption).
 */
export async function runReader(
  ctx: SyncContext,
  reader: Reader,
  selected: readonly string[],
  signal: AbortSignal,
): Promise<boolean> {
  const run = new ReaderRun(ctx, selected);
  const startState = run.startState();
  for (const name of selected) await ctx.sink.emit({ type: 'status', stream: ctx.out(name), status: 'STARTED' });
  const startedAt = Date.now();
  const { client, config, logger } = ctx.opts;
  const iterator = reader.read({
    client,
    config,
    logger,
    selected: new Set(selected),
    state: startState,
    syncStartedAt: ctx.syncStartedAt,
    signal,
  });
  try {
    // A signal must not wait for a slow request or a rate-limit pause to end: race it.
    for (
      let next = await untilAborted(iterator.next(), signal);
      !next.done;
      next = await untilAborted(iterator.next(), signal)
    ) {
      await run.handle(next.value, signal);
    }
    await run.checkpoints.finish(startState);
    if (run.gaps.count > 0) await finishWithGaps(ctx, selected, run.counts, run.gaps);
    else await finishComplete(ctx, selected, run.counts, startedAt);
    return false;
  } catch (err) {
    if (err instanceof SyncInterrupted) void iterator.return(undefined).catch(() => undefined);
    await run.checkpoints.flushPending();
    return fail(ctx, selected, run.counts, err);
  }
}
