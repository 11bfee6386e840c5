import type { Writable } from 'node:stream';
import type { EngineEvent, EventSink, FailureType, LogLevel } from '../core/events.js';
import { redact } from '../core/redact.js';
import type { AirbyteSink } from '../protocol/airbyte.js';
import { LineWriter } from '../protocol/line-writer.js';

/** What the write engine says, before a protocol shell turns it into Airbyte or Singer output. */
export interface WriteShell {
  log(level: LogLevel, message: string): void | Promise<void>;
  /** Echo a STATE: every record before it was acknowledged or dead-lettered. */
  echoState(payload: unknown, recordCount: number): void | Promise<void>;
  fail(message: string, internalMessage: string | undefined, failureType: FailureType): void | Promise<void>;
  flush(): Promise<void>;
}

/** Airbyte: STATE messages echoed as received (plus destinationStats), LOG, TRACE ERROR; all on stdout. */
export class AirbyteWriteShell implements WriteShell {
  constructor(private readonly sink: AirbyteSink) {}

  log(level: LogLevel, message: string): void | Promise<void> {
    return this.sink.emit({ type: 'log', level, message });
  }

  echoState(payload: unknown, recordCount: number): void | Promise<void> {
    const state =
      payload !== null && typeof payload === 'object'
        ? { ...(payload as object), destinationStats: { recordCount } }
        : payload;
    return this.sink.writeRaw({ type: 'STATE', state });
  }

  fail(message: string, internalMessage: string | undefined, failureType: FailureType): void | Promise<void> {
    return this.sink.emit({ type: 'error', message, internalMessage, failureType });
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }
}

/** Singer target: stdout carries only the echoed state values, one JSON per line; people read stderr. */
export class SingerTargetShell implements WriteShell {
  private readonly out: LineWriter;

  constructor(
    stdout: Writable,
    private readonly stderr: Writable,
  ) {
    this.out = new LineWriter(stdout);
  }

  log(level: LogLevel, message: string): void {
    if (level === 'DEBUG') return;
    this.stderr.write(`${level === 'WARN' ? 'WARNING' : level} ${redact(message)}\n`);
  }

  echoState(payload: unknown): void | Promise<void> {
    return this.out.write(redact(JSON.stringify(payload)));
  }

  fail(message: string, internalMessage: string | undefined): void {
    this.stderr.write(`CRITICAL ${redact(message)}${internalMessage ? ` (${redact(internalMessage)})` : ''}\n`);
  }

  flush(): Promise<void> {
    return this.out.flush();
  }
}

/** The shared client reports retries and rate-limit waits as engine events; a shell logs them. */
export function shellEventSink(shell: WriteShell): EventSink {
  return {
    emit(event: EngineEvent) {
      if (event.type === 'log') return shell.log(event.level, event.message);
      if (event.type === 'rate_limited')
        return shell.log(
          'INFO',
          `Waiting for Intercom's rate budget${event.stream ? ` (${event.stream})` : ''} until ${new Date(event.resetAtMs).toISOString()}.`,
        );
    },
    flush: () => shell.flush(),
  };
}
