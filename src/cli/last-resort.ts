import { errorMessage } from '../core/errors.js';
import type { EngineEvent } from '../core/events.js';
import { excerpt, redact } from '../core/redact.js';
import { AirbyteSink } from '../protocol/airbyte.js';

type Protocol = 'airbyte' | 'singer';

/** The error event for something nothing else caught: a bug, said plainly, redacted. */
export function lastResortEvent(err: unknown): Extract<EngineEvent, { type: 'error' }> {
  return {
    type: 'error',
    message: `Unexpected internal error, the run stops: ${redact(errorMessage(err))}. This is a bug; please report it with this message. Resume from the last STATE emitted.`,
    internalMessage: err instanceof Error && err.stack ? excerpt(err.stack, 2000) : undefined,
    failureType: 'system_error',
  };
}

/**
 * Last resort: an exception or rejection that escaped every handler becomes the protocol's error
 * report, as the shells report a failed command (Airbyte: a TRACE ERROR through the AirbyteSink;
 * Singer: a CRITICAL line on stderr), and exit 1; never a raw stack. Installed first thing by
 * each entry point.
 */
export function installLastResort(protocol: Protocol): void {
  let handled = false;
  const onEscape = (err: unknown): void => {
    if (handled) return;
    handled = true;
    process.exitCode = 1;
    // Exit once the report is out; the unref'd timer covers a stdout that never drains.
    setTimeout(() => process.exit(1), 2000).unref();
    const event = lastResortEvent(err);
    process.stderr.write(`${protocol === 'singer' ? 'CRITICAL' : 'ERROR'} ${event.message}\n`);
    if (protocol === 'singer') return process.exit(1);
    const sink = new AirbyteSink(process.stdout);
    void Promise.resolve(sink.emit(event))
      .then(() => sink.flush())
      .finally(() => process.exit(1));
  };
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
}
