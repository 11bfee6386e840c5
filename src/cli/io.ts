import type { Readable, Writable } from 'node:stream';

/** What a command needs of the process: its streams, environment, exit code and stop signal. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Set by the commands: 0 on success. */
  setExitCode(code: number): void;
  /** Aborted when the process gets SIGTERM/SIGINT. */
  signal?: AbortSignal;
  /** Input of `write` (default: process.stdin). */
  stdin?: Readable;
}
