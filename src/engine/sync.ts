import { readersFor } from '../streams/registry.js';
import type { Reader } from '../streams/types.js';
import { compileStreamPlans, configuredStreams } from '../transform/stream-plans.js';
import { SyncContext, type SyncOptions, type SyncResult } from './context.js';
import { runReader } from './reader-run.js';
import { runScheduled } from './scheduler.js';

export type { SyncOptions, SyncResult } from './context.js';
export { SyncInterrupted } from './delivery.js';

/**
 * Runs every reader that has a selected stream, side by side (at most max_parallel_readers at
 * once, and never more readers holding a resource than Intercom allows per workspace, see
 * Reader.holds), routes records to the sink, and turns each reader's checkpoints into its own
 * streams' STATE. A failing reader marks its streams INCOMPLETE and the others still run; a
 * failure of the whole run (revoked token, unreachable host, signal) stops every reader with one
 * error, each stream ending INCOMPLETE with its last safe STATE.
 */
export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const readers = opts.readers ?? readersFor(opts.config);
  const plans = opts.plans ?? compileStreamPlans(opts.config, opts.selected);
  const ctx = new SyncContext(opts, plans, configuredStreams(opts.config).naming);
  ctx.warnUnknownState(readers);
  // `stop` carries the caller's signal and is also fired by a failure that stops everything.
  const forward = () => ctx.stop.abort(opts.signal?.reason);
  if (opts.signal?.aborted) forward();
  else opts.signal?.addEventListener('abort', forward, { once: true });
  try {
    await runReaders(ctx, readers);
  } finally {
    opts.signal?.removeEventListener('abort', forward);
  }
  return ctx.result;
}

async function runReaders(ctx: SyncContext, readers: readonly Reader[]): Promise<void> {
  const { stop } = ctx;
  const tasks = readers.flatMap((reader) => {
    const selected = reader.streams.filter((s) => ctx.selectedByName.has(s.name)).map((s) => s.name);
    if (selected.length === 0) return [];
    const run = async (): Promise<void> => {
      const stopsRun = await runReader(ctx, reader, selected, stop.signal);
      if (stopsRun && !stop.signal.aborted) stop.abort('another stream failed in a way that stops the whole sync');
    };
    return [{ selected, run, ...(reader.holds ? { claim: reader.holds } : {}) }];
  });
  const unstarted = await runScheduled(tasks, {
    parallel: ctx.parallelReaders,
    canStart: () => !stop.signal.aborted,
    // The sink failed (stdout closed, say): stop the readers still running, then report it.
    onBroken: () => stop.abort('the sync failed'),
  });
  await ctx.endIncomplete(unstarted.flatMap((task) => task.selected));
}
