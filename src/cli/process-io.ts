import { settleCleanups } from '../util/cleanups.js';
import type { CliIo } from './io.js';

const CANCEL_WAIT_MS = 5000;

/**
 * The real process as CLI io. SIGTERM/SIGINT abort the sync: the engine emits the last safe STATE
 * and INCOMPLETE statuses; then the process exits non-zero even if sockets are still open.
 */
export function processIo(): CliIo & { finish(): void } {
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      signalled = sig;
      controller.abort(sig);
    });
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
    setExitCode: (code) => (process.exitCode = code),
    finish() {
      if (!signalled) return;
      process.stderr.write(`Stopped by ${signalled}; resume from the last STATE.\n`);
      // stdout is flushed by the commands before they return; only a server-side job's cancel is awaited (bounded).
      void settleCleanups(CANCEL_WAIT_MS).then(() =>
        process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1),
      );
    },
  };
}
