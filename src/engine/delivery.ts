import { ConnectorError } from '../core/errors.js';
import type { EventSink, JsonObject, Logger } from '../core/events.js';
import type { StreamPlan } from '../transform/stream-plans.js';

/** Thrown inside a reader's loop when the sync was asked to stop. */
export class SyncInterrupted extends ConnectorError {
  constructor(reason: string) {
    super(`The sync was interrupted (${reason}). The last STATE is safe to resume from; run again to continue.`, {
      failureType: 'transient_error',
    });
    this.name = 'SyncInterrupted';
  }
}

/**
 * Sends one page of records through the stream's data controls to the sink. Hot path: the page
 * goes out in one synchronous loop; it only waits when the consumer of stdout is behind
 * (backpressure) or a schema change must be announced first. `delivered` learns the count also
 * when a signal stops the batch halfway.
 */
export async function deliverBatch(
  batch: { plan: StreamPlan; records: readonly JsonObject[]; owned: boolean },
  to: { sink: EventSink; logger: Logger; signal: AbortSignal | undefined },
  delivered: (count: number) => void,
): Promise<void> {
  const { plan, records, owned } = batch;
  let emitted = 0;
  try {
    for (const record of records) {
      // Data controls apply here, once, for every reader and both protocols.
      const data = plan.records.apply(record, owned);
      if (plan.records.changed) await announceDrift(plan, to.sink, to.logger);
      const wait = to.sink.emit({ type: 'record', stream: plan.outputName, data });
      emitted++;
      if (wait) await untilAborted(wait, to.signal);
    }
  } finally {
    delivered(emitted);
  }
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

/**
 * Resolves like `step`, or rejects with SyncInterrupted as soon as the signal fires. The listener
 * lives only for this step: racing every step against one long-lived promise kept each step's
 * result reachable until the reader ended (a leak of every record).
 */
export function untilAborted<T>(step: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
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
