import { errorMessage } from '../core/errors.js';
import { excerpt, redact } from '../core/redact.js';

type Protocol = 'airbyte' | 'singer';

/**
 * The protocol's report of an error nothing else caught: for Airbyte a TRACE ERROR line (stdout),
 * for Singer a CRITICAL line (stderr), as the shells report a failed command. Redacted.
 */
export function lastResortReport(protocol: Protocol, err: unknown, now: number = Date.now()): { stdout?: string; stderr: string } {
  const message = `Unexpected internal error, the run stops: ${redact(errorMessage(err))}. This is a bug; please report it with this message. Resume from the last STATE emitted.`;
  const stack = err instanceof Error && err.stack ? excerpt(err.stack, 2000) : undefined;
  if (protocol === 'singer') return { stderr: `CRITICAL ${message}\n` };
  const trace = { type: 'TRACE', trace: { type: 'ERROR', emitted_at: now, error: { message, ...(stack ? { internal_message: stack } : {}), failure_type: 'system_error' } } };
  return { stdout: `${redact(JSON.stringify(trace))}\n`, stderr: `ERROR ${message}\n` };
}

/**
 * Last resort: an exception or rejection that escaped every handler becomes the protocol's error
 * report and a non-zero exit, never a raw stack on stderr with an exit that looks like success
 * to nobody. Installed first thing by each entry point.
 */
export function installLastResort(protocol: Protocol): void {
  let handled = false;
  const onEscape = (err: unknown): void => {
    if (handled) return;
    handled = true;
    process.exitCode = 1;
    const report = lastResortReport(protocol, err);
    // Exit once the report is out; the unref'd timer covers a stdout that never drains.
    setTimeout(() => process.exit(1), 2000).unref();
    process.stderr.write(report.stderr);
    if (report.stdout) process.stdout.write(report.stdout, () => process.exit(1));
    else process.exit(1);
  };
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
}
