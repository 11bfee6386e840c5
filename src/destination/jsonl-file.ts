import { closeSync, mkdirSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { openOutputForAppend } from './output-path.js';

/**
 * An append-only JSONL file (dead letters, responses). Each line is handed to the OS before
 * `append` returns, so a STATE echoed afterwards never gets ahead of it, even if the process is
 * killed. Secrets are redacted from every line.
 */
export class JsonlFile {
  private fd: number | undefined;
  lines = 0;

  constructor(
    readonly path: string,
    private readonly role: string,
  ) {}

  append(entry: object): void {
    this.fd ??= openForAppend(this.path, this.role);
    writeSync(this.fd, redact(JSON.stringify(entry)) + '\n');
    this.lines++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Creates the folder, then opens the file for appending: never through a symlink, only a regular file. */
export function openForAppend(path: string, role: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new ConfigError(
      `Cannot create the folder of the ${role} file '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}. Check the path and its permissions.`,
    );
  }
  return openOutputForAppend(path, role);
}
