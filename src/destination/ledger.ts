import { createHash } from 'node:crypto';
import { closeSync, existsSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { openForAppend } from './jsonl-file.js';
import { openOutputForRead, openOutputForReplace } from './output-path.js';

type LedgerState = 'sent' | 'done';

/**
 * Remembers non-idempotent requests (a note, a reply, a ticket) across runs. `sent` is written
 * before the request goes out and `done` once Intercom acknowledged it, so after a crash a re-run
 * skips what was done and knows which answers were lost (those are checked, not blindly re-sent).
 *
 * Identical requests share one entry: the same note for the same contact is written once.
 */
export class Ledger {
  private readonly entries = new Map<string, LedgerState>();
  private readonly touched = new Set<string>();
  private fd: number | undefined;

  constructor(readonly path: string) {}

  static keyOf(request: { method: string; path: string; json?: unknown }): string {
    return createHash('sha256')
      .update(`${request.method} ${request.path} ${canonical(request.json)}`)
      .digest('hex')
      .slice(0, 32);
  }

  status(key: string): LedgerState | undefined {
    this.open();
    return this.entries.get(key);
  }

  mark(key: string, state: LedgerState | 'failed'): void {
    this.open();
    this.touched.add(key);
    if (state === 'failed') this.entries.delete(key);
    else this.entries.set(key, state);
    writeSync(this.fd!, JSON.stringify({ k: key, s: state }) + '\n');
  }

  /** After a complete run: keep only this run's entries (older ones are before a committed STATE). */
  compact(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    const lines = [...this.touched]
      .filter((k) => this.entries.has(k))
      .map((k) => JSON.stringify({ k, s: this.entries.get(k) }));
    const tmp = `${this.path}.tmp`;
    const fd = openOutputForReplace(tmp, 'ledger');
    try {
      writeSync(fd, lines.length ? lines.join('\n') + '\n' : '');
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    if (this.fd !== undefined) return;
    if (existsSync(this.path)) {
      const fd = openOutputForRead(this.path, 'ledger');
      let text: string;
      try {
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const { k, s } = JSON.parse(line) as { k: string; s: LedgerState | 'failed' };
          if (s === 'failed') this.entries.delete(k);
          else this.entries.set(k, s);
        } catch {
          // A line cut short by a crash: the entry it was writing is simply unknown.
        }
      }
    }
    this.fd = openForAppend(this.path, 'ledger');
  }
}

/** JSON with sorted keys, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
