import type { EngineEvent, EventSink } from '../core/events.js';
import type { ClientStats } from '../intercom/client.js';
import { STREAMS } from '../streams/catalog.js';
import { TerminalLines, type TextOut } from './terminal.js';

interface StreamProgress {
  records: number;
  startedAt: number;
  endedAt?: number;
  estimate?: number;
  status: string;
  truncated: number;
}

/** http_request_duration of one stream and outcome, summed until the next minute's METRIC. */
interface TimerTotals {
  stream: string;
  status: 'succeeded' | 'failed';
  requests: number;
  totalMs: number;
  maxMs: number;
}

export interface ProgressOptions {
  stderr: TextOut;
  /** --quiet: no progress lines and no request timers (the end summary still goes out as a log). */
  quiet: boolean;
  /** Singer: also write `METRIC: {...}` lines (record_count counters, http_request_duration timers) to stderr. */
  singerMetrics: boolean;
  /** Plain progress lines every this many ms when stderr is not a terminal. */
  plainIntervalMs?: number;
  now?: () => number;
}

function truncatedSummary(stream: string, count: number): string {
  const def = STREAMS.find((s) => s.name === stream);
  const parentNoun = def?.parent?.stream.replace(/s$/, '') ?? 'parent';
  return `${plural(count, parentNoun)} with more than ${def?.partsCap ?? '?'} parts (see PARTS_TRUNCATED)`;
}

const METRIC_INTERVAL_MS = 60_000;
/** Live rows on a terminal; more running streams are counted in one last row. */
const MAX_LIVE_ROWS = 12;

/** "1 request", "2 requests". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Wraps the protocol sink to show what a long sync is doing: a live row per running stream on a
 * terminal, plain periodic lines otherwise, Singer metrics once a minute, and a summary per stream
 * at the end. Per record it only bumps a counter.
 */
export class ProgressReporter implements EventSink {
  private readonly streams = new Map<string, StreamProgress>();
  private readonly timers = new Map<string, TimerTotals>();
  private readonly term: TerminalLines;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private lastMetricAt: number;
  /** Waits for Intercom's rate budget (pacing on the rate-limit headers), all streams together. */
  private budgetWaits = 0;

  constructor(
    private readonly inner: EventSink,
    private readonly opts: ProgressOptions,
  ) {
    this.term = TerminalLines.of(opts.stderr);
    this.now = opts.now ?? Date.now;
    this.lastMetricAt = this.now();
    if (!opts.quiet || opts.singerMetrics) {
      const tty = this.term.isTTY && !opts.quiet;
      this.timer = setInterval(
        () => this.tick(tty),
        tty ? 500 : Math.min(opts.plainIntervalMs ?? 30_000, METRIC_INTERVAL_MS),
      );
      this.timer.unref();
    }
  }

  emit(event: EngineEvent): void | Promise<void> {
    switch (event.type) {
      case 'record': {
        const p = this.streams.get(event.stream);
        if (p) p.records++;
        break;
      }
      case 'status':
        this.onStatus(event.stream, event.status);
        break;
      case 'estimate': {
        const p = this.streams.get(event.stream);
        if (p) p.estimate = event.rowEstimate;
        break;
      }
      case 'rate_limited':
        if (!event.stream) this.budgetWaits++;
        break;
      case 'log':
        if (event.notice?.kind === 'parts_truncated') this.countTruncated(event.notice.stream);
        break;
      default:
        break;
    }
    return this.inner.emit(event);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  /** One request's duration, summed per stream and outcome into the minute's http_request_duration timer. */
  requestMetric(info: { endpoint: string; status: number | undefined; durationMs: number; stream?: string }): void {
    if (!this.opts.singerMetrics || this.opts.quiet) return;
    const status = info.status !== undefined && info.status < 400 ? 'succeeded' : 'failed';
    const stream = info.stream ?? 'other';
    const key = `${stream}\u0000${status}`;
    const t = this.timers.get(key) ?? { stream, status, requests: 0, totalMs: 0, maxMs: 0 };
    t.requests++;
    t.totalMs += info.durationMs;
    t.maxMs = Math.max(t.maxMs, info.durationMs);
    this.timers.set(key, t);
  }

  /** Stops the timer, writes the last metrics, then one summary line per stream and a total through the protocol's log. */
  async finish(client: ClientStats): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.term.clearLive();
    this.flushTimers();
    for (const [stream, p] of this.streams) {
      const seconds = ((p.endedAt ?? this.now()) - p.startedAt) / 1000;
      const calls = client.byStream.get(stream);
      const parts = [
        plural(p.records, 'record'),
        plural(calls?.requests ?? 0, 'request'),
        `${calls?.rateLimited ?? 0} rate-limited (429)`,
        `${seconds.toFixed(1)} s`,
        p.status,
      ];
      if (p.truncated) parts.push(truncatedSummary(stream, p.truncated));
      await this.inner.emit({
        type: 'log',
        level: p.status === 'COMPLETE' ? 'INFO' : 'WARN',
        message: `Summary ${stream}: ${parts.join(', ')}`,
      });
    }
    const waits = `${plural(this.budgetWaits, 'wait')} for Intercom's rate budget`;
    await this.inner.emit({
      type: 'log',
      level: 'INFO',
      message: `Sync finished: ${plural(client.requests, 'request')}, ${waits}, ${client.rateLimited} rate-limited (429), ${client.retried} retried.`,
    });
  }

  private onStatus(stream: string, status: string): void {
    const p = this.streams.get(stream) ?? { records: 0, startedAt: this.now(), status: 'STARTED', truncated: 0 };
    p.status = status;
    if (status === 'COMPLETE' || status === 'INCOMPLETE') {
      p.endedAt = this.now();
      if (this.opts.singerMetrics) this.recordCount(stream, p.records);
    }
    this.streams.set(stream, p);
  }

  private countTruncated(stream: string): void {
    const p = this.streams.get(stream);
    if (p) p.truncated++;
  }

  private tick(tty: boolean): void {
    const active = [...this.streams.entries()].filter(([, p]) => p.endedAt === undefined);
    if (this.opts.singerMetrics && this.now() - this.lastMetricAt >= METRIC_INTERVAL_MS) {
      this.lastMetricAt = this.now();
      for (const [stream, p] of active) this.recordCount(stream, p.records);
      this.flushTimers();
    }
    if (this.opts.quiet) return;
    const rows = active.map(([stream, p]) => describe(stream, p, this.now()));
    if (tty) {
      if (rows.length > MAX_LIVE_ROWS)
        rows.splice(MAX_LIVE_ROWS - 1, rows.length, `… and ${rows.length - MAX_LIVE_ROWS + 1} more streams running`);
      if (rows.length) this.term.drawLive(rows);
      else this.term.clearLive();
    } else {
      for (const row of rows) this.term.write(`progress ${row}\n`);
    }
  }

  private flushTimers(): void {
    for (const t of this.timers.values()) {
      const metric = {
        type: 'timer',
        metric: 'http_request_duration',
        // Singer timers are seconds; one line stands for many requests, so the value is their mean.
        value: Math.round(t.totalMs / t.requests) / 1000,
        tags: { endpoint: t.stream, status: t.status, requests: t.requests, max_seconds: Math.round(t.maxMs) / 1000 },
      };
      this.term.write(`METRIC: ${JSON.stringify(metric)}\n`);
    }
    this.timers.clear();
  }

  private recordCount(stream: string, value: number): void {
    this.term.write(
      `METRIC: ${JSON.stringify({ type: 'counter', metric: 'record_count', value, tags: { endpoint: stream } })}\n`,
    );
  }
}

function describe(stream: string, p: StreamProgress, now: number): string {
  const seconds = Math.max(0.001, (now - p.startedAt) / 1000);
  const rate = p.records / seconds;
  let line = `${stream}: ${plural(p.records, 'record')}, ${rate.toFixed(0)}/s`;
  if (p.estimate && p.estimate > 0) {
    const share = Math.min(1, p.records / p.estimate);
    line += `, ${(share * 100).toFixed(0)}% of ~${p.estimate}`;
    if (rate > 0 && p.records < p.estimate) line += `, ETA ${formatDuration((p.estimate - p.records) / rate)}`;
  }
  return line;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${Math.round((seconds % 3600) / 60)}m`;
}
