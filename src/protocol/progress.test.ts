import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { EngineEvent, EventSink } from '../core/events.js';
import { ProgressReporter } from './progress.js';

class Collect implements EventSink {
  events: EngineEvent[] = [];
  emit(e: EngineEvent): void {
    this.events.push(e);
  }
  async flush(): Promise<void> {}
}

function stderr(tty: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = tty;
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

const stats = { requests: 5, rateLimited: 1, retried: 0, byStream: new Map([['contacts', { requests: 4, rateLimited: 1 }]]) };

describe('ProgressReporter', () => {
  it('passes every event through unchanged and summarises each stream at the end', async () => {
    const inner = new Collect();
    let now = 1000;
    const p = new ProgressReporter(inner, { stderr: stderr(false).stream, quiet: true, singerMetrics: false, now: () => now });
    const events: EngineEvent[] = [
      { type: 'status', stream: 'contacts', status: 'STARTED' },
      { type: 'record', stream: 'contacts', data: { id: '1' } },
      { type: 'record', stream: 'contacts', data: { id: '2' } },
      { type: 'status', stream: 'conversation_parts', status: 'STARTED' },
      { type: 'log', level: 'WARN', message: 'PARTS_TRUNCATED conversation 7: ...' },
      { type: 'status', stream: 'conversation_parts', status: 'INCOMPLETE' },
      { type: 'status', stream: 'contacts', status: 'COMPLETE' },
    ];
    for (const e of events) {
      now += 500;
      await p.emit(e);
    }
    expect(inner.events).toEqual(events);
    await p.finish(stats);
    const summary = inner.events.slice(events.length).map((e) => (e.type === 'log' ? e.message : ''));
    expect(summary).toEqual([
      'Summary contacts: 2 records, 4 requests, 1 rate-limit waits, 3.0 s, COMPLETE',
      'Summary conversation_parts: 0 records, 0 requests, 0 rate-limit waits, 1.0 s, INCOMPLETE, 1 conversations had more than 500 parts (see PARTS_TRUNCATED)',
    ]);
  });

  it('writes Singer METRIC record_count lines and http_request_duration timers', async () => {
    const err = stderr(false);
    const p = new ProgressReporter(new Collect(), { stderr: err.stream, quiet: true, singerMetrics: true });
    await p.emit({ type: 'status', stream: 'tags', status: 'STARTED' });
    await p.emit({ type: 'record', stream: 'tags', data: {} });
    await p.emit({ type: 'status', stream: 'tags', status: 'COMPLETE' });
    p.requestMetric({ endpoint: 'GET /tags', status: 200, durationMs: 123.4 });
    await p.finish(stats);
    const metrics = err
      .text()
      .split('\n')
      .filter((l) => l.startsWith('METRIC: '))
      .map((l) => JSON.parse(l.slice(8)) as Record<string, unknown>);
    expect(metrics).toEqual([
      { type: 'counter', metric: 'record_count', value: 1, tags: { endpoint: 'tags' } },
      { type: 'timer', metric: 'http_request_duration', value: 0.123, tags: { endpoint: 'GET /tags', http_status_code: 200, status: 'succeeded' } },
    ]);
  });

  it('prints plain progress lines with rate and ETA from the estimate when stderr is not a terminal', async () => {
    const err = stderr(false);
    let now = 0;
    vi.useFakeTimers();
    try {
      const p = new ProgressReporter(new Collect(), { stderr: err.stream, quiet: false, singerMetrics: false, plainIntervalMs: 20, now: () => now });
      await p.emit({ type: 'status', stream: 'contacts', status: 'STARTED' });
      await p.emit({ type: 'estimate', stream: 'contacts', rowEstimate: 400 });
      for (let i = 0; i < 100; i++) await p.emit({ type: 'record', stream: 'contacts', data: {} });
      now = 10_000;
      await vi.advanceTimersByTimeAsync(60);
      await p.finish(stats);
    } finally {
      vi.useRealTimers();
    }
    expect(err.text()).toContain('progress contacts: 100 records, 10/s, 25% of ~400, ETA 30s');
  });

  it('prints nothing but the summary with --quiet', async () => {
    const err = stderr(true);
    vi.useFakeTimers();
    try {
      const p = new ProgressReporter(new Collect(), { stderr: err.stream, quiet: true, singerMetrics: false, plainIntervalMs: 10 });
      await p.emit({ type: 'status', stream: 'contacts', status: 'STARTED' });
      await vi.advanceTimersByTimeAsync(40);
      await p.finish(stats);
    } finally {
      vi.useRealTimers();
    }
    expect(err.text()).toBe('');
  });
});
