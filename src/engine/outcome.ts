import { ConnectorError, errorMessage, failureScope } from '../core/errors.js';
import type { SyncContext } from './context.js';
import { SyncInterrupted } from './delivery.js';

/** How many skipped items a gap report names (a hostile server could send millions). */
const NAMED_GAPS = 10;

/** What a reader could not deliver while it went on (skipped parents, records without a key). */
export class Gaps {
  readonly named: string[] = [];
  count = 0;

  add(what: string): void {
    if (this.count++ < NAMED_GAPS) this.named.push(what);
  }
}

/** The reader finished and delivered everything: its streams are COMPLETE. */
export async function finishComplete(
  ctx: SyncContext,
  selected: readonly string[],
  counts: ReadonlyMap<string, number>,
  startedAt: number,
): Promise<void> {
  for (const name of selected) {
    const count = counts.get(name) ?? 0;
    ctx.result.recordCounts.set(ctx.out(name), count);
    await ctx.sink.emit({ type: 'status', stream: ctx.out(name), status: 'COMPLETE' });
    ctx.logger.info(`Stream ${ctx.out(name)}: ${count} records in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
  }
}

/**
 * The reader finished but left gaps: one TRACE ERROR naming them, and every stream of the reader
 * INCOMPLETE (they share one state, which stops before the first gap).
 */
export async function finishWithGaps(
  ctx: SyncContext,
  selected: readonly string[],
  counts: ReadonlyMap<string, number>,
  gaps: Gaps,
): Promise<void> {
  const streamName = ctx.out(selected[0]!);
  const named = gaps.named.join('; ');
  const more =
    gaps.count > gaps.named.length ? `; and ${gaps.count - gaps.named.length} more (see the WARN lines)` : '';
  await ctx.sink.emit({
    type: 'error',
    stream: streamName,
    message: `Stream ${streamName}: ${gaps.count} item(s) could not be read and were skipped (${named}${more}). Everything else was delivered; the STATE stops before the first of them, so the next sync reads them again.`,
    failureType: 'system_error',
  });
  await ctx.endIncomplete(selected, counts);
}

/**
 * The reader failed: one TRACE ERROR (unless another stream already reported the failure that
 * stopped the run), its streams INCOMPLETE. Returns true when the failure stops the whole run.
 */
export async function fail(
  ctx: SyncContext,
  selected: readonly string[],
  counts: ReadonlyMap<string, number>,
  err: unknown,
): Promise<boolean> {
  const stopsRun = stopsTheRun(ctx, err);
  const reported = alreadyReported(ctx, err, stopsRun);
  // Set before the await: a reader running beside this one may fail the same way meanwhile.
  if (stopsRun && !(err instanceof SyncInterrupted)) ctx.runFailureReported = true;
  if (!reported) await reportError(ctx, selected, err);
  await ctx.endIncomplete(selected, counts);
  return stopsRun;
}

/** A revoked token or a dead host fails everything; a missing permission only this stream, unless the user asked otherwise. */
function stopsTheRun(ctx: SyncContext, err: unknown): boolean {
  const scope = failureScope(err);
  if (scope === 'run' || err instanceof SyncInterrupted) return true;
  return scope === 'permission' && ctx.opts.config.settings.fail_on_missing_permission;
}

/**
 * Stopped by another stream's failure: that stream reports the error, this one only ends
 * INCOMPLETE (as the streams that never started do). The same holds for a run-wide failure that a
 * reader running beside this one hit as well (every reader hits the same dead host at once).
 */
function alreadyReported(ctx: SyncContext, err: unknown, stopsRun: boolean): boolean {
  if (err instanceof SyncInterrupted) return ctx.stoppedByOther();
  return stopsRun && ctx.runFailureReported;
}

async function reportError(ctx: SyncContext, selected: readonly string[], err: unknown): Promise<void> {
  const connectorError = err instanceof ConnectorError ? err : undefined;
  const streamName = ctx.out(selected[0]!);
  await ctx.sink.emit({
    type: 'error',
    stream: streamName,
    message: connectorError
      ? `Stream ${streamName}: ${connectorError.message}`
      : `Stream ${streamName} failed: ${errorMessage(err)}`,
    internalMessage:
      connectorError?.internalMessage ?? (err instanceof Error ? `${err.name}: ${err.message}` : undefined),
    failureType: connectorError?.failureType ?? 'system_error',
  });
}
