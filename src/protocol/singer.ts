import type { Writable } from 'node:stream';
import type { EngineEvent, EventSink, JsonObject } from '../core/events.js';
import { redact } from '../core/redact.js';
import { LineWriter } from './line-writer.js';
import type { TextOut } from './terminal.js';

/** Singer taps log with Python's level names: WARNING, not the Airbyte protocol's WARN. */
const SINGER_LEVEL: Record<string, string> = { WARN: 'WARNING', FATAL: 'CRITICAL' };

export interface SingerStreamInfo {
  schema: JsonObject;
  keyProperties: string[];
  bookmarkProperties: string[];
}

/**
 * Singer protocol shell: SCHEMA / RECORD / STATE on stdout, everything for humans on stderr.
 * STATE carries every stream's bookmark (`{"bookmarks": {...}}`), as Singer targets keep only the last.
 */
export class SingerSink implements EventSink {
  private readonly writer: LineWriter;
  private readonly bookmarks: Record<string, JsonObject>;
  private readonly schemaSent = new Set<string>();
  /** The errors that failed streams, in order: the run's last stderr line repeats the first. */
  readonly errors: string[] = [];

  constructor(
    out: Writable,
    private readonly err: TextOut,
    private readonly streams: Map<string, SingerStreamInfo>,
    initialBookmarks: Record<string, JsonObject> = {},
  ) {
    this.writer = new LineWriter(out);
    this.bookmarks = { ...initialBookmarks };
  }

  emit(event: EngineEvent): void | Promise<void> {
    switch (event.type) {
      case 'record': {
        if (!this.schemaSent.has(event.stream)) this.sendSchema(event.stream);
        return this.writer.write(JSON.stringify({ type: 'RECORD', stream: event.stream, record: event.data }));
      }
      case 'state':
        this.bookmarks[event.stream] = event.state;
        return this.writer.write(JSON.stringify({ type: 'STATE', value: { bookmarks: this.bookmarks } }));
      case 'status':
        if (event.status === 'STARTED') this.sendSchema(event.stream);
        this.log('INFO', `Stream ${event.stream}: ${event.status.toLowerCase()}`);
        return;
      case 'rate_limited':
        this.log(
          'INFO',
          `waiting for Intercom's rate budget${event.stream ? ` (${event.stream})` : ''} until ${new Date(event.resetAtMs).toISOString()}`,
        );
        return;
      case 'estimate':
        return;
      case 'schema': {
        // Schema drift: the widened SCHEMA goes out before the record that needs it.
        const info = this.streams.get(event.stream);
        if (!info) return;
        this.streams.set(event.stream, { ...info, schema: event.schema });
        this.schemaSent.delete(event.stream);
        this.sendSchema(event.stream);
        return;
      }
      case 'log':
        this.log(event.level, event.message);
        return;
      case 'error': {
        // The engine's messages already start with "Stream <name>:"; prefix only those that do not name it.
        const named = !event.stream || event.message.toLowerCase().startsWith(`stream ${event.stream.toLowerCase()}`);
        const message = `${named ? '' : `Stream ${event.stream}: `}${event.message}${event.internalMessage ? ` (${event.internalMessage})` : ''}`;
        this.errors.push(redact(message));
        this.log('ERROR', message);
        return;
      }
    }
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  private sendSchema(stream: string): void {
    if (this.schemaSent.has(stream)) return;
    const info = this.streams.get(stream);
    if (!info) return;
    this.schemaSent.add(stream);
    void this.writer.write(
      JSON.stringify({
        type: 'SCHEMA',
        stream,
        schema: info.schema,
        key_properties: info.keyProperties,
        ...(info.bookmarkProperties.length ? { bookmark_properties: info.bookmarkProperties } : {}),
      }),
    );
  }

  private log(level: string, message: string): void {
    this.err.write(`${SINGER_LEVEL[level] ?? level} ${redact(message)}\n`);
  }
}
