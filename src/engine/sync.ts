import { readersFor } from '../streams/registry.js';
import type { Reader } from '../streams/types.js';
import { compileStreamPlans, configuredStreams } from '../transform/stream-plans.js';
import { SyncContext, type SyncOptions, type SyncResult } from './context.js';
import { runReader } from './reader-run.js';

export type { SyncOptions, SyncResult } from './context.js';
export { SyncInterrupted } from './delivery.js';

/**
 * Runs every reader that has a selected stream, routes records to the sink, and turns the
 * readers' checkpoints into per-stream STATE. A failing reader marks its streams INCOMPLETE and
 * the others still run; a failure of the whole run (revoked token, unreachable host) stops
 * everything with one error.
 */
export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const readers = opts.readers ?? readersFor(opts.config);
  const plans = opts.plans ?? compileStreamPlans(opts.config, opts.selected);
  const ctx = new SyncContext(opts, plans, configuredStreams(opts.config).naming);
  ctx.warnUnknownState(readers);
  // Readers run one after another, except `alongside` readers (a scroll), which run next to the
  // readers after them. A failure that stops everything (revoked token, signal) stops those too:
  // `stop` carries the caller's signal and is also fired by such a failure.
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
  const run = async (reader: Reader, selected: string[]): Promise<boolean> => {
    const stopsRun = (await runReader(ctx, reader, selected, stop.signal)) || stop.signal.aborted;
    if (stopsRun && !stop.signal.aborted) stop.abort('another stream failed in a way that stops the whole sync');
    return stopsRun;
  };
  const unstartedStreams = (from: number): string[] =>
    readers.slice(from).flatMap((r) => r.streams.map((s) => s.name).filter((name) => ctx.selectedByName.has(name)));
  const alongside: Promise<boolean>[] = [];
  try {
    for (const [index, reader] of readers.entries()) {
      const selected = reader.streams.filter((s) => ctx.selectedByName.has(s.name)).map((s) => s.name);
      if (selected.length === 0) continue;
      if (stop.signal.aborted) {
        await ctx.endIncomplete(unstartedStreams(index));
        break;
      }
      if (reader.alongside) {
        const running = run(reader, selected);
        // Handled here so that a failure while the next readers run is not an unhandled rejection;
        // Promise.all below still rejects with it.
        running.catch(() => undefined);
        alongside.push(running);
        continue;
      }
      if (await run(reader, selected)) {
        await ctx.endIncomplete(unstartedStreams(index + 1));
        break;
      }
    }
    await Promise.all(alongside);
  } catch (err) {
    // The sink failed (stdout closed, say): stop what still runs beside, then report the failure.
    if (!stop.signal.aborted) stop.abort('the sync failed');
    await Promise.allSettled(alongside);
    throw err;
  }
}
