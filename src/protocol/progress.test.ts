import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, EventSink } from '../core/events.js';
import { plural, ProgressReporter } from './progress.js';
import { TerminalLines } from './terminal.js';

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

function metricsOf(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('METRIC: '))
    .map((l) => JSON.parse(l.slice(8)) as Record<string, unknown>);
}

afterEach(() => {
  vi.useRealTimers();
});

const stats = {
  requests: 5,
  rateLimited: 1,
  retried: 0,
  byStream: new Map([['contacts', { requests: 4, rateLimited: 1 }]]),
};

describe('ProgressReporter', () => {
  it('passes every event through unchanged and summarises each stream at the end', async () => {
    const inner = new Collect();
    let now = 1000;
    const p = new ProgressReporter(inner, {
      stderr: stderr(false).stream,
      quiet: true,
      singerMetrics: false,
      now: () => now,
    });
    const events: EngineEvent[] = [
      { type: 'status', stream: 'contacts', status: 'STARTED' },
      { type: 'record', stream: 'contacts', data: { id: '1' } },
      { type: 'record', stream: 'contacts', data: { id: '2' } },
      { type: 'status', stream: 'conversation_parts', status: 'STARTED' },
      {
        type: 'log',
        level: 'WARN',
        message: 'PARTS_TRUNCATED conversation 7: ...',
        notice: { kind: 'parts_truncated', stream: 'conversation_parts' },
      },
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
      'Summary contacts: 2 records, 4 requests, 1 rate-limited (429), 3.0 s, COMPLETE',
      'Summary conversation_parts: 0 records, 0 requests, 0 rate-limited (429), 1.0 s, INCOMPLETE, 1 conversation with more than 500 parts (see PARTS_TRUNCATED)',
      "Sync finished: 5 requests, 0 waits for Intercom's rate budget, 1 rate-limited (429), 0 retried.",
    ]);
  });

  it('counts the waits for the rate budget it passed on, so the summary agrees with the log', async () => {
    const inner = new Collect();
    const p = new ProgressReporter(inner, { stderr: stderr(false).stream, quiet: true, singerMetrics: false });
    await p.emit({ type: 'status', stream: 'contacts', status: 'STARTED' });
    for (let i = 0; i < 3; i++) await p.emit({ type: 'rate_limited', resetAtMs: 1000 });
    await p.finish({ requests: 1, rateLimited: 0, retried: 0, byStream: new Map() });
    const last = inner.events.at(-1)!;
    expect(last.type === 'log' && last.message).toBe(
      "Sync finished: 1 request, 3 waits for Intercom's rate budget, 0 rate-limited (429), 0 retried.",
    );
  });

  it('writes Singer record_count counters and one http_request_duration timer per stream and outcome, not one per request', async () => {
    const err = stderr(false);
    const p = new ProgressReporter(new Collect(), { stderr: err.stream, quiet: false, singerMetrics: true });
    await p.emit({ type: 'status', stream: 'tags', status: 'STARTED' });
    await p.emit({ type: 'record', stream: 'tags', data: {} });
    await p.emit({ type: 'status', stream: 'tags', status: 'COMPLETE' });
    for (const [ms, status] of [
      [100, 200],
      [300, 200],
      [200, 200],
      [50, 500],
    ] as const)
      p.requestMetric({ endpoint: 'GET /tags', status, durationMs: ms, stream: 'tags' });
    p.requestMetric({ endpoint: 'GET /me', status: 200, durationMs: 40, stream: undefined });
    await p.finish(stats);
    expect(metricsOf(err.text())).toEqual([
      { type: 'counter', metric: 'record_count', value: 1, tags: { endpoint: 'tags' } },
      {
        type: 'timer',
        metric: 'http_request_duration',
        value: 0.2,
        tags: { endpoint: 'tags', status: 'succeeded', requests: 3, max_seconds: 0.3 },
      },
      {
        type: 'timer',
        metric: 'http_request_duration',
        value: 0.05,
        tags: { endpoint: 'tags', status: 'failed', requests: 1, max_seconds: 0.05 },
      },
      {
        type: 'timer',
        metric: 'http_request_duration',
        value: 0.04,
        tags: { endpoint: 'other', status: 'succeeded', requests: 1, max_seconds: 0.04 },
      },
    ]);
  });

  it('--quiet silences the request timers; the record counts stay', async () => {
    const err = stderr(false);
    const p = new ProgressReporter(new Collect(), { stderr: err.stream, quiet: true, singerMetrics: true });
    await p.emit({ type: 'status', stream: 'tags', status: 'STARTED' });
    p.requestMetric({ endpoint: 'GET /tags', status: 200, durationMs: 100, stream: 'tags' });
    await p.emit({ type: 'status', stream: 'tags', status: 'COMPLETE' });
    await p.finish(stats);
    expect(metricsOf(err.text()).map((m) => m.metric)).toEqual(['record_count']);
  });

  it('on a terminal draws one live row per running stream, and erases them before any other stderr line', async () => {
    vi.useFakeTimers();
    const err = stderr(true);
    const term = new TerminalLines(err.stream);
    let now = 0;
    const p = new ProgressReporter(new Collect(), { stderr: term, quiet: false, singerMetrics: false, now: () => now });
    await p.emit({ type: 'status', stream: 'contacts', status: 'STARTED' });
    await p.emit({ type: 'status', stream: 'companies', status: 'STARTED' });
    await p.emit({ type: 'record', stream: 'contacts', data: {} });
    now = 1000;
    vi.advanceTimersByTime(600);
    term.write('INFO a log line\n');
    expect(err.text()).toBe(
      'contacts: 1 record, 1/s\ncompanies: 0 records, 0/s\r\x1b[2K\x1b[1A\x1b[2KINFO a log line\n',
    );
    vi.advanceTimersByTime(500);
    await p.finish(stats);
    expect(err.text().endsWith('companies: 0 records, 0/s\r\x1b[2K\x1b[1A\x1b[2K')).toBe(true);
  });

  it('says 1 request, 2 requests', () => {
    expect([plural(1, 'request'), plural(2, 'request'), plural(0, 'record')]).toEqual([
      '1 request',
      '2 requests',
      '0 records',
    ]);
  });

  it('prints plain progress lines with rate and ETA from the estimate when stderr is not a terminal', async () => {
    const err = stderr(false);
    let now = 0;
    vi.useFakeTimers();
    try {
      const p = new ProgressReporter(new Collect(), {
        stderr: err.stream,
        quiet: false,
        singerMetrics: false,
        plainIntervalMs: 20,
        now: () => now,
      });
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
      const p = new ProgressReporter(new Collect(), {
        stderr: err.stream,
        quiet: true,
        singerMetrics: false,
        plainIntervalMs: 10,
      });
      await p.emit({ type: 'status', stream: 'contacts', status: 'STARTED' });
      await vi.advanceTimersByTimeAsync(40);
      await p.finish(stats);
    } finally {
      vi.useRealTimers();
    }
    expect(err.text()).toBe('');
  });
});
