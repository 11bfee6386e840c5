/**
 * Counts the connector's Airbyte messages as its stdout streams by, without keeping the output:
 * RECORD lines are recognised by their prefix and only their stream name is decoded (JSON.parse of
 * every record would make the bench, not the connector, the bottleneck); the rare other messages
 * (STATE, TRACE, LOG) are parsed.
 */

const RECORD_PREFIX = '{"type":"RECORD","record":{"stream":"';
const NEWLINE = 0x0a;

export interface StreamTiming {
  records: number;
  /** ms since the run started (harness clock, at the chunk's arrival). */
  firstRecordMs?: number;
  lastRecordMs?: number;
  startedMs?: number;
  completeMs?: number;
  status?: string;
}

export interface ScanResult {
  streams: Map<string, StreamTiming>;
  totalRecords: number;
  bytes: number;
  lines: number;
  /** The last STATE message of each stream (the `state` object of the Airbyte message). */
  states: Map<string, unknown>;
  errors: string[];
  warnings: number;
  rateLimitedTraces: number;
  unparsable: number;
}

interface AirbyteMessage {
  type?: string;
  state?: { type?: string; stream?: { stream_descriptor?: { name?: string } } };
  trace?: {
    type?: string;
    stream_status?: { stream_descriptor?: { name?: string }; status?: string; reasons?: unknown[] };
    error?: { message?: string; failure_type?: string };
  };
  log?: { level?: string; message?: string };
}

export class OutputScanner {
  readonly result: ScanResult = {
    streams: new Map(),
    totalRecords: 0,
    bytes: 0,
    lines: 0,
    states: new Map(),
    errors: [],
    warnings: 0,
    rateLimitedTraces: 0,
    unparsable: 0,
  };
  /** Pieces of a line that spans chunks. */
  private carry: Buffer[] = [];

  constructor(private readonly startedAt: number) {}

  private timing(stream: string): StreamTiming {
    let t = this.result.streams.get(stream);
    if (!t) {
      t = { records: 0 };
      this.result.streams.set(stream, t);
    }
    return t;
  }

  push(chunk: Buffer): void {
    const now = performance.now() - this.startedAt;
    this.result.bytes += chunk.length;
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        if (pos < chunk.length) this.carry.push(chunk.subarray(pos));
        return;
      }
      let line = chunk.subarray(pos, nl);
      if (this.carry.length) {
        this.carry.push(line);
        line = Buffer.concat(this.carry);
        this.carry = [];
      }
      pos = nl + 1;
      if (line.length) this.line(line, now);
    }
  }

  end(): void {
    if (this.carry.length) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.line(line, performance.now() - this.startedAt);
    }
  }

  private line(line: Buffer, now: number): void {
    this.result.lines++;
    const head = line.toString('latin1', 0, Math.min(line.length, 160));
    if (head.startsWith(RECORD_PREFIX)) {
      const end = head.indexOf('"', RECORD_PREFIX.length);
      const stream = end > 0 ? head.slice(RECORD_PREFIX.length, end) : '(unknown)';
      const t = this.timing(stream);
      t.records++;
      t.firstRecordMs ??= now;
      t.lastRecordMs = now;
      this.result.totalRecords++;
      return;
    }
    let message: AirbyteMessage;
    try {
      message = JSON.parse(line.toString('utf8')) as AirbyteMessage;
    } catch {
      this.result.unparsable++;
      return;
    }
    if (message.type === 'STATE' && message.state) {
      const name = message.state.stream?.stream_descriptor?.name;
      if (name) this.result.states.set(name, message.state);
    } else if (message.type === 'TRACE' && message.trace) {
      const status = message.trace.stream_status;
      const name = status?.stream_descriptor?.name;
      if (status && name) {
        const t = this.timing(name);
        if (status.reasons?.length) this.result.rateLimitedTraces++;
        else t.status = status.status;
        if (status.status === 'STARTED') t.startedMs = now;
        if (status.status === 'COMPLETE' || status.status === 'INCOMPLETE') t.completeMs = now;
      }
      if (message.trace.type === 'ERROR')
        this.result.errors.push(`${message.trace.error?.failure_type ?? '?'}: ${message.trace.error?.message ?? ''}`);
    } else if (message.type === 'LOG' && (message.log?.level === 'WARN' || message.log?.level === 'ERROR')) {
      this.result.warnings++;
      if (message.log.level === 'ERROR') this.result.errors.push(`LOG ERROR: ${message.log.message ?? ''}`);
    }
  }
}

/** Records per second of one stream over the time its reader ran (STARTED → COMPLETE), else first → last record. */
export function streamRate(t: StreamTiming): { perSec: number; seconds: number } | undefined {
  if (t.records === 0) return undefined;
  let ms: number | undefined;
  if (t.startedMs !== undefined && t.completeMs !== undefined) ms = t.completeMs - t.startedMs;
  else if (t.firstRecordMs !== undefined && t.lastRecordMs !== undefined) ms = t.lastRecordMs - t.firstRecordMs;
  if (ms === undefined || ms <= 0) return undefined;
  return { perSec: (t.records * 1000) / ms, seconds: ms / 1000 };
}
