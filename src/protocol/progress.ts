import type { Writable } from 'node:stream';
import type { EngineEvent, EventSink } from '../core/events.js';
import type { ClientStats } from '../intercom/client.js';

interface StreamProgress {
  records: number;
  startedAt: number;
  endedAt?: number;
  estimate?: number;
  status: string;
  truncated: number;
}

export interface ProgressOptions {
  stderr: Writable & { isTTY?: boolean };
  /** --quiet: no progress lines (the end summary still goes out as a log). */
  quiet: boolean;
  /** Singer: also write `METRIC: {...}` record_count counters to stderr. */
  singerMetrics: boolean;
  /** Plain progress lines every this many ms when stderr is not a terminal. */
  plainIntervalMs?: number;
  now?: () => number;
}

const TRUNCATED = /^PARTS_TRUNCATED (conversation|ticket) /;

/**
 * Wraps the protocol sink to show what a long sync is doing: a live line per active stream on a
 * terminal, plain periodic lines otherwise, Singer record_count metrics, and a summary per stream
 * at the end. Per record it only bumps a counter.
 */
export class ProgressReporter implements EventSink {
  private readonly streams = new Map<string, StreamProgress>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private lastMetricAt: number;
  private drewLive = false;

  constructor(
    private readonly inner: EventSink,
    private readonly opts: ProgressOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.lastMetricAt = this.now();
    if (!opts.quiet || opts.singerMetrics) {
      const tty = opts.stderr.isTTY === true && !opts.quiet;
      this.timer = setInterval(() => this.tick(tty), tty ? 500 : Math.min(opts.plainIntervalMs ?? 30_000, 60_000));
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
      case 'status': {
        const p = this.streams.get(event.stream) ?? { records: 0, startedAt: this.now(), status: 'STARTED', truncated: 0 };
        p.status = event.status;
        if (event.status === 'COMPLETE' || event.status === 'INCOMPLETE') {
          p.endedAt = this.now();
          if (this.opts.singerMetrics) this.metric(event.stream, p.records);
        }
        this.streams.set(event.stream, p);
        break;
      }
      case 'estimate': {
        const p = this.streams.get(event.stream);
        if (p) p.estimate = event.rowEstimate;
        break;
      }
      case 'log': {
        const m = TRUNCATED.exec(event.message);
        if (m) {
          const p = this.streams.get(m[1] === 'conversation' ? 'conversation_parts' : 'ticket_parts');
          if (p) p.truncated++;
        }
        break;
      }
      default:
        break;
    }
    return this.inner.emit(event);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  /** Singer http_request_duration timer, one per request. */
  requestMetric(info: { endpoint: string; status: number | undefined; durationMs: number }): void {
    if (!this.opts.singerMetrics) return;
    const metric = {
      type: 'timer',
      metric: 'http_request_duration',
      value: Math.round(info.durationMs) / 1000,
      tags: { endpoint: info.endpoint, http_status_code: info.status ?? 0, status: info.status !== undefined && info.status < 400 ? 'succeeded' : 'failed' },
    };
    this.opts.stderr.write(`METRIC: ${JSON.stringify(metric)}\n`);
  }

  /** Stops the timer and sends one summary line per stream through the protocol's log. */
  async finish(client: ClientStats): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.drewLive) this.opts.stderr.write('\r\x1b[2K');
    for (const [stream, p] of this.streams) {
      const seconds = ((p.endedAt ?? this.now()) - p.startedAt) / 1000;
      const calls = client.byStream.get(stream);
      const parts = [`${p.records} records`, `${calls?.requests ?? 0} requests`, `${calls?.rateLimited ?? 0} rate-limit waits`, `${seconds.toFixed(1)} s`, p.status];
      if (p.truncated) parts.push(`${p.truncated} ${stream === 'ticket_parts' ? 'tickets' : 'conversations'} had more than 500 parts (see PARTS_TRUNCATED)`);
      await this.inner.emit({ type: 'log', level: p.status === 'COMPLETE' ? 'INFO' : 'WARN', message: `Summary ${stream}: ${parts.join(', ')}` });
    }
  }

  private tick(tty: boolean): void {
    const active = [...this.streams.entries()].filter(([, p]) => p.endedAt === undefined);
    if (this.opts.singerMetrics && this.now() - this.lastMetricAt >= 60_000) {
      this.lastMetricAt = this.now();
      for (const [stream, p] of active) this.metric(stream, p.records);
    }
    if (this.opts.quiet || active.length === 0) return;
    const lines = active.map(([stream, p]) => describe(stream, p, this.now()));
    if (tty) {
      this.drewLive = true;
      this.opts.stderr.write(`\r\x1b[2K${lines.join(' | ').slice(0, (process.stderr.columns ?? 160) - 1)}`);
    } else {
      for (const line of lines) this.opts.stderr.write(`progress ${line}\n`);
    }
  }

  private metric(stream: string, value: number): void {
    this.opts.stderr.write(`METRIC: ${JSON.stringify({ type: 'counter', metric: 'record_count', value, tags: { endpoint: stream } })}\n`);
  }
}

function describe(stream: string, p: StreamProgress, now: number): string {
  const seconds = Math.max(0.001, (now - p.startedAt) / 1000);
  const rate = p.records / seconds;
  let line = `${stream}: ${p.records} records, ${rate.toFixed(0)}/s`;
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
