import type { OutcomeKind } from './writers/types.js';

export interface StreamCounts {
  received: number;
  /** Acknowledged by Intercom: created + updated + deleted + other writes (events, tags, generic). */
  written: number;
  created: number;
  updated: number;
  deleted: number;
  /** Nothing to do (already written by an earlier run, already deleted). */
  skipped: number;
  /** Dead-lettered (or refused with on_error = fail). */
  failed: number;
  /** Dry run: validated, requests logged. */
  planned: number;
}

/** Per-stream counts for the end-of-run summary. */
export class WriteSummary {
  private readonly streams = new Map<string, StreamCounts>();

  stream(name: string): StreamCounts {
    let counts = this.streams.get(name);
    if (!counts) {
      counts = { received: 0, written: 0, created: 0, updated: 0, deleted: 0, skipped: 0, failed: 0, planned: 0 };
      this.streams.set(name, counts);
    }
    return counts;
  }

  count(stream: string, outcome: { kind: OutcomeKind | 'failed' | 'planned' }, records = 1): void {
    const counts = this.stream(stream);
    switch (outcome.kind) {
      case 'created':
      case 'updated':
      case 'deleted':
        counts[outcome.kind] += records;
        counts.written += records;
        return;
      case 'written':
        counts.written += records;
        return;
      default:
        counts[outcome.kind] += records;
    }
  }

  lines(): string[] {
    if (!this.streams.size) return ['Write summary: no records.'];
    return [...this.streams].map(([name, c]) => {
      const parts = [
        `${c.received} received`,
        `${c.written} written (${c.created} created, ${c.updated} updated, ${c.deleted} deleted)`,
        `${c.skipped} skipped`,
        `${c.failed} failed`,
      ];
      if (c.planned) parts.push(`${c.planned} planned (dry run)`);
      return `Write summary: stream ${name}: ${parts.join(', ')}.`;
    });
  }

  toJSON(): Record<string, StreamCounts> {
    return Object.fromEntries(this.streams);
  }
}
