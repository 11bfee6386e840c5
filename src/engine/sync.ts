import type { SourceConfig } from '../config/source-config.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import type { EventSink, JsonObject, Logger } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';
import { IntercomApiError } from '../intercom/errors.js';
import { readersFor } from '../streams/registry.js';
import type { Reader } from '../streams/types.js';
import { compileStreamPlans, configuredStreams, type StreamPlan } from '../transform/stream-plans.js';
import type { SelectedStream } from './catalog.js';
import { EstimateGate } from './estimates.js';

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
  /** The readers to run (default: every reader of the config); tests pass their own. */
  readers?: readonly Reader[];
}

/** Thrown inside a reader's loop when the sync was asked to stop. */
export class SyncInterrupted extends ConnectorError {
  constructor(reason: string) {
    super(`The sync was interrupted (${reason}). The last STATE is safe to resume from; run again to continue.`, { failureType: 'transient_error' });
    this.name = 'SyncInterrupted';
  }
}

export interface SyncResult {
  failedStreams: string[];
  recordCounts: Map<string, number>;
}

/**
 * Runs every reader that has a selected stream, routes records to the sink, and turns the
 * readers' checkpoints into per-stream STATE. A failing reader marks its streams INCOMPLETE and
 * the others still run; a rejected token stops everything.
 */
export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const { sink, logger } = opts;
  const byName = new Map(opts.selected.map((s) => [s.name, s]));
  const readers = opts.readers ?? readersFor(opts.config);
  const { naming } = configuredStreams(opts.config);
  const plans = opts.plans ?? compileStreamPlans(opts.config, opts.selected);
  // State, catalog and every message use the streams' output names (stream_prefix, stream_aliases).
  const out = (name: string): string => naming.output(name);
  for (const name of opts.inputState.keys()) {
    const stream = naming.stream(name) ?? name;
    if (!readers.some((r) => r.streams.some((s) => s.name === stream))) logger.warn(`The state has an entry for stream '${name}', which this connector does not have; it is ignored.`);
  }
  const stateOf = (name: string): JsonObject | undefined => {
    const own = opts.inputState.get(out(name));
    if (own !== undefined) return own;
    // State written before an alias was configured is still found under the stream's own name.
    return naming.stream(name) === undefined ? opts.inputState.get(name) : undefined;
  };
  const result: SyncResult = { failedStreams: [], recordCounts: new Map() };
  const syncStartedAt = Math.floor(Date.now() / 1000);

  // Readers run one after another, except `alongside` readers (a scroll), which run next to the
  // readers after them. A failure that stops everything (revoked token, signal) stops those too:
  // `stop` carries the caller's signal and is also fired by such a failure.
  const stop = new AbortController();
  const forward = () => stop.abort(opts.signal?.reason);
  if (opts.signal?.aborted) forward();
  else opts.signal?.addEventListener('abort', forward, { once: true });
  const routing: Routing = { plans, out, stateOf, stoppedByOther: () => stop.signal.aborted && opts.signal?.aborted !== true };
  const run = async (reader: Reader, selected: string[]): Promise<boolean> => {
    const fatal = (await runReader(reader, selected, { ...opts, signal: stop.signal }, result, syncStartedAt, routing)) || stop.signal.aborted;
    if (fatal && !stop.signal.aborted) stop.abort('another stream failed in a way that stops the whole sync');
    return fatal;
  };
  const alongside: Promise<boolean>[] = [];
  const markIncomplete = async (unstarted: readonly Reader[]): Promise<void> => {
    for (const s of unstarted.flatMap((r) => r.streams)) {
      if (!byName.has(s.name)) continue;
      result.failedStreams.push(out(s.name));
      await sink.emit({ type: 'status', stream: out(s.name), status: 'INCOMPLETE' });
    }
  };
  try {
    for (const [index, reader] of readers.entries()) {
      const selected = reader.streams.filter((s) => byName.has(s.name)).map((s) => s.name);
      if (selected.length === 0) continue;
      if (stop.signal.aborted) {
        await markIncomplete(readers.slice(index));
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
        await markIncomplete(readers.slice(index + 1));
        break;
      }
    }
    await Promise.all(alongside);
  } catch (err) {
    // The sink failed (stdout closed, say): stop what still runs beside, then report the failure.
    if (!stop.signal.aborted) stop.abort('the sync failed');
    await Promise.allSettled(alongside);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', forward);
  }
  return result;
}

interface Routing {
  plans: Map<string, StreamPlan>;
  out: (name: string) => string;
  stateOf: (name: string) => JsonObject | undefined;
  /** True when another stream's failure (not the caller's signal) stopped the sync. */
  stoppedByOther: () => boolean;
}

/** Schema drift found by a plan: a LOG per field (once per stream), and for Singer a widened SCHEMA. */
async function announceDrift(plan: StreamPlan, sink: EventSink, logger: Logger): Promise<void> {
  const changes = plan.records.takeChanges();
  for (const { field, kept } of changes.notices) {
    logger.warn(
      kept
        ? `Schema drift: stream ${plan.outputName} has a new field '${field}'; it is kept and added to the schema (schema_drift: auto).`
        : `Schema drift: stream ${plan.outputName} has a field '${field}' its schema lacks; it is dropped (schema_drift: block).`,
    );
  }
  if (changes.schema) await sink.emit({ type: 'schema', stream: plan.outputName, schema: changes.schema });
}

/** Returns true when the failure makes every other stream pointless (token rejected). */
async function runReader(reader: Reader, selected: string[], opts: SyncOptions, result: SyncResult, syncStartedAt: number, routing: Routing): Promise<boolean> {
  const { sink, logger } = opts;
  const { plans, out, stateOf } = routing;
  const byName = new Map(opts.selected.map((s) => [s.name, s]));
  const incremental = selected.every((name) => byName.get(name)?.syncMode === 'incremental');
  // A stream newly added to the catalog has no state: the whole reader starts over for it.
  const states = selected.map(stateOf);
  const readerState = incremental && states.every((s) => s !== undefined) ? states[0] : undefined;

  const counts = new Map(selected.map((name) => [name, 0]));
  const sinceState = new Map(selected.map((name) => [name, 0]));
  const running = new Set<string>();
  const everyRecords = opts.checkpointEveryRecords ?? opts.config.raw.checkpoint_every_records ?? 5000;
  const everyMs = opts.checkpointEveryMs ?? (opts.config.raw.checkpoint_every_seconds ?? 30) * 1000;
  let pending: JsonObject | undefined;
  let lastEmitted: JsonObject | undefined;
  let lastEmitAt = Date.now();
  let recordsSinceEmit = 0;
  // What the reader could not deliver while it went on (skipped parents, records without a key).
  // Only the first few are kept for the message (a hostile server could send millions).
  const gaps = { named: [] as string[], count: 0 };

  const emitState = async (state: JsonObject): Promise<void> => {
    for (const name of selected) {
      await sink.emit({ type: 'state', stream: out(name), state, recordCount: sinceState.get(name) ?? 0 });
      sinceState.set(name, 0);
    }
    lastEmitted = state;
    pending = undefined;
    lastEmitAt = Date.now();
    recordsSinceEmit = 0;
  };

  for (const name of selected) await sink.emit({ type: 'status', stream: out(name), status: 'STARTED' });
  const started = Date.now();
  const selectedSet = new Set(selected);
  const estimates = new EstimateGate();
  const iterator = reader.read({ client: opts.client, config: opts.config, logger, selected: selectedSet, state: readerState, syncStartedAt, signal: opts.signal });
  try {
    // A signal must not wait for a slow request or a rate-limit pause to end: race it.
    for (;;) {
      const next = await untilAborted(iterator.next(), opts.signal);
      if (next.done) break;
      const item = next.value;
      if (item.kind === 'record' || item.kind === 'records') {
        const plan = plans.get(item.stream);
        if (!plan || !selectedSet.has(item.stream)) continue;
        const records = item.kind === 'record' ? [item.record] : item.records;
        const owned = item.kind === 'records' && item.owned === true;
        if (records.length === 0) continue;
        if (!running.has(item.stream)) {
          running.add(item.stream);
          await sink.emit({ type: 'status', stream: plan.outputName, status: 'RUNNING' });
        }
        // Hot path: a page of records goes out in one synchronous loop; it only waits when the
        // consumer of stdout is behind (backpressure) or a schema change must be announced first.
        // Counts cover what was emitted, also when a signal stops the batch halfway.
        let emitted = 0;
        try {
          for (const record of records) {
            // Data controls apply here, once, for every reader and both protocols.
            const data = plan.records.apply(record, owned);
            if (plan.records.changed) await announceDrift(plan, sink, logger);
            const wait = sink.emit({ type: 'record', stream: plan.outputName, data });
            emitted++;
            if (wait) await untilAborted(wait, opts.signal);
          }
        } finally {
          counts.set(item.stream, (counts.get(item.stream) ?? 0) + emitted);
          sinceState.set(item.stream, (sinceState.get(item.stream) ?? 0) + emitted);
          recordsSinceEmit += emitted;
        }
      } else if (item.kind === 'checkpoint') {
        pending = item.state;
        if (item.immediate || recordsSinceEmit >= everyRecords || Date.now() - lastEmitAt >= everyMs) await emitState(item.state);
      } else if (item.kind === 'estimate') {
        if (selectedSet.has(item.stream) && estimates.admit(item.stream, item.rows)) await sink.emit({ type: 'estimate', stream: out(item.stream), rowEstimate: item.rows });
      } else if (item.kind === 'incomplete') {
        if (gaps.count++ < NAMED_GAPS) gaps.named.push(`${out(item.stream)}: ${item.reason}`);
      }
    }
    await emitState(pending ?? lastEmitted ?? readerState ?? {});
    if (gaps.count > 0) {
      await reportGaps(gaps, selected, { sink, out, result, counts });
      return false;
    }
    for (const name of selected) {
      result.recordCounts.set(out(name), counts.get(name) ?? 0);
      await sink.emit({ type: 'status', stream: out(name), status: 'COMPLETE' });
      logger.info(`Stream ${out(name)}: ${counts.get(name) ?? 0} records in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    }
    return false;
  } catch (err) {
    if (err instanceof SyncInterrupted) void iterator.return(undefined).catch(() => undefined);
    // Everything before the last checkpoint is safe: say so before reporting the failure.
    if (pending) await emitState(pending);
    // Stopped by another stream's failure: that stream reports the error, this one only ends
    // INCOMPLETE (as the streams that never started do).
    if (!(err instanceof SyncInterrupted && routing.stoppedByOther())) {
      const connectorError = err instanceof ConnectorError ? err : undefined;
      const streamName = out(selected[0]!);
      await sink.emit({
        type: 'error',
        stream: streamName,
        message: connectorError ? `Stream ${streamName}: ${connectorError.message}` : `Stream ${streamName} failed: ${errorMessage(err)}`,
        internalMessage: connectorError?.internalMessage ?? (err instanceof Error ? `${err.name}: ${err.message}` : undefined),
        failureType: connectorError?.failureType ?? 'system_error',
      });
    }
    for (const name of selected) {
      result.recordCounts.set(out(name), counts.get(name) ?? 0);
      result.failedStreams.push(out(name));
      await sink.emit({ type: 'status', stream: out(name), status: 'INCOMPLETE' });
    }
    // A revoked token fails everything; a missing permission only this stream, unless the user asked otherwise.
    const stopAll = err instanceof IntercomApiError && (err.status === 401 || (err.status === 403 && opts.config.raw.fail_on_missing_permission === true));
    return stopAll || err instanceof SyncInterrupted;
  }
}

const NAMED_GAPS = 10;

/**
 * The reader finished but left gaps: one TRACE ERROR naming them, and every stream of the reader
 * INCOMPLETE (they share one state, which stops before the first gap).
 */
async function reportGaps(gaps: { named: string[]; count: number }, selected: string[], to: { sink: EventSink; out: (name: string) => string; result: SyncResult; counts: Map<string, number> }): Promise<void> {
  const { sink, out, result, counts } = to;
  const streamName = out(selected[0]!);
  const named = gaps.named.join('; ');
  const more = gaps.count > gaps.named.length ? `; and ${gaps.count - gaps.named.length} more (see the WARN lines)` : '';
  await sink.emit({
    type: 'error',
    stream: streamName,
    message: `Stream ${streamName}: ${gaps.count} item(s) could not be read and were skipped (${named}${more}). Everything else was delivered; the STATE stops before the first of them, so the next sync reads them again.`,
    failureType: 'system_error',
  });
  for (const name of selected) {
    result.recordCounts.set(out(name), counts.get(name) ?? 0);
    result.failedStreams.push(out(name));
    await sink.emit({ type: 'status', stream: out(name), status: 'INCOMPLETE' });
  }
}

/**
 * Resolves like `step`, or rejects with SyncInterrupted as soon as the signal fires. The listener
 * lives only for this step: racing every step against one long-lived promise kept each step's
 * result reachable until the reader ended (a leak of every record).
 */
function untilAborted<T>(step: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return step;
  if (signal.aborted) return Promise.reject(new SyncInterrupted(String(signal.reason ?? 'signal')));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SyncInterrupted(String(signal.reason ?? 'signal')));
    signal.addEventListener('abort', onAbort, { once: true });
    step.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
