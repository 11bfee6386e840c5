import type { Writable } from 'node:stream';
import type { EngineEvent, EventSink, LogLevel } from '../core/events.js';
import { redact } from '../core/redact.js';
import { LineWriter } from './line-writer.js';

/** Airbyte protocol shell: one AirbyteMessage per line on stdout. */
export class AirbyteSink implements EventSink {
  private readonly writer: LineWriter;
  private readonly prefixes = new Map<string, string>();

  constructor(
    out: Writable,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = new LineWriter(out);
  }

  emit(event: EngineEvent): void | Promise<void> {
    // Airbyte schemas allow additional properties: a widened schema needs no message.
    if (event.type === 'schema') return;
    // Records are data, not text we produce: they skip the redaction scan. Hot path: the envelope
    // is a cached string per stream, so only the record itself goes through JSON.stringify.
    if (event.type === 'record')
      return this.writer.write(
        `${this.recordPrefix(event.stream)}${JSON.stringify(event.data)},"emitted_at":${this.now()}}}`,
      );
    return this.writer.write(redact(JSON.stringify(this.toMessage(event))));
  }

  private recordPrefix(stream: string): string {
    let prefix = this.prefixes.get(stream);
    if (prefix === undefined) {
      prefix = `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":`;
      this.prefixes.set(stream, prefix);
    }
    return prefix;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  writeRaw(message: object): void | Promise<void> {
    return this.writer.write(redact(JSON.stringify(message)));
  }

  /** Every message but RECORD (built in emit, the hot path). */
  private toMessage(event: Exclude<EngineEvent, { type: 'schema' | 'record' }>): object {
    const emitted_at = this.now();
    switch (event.type) {
      case 'state':
        return {
          type: 'STATE',
          state: {
            type: 'STREAM',
            stream: { stream_descriptor: { name: event.stream }, stream_state: event.state },
            sourceStats: { recordCount: event.recordCount },
          },
        };
      case 'status':
        return statusTrace(event.stream, event.status, emitted_at);
      case 'rate_limited':
        if (!event.stream)
          return logMessage(
            'INFO',
            `Waiting for Intercom's rate budget until ${new Date(event.resetAtMs).toISOString()}`,
          );
        return statusTrace(event.stream, 'RUNNING', emitted_at, [
          { type: 'RATE_LIMITED', rate_limited: { quota_reset: event.resetAtMs } },
        ]);
      case 'estimate':
        return {
          type: 'TRACE',
          trace: {
            type: 'ESTIMATE',
            emitted_at,
            estimate: { name: event.stream, type: 'STREAM', row_estimate: event.rowEstimate },
          },
        };
      case 'log':
        return logMessage(event.level, event.message);
      case 'error':
        return errorTrace(event, emitted_at);
    }
  }
}

function statusTrace(stream: string, status: string, emitted_at: number, reasons?: object[]): object {
  const stream_status = { stream_descriptor: { name: stream }, status, ...(reasons ? { reasons } : {}) };
  return { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at, stream_status } };
}

function errorTrace(event: Extract<EngineEvent, { type: 'error' }>, emitted_at: number): object {
  const error = {
    message: event.message,
    ...(event.internalMessage ? { internal_message: event.internalMessage } : {}),
    failure_type: event.failureType,
    ...(event.stream ? { stream_descriptor: { name: event.stream } } : {}),
  };
  return { type: 'TRACE', trace: { type: 'ERROR', emitted_at, error } };
}

function logMessage(level: LogLevel, message: string): object {
  return { type: 'LOG', log: { level, message } };
}
