import { Transform, type Readable, type TransformCallback } from 'node:stream';
import split2 from 'split2';
import type { JsonObject } from '../core/events.js';

/** One input line, as the write engine sees it (protocol-neutral). */
export type InputEvent =
  | { type: 'record'; stream: string; data: JsonObject }
  | { type: 'state'; stream?: string; payload: unknown }
  | { type: 'schema'; stream: string }
  | { type: 'bad'; code: BadInputCode; reason: string; line: string; stream?: string; record?: JsonObject }
  | { type: 'ignored'; what: string };

export type BadInputCode = 'invalid_json' | 'invalid_message' | 'oversized_message' | 'record_before_schema' | 'unsupported_message';

export const EXCERPT_CHARS = 1024;
/** Marks a line cut at max_message_bytes; raw control characters cannot occur in a JSON text. */
const CUT = 0x1e;
const NEWLINE = 0x0a;

/**
 * Cuts every line longer than `maxBytes` to its first `maxBytes` bytes followed by a marker and the
 * line's full length, so splitting never buffers a huge line and the engine can say how big it was.
 */
class LineLengthGuard extends Transform {
  private lineBytes = 0;
  private cut = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const end = nl === -1 ? chunk.length : nl;
      const length = end - pos;
      if (!this.cut && this.lineBytes + length > this.maxBytes) {
        out.push(chunk.subarray(pos, pos + (this.maxBytes - this.lineBytes)));
        this.cut = true;
      } else if (!this.cut) {
        out.push(chunk.subarray(pos, end));
      }
      this.lineBytes += length;
      if (nl === -1) break;
      out.push(this.endOfLine());
      pos = nl + 1;
    }
    callback(null, Buffer.concat(out));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.cut ? this.endOfLine() : undefined);
  }

  private endOfLine(): Buffer {
    const marker = this.cut ? Buffer.from(`${String.fromCharCode(CUT)}${this.lineBytes}\n`) : Buffer.from('\n');
    this.lineBytes = 0;
    this.cut = false;
    return marker;
  }
}

export type Line = { text: string } | { oversized: true; head: string; bytes: number };

const CUT_SUFFIX = new RegExp(`${String.fromCharCode(CUT)}(\\d+)$`);

/** The lines of an input stream (stdin), split with split2; oversized lines arrive as their head. */
export function readLines(input: Readable, maxBytes: number): AsyncIterable<Line> & { destroy(error?: Error): unknown } {
  const lines = input.pipe(new LineLengthGuard(maxBytes)).pipe(
    split2((line: string): Line => {
      const cut = CUT_SUFFIX.exec(line);
      if (cut) return { oversized: true, head: line.slice(0, Math.min(EXCERPT_CHARS, cut.index)), bytes: Number(cut[1]) };
      return { text: line };
    }),
  );
  input.once('error', (err) => lines.destroy(err));
  return lines;
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function excerpt(line: string): string {
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}...` : line;
}

function parseJsonLine(line: string): { message: JsonObject } | { bad: InputEvent } {
  let message: unknown;
  try {
    message = JSON.parse(line) as unknown;
  } catch (err) {
    return { bad: { type: 'bad', code: 'invalid_json', reason: `not a JSON line: ${(err as Error).message}`, line: excerpt(line) } };
  }
  if (!isObject(message)) return { bad: { type: 'bad', code: 'invalid_message', reason: 'a message must be a JSON object', line: excerpt(line) } };
  return { message };
}

export function oversized(line: Extract<Line, { oversized: true }>, maxBytes: number): InputEvent {
  return { type: 'bad', code: 'oversized_message', reason: `the line is ${line.bytes} bytes, more than max_message_bytes (${maxBytes}); it was not parsed`, line: `${line.head}...` };
}

/** Airbyte messages from the platform: RECORD and STATE matter; anything else is ignored (and said so once). */
export function parseAirbyteLine(line: string): InputEvent | undefined {
  if (line.trim() === '') return undefined;
  const parsed = parseJsonLine(line);
  if ('bad' in parsed) return parsed.bad;
  const m = parsed.message;
  switch (m.type) {
    case 'RECORD': {
      const r = m.record;
      if (!isObject(r) || typeof r.stream !== 'string' || r.stream === '') return { type: 'bad', code: 'invalid_message', reason: 'RECORD needs record.stream (a string) and record.data (an object)', line: excerpt(line) };
      if (!isObject(r.data)) return { type: 'bad', code: 'invalid_message', reason: 'RECORD needs record.data (an object)', line: excerpt(line), stream: r.stream };
      return { type: 'record', stream: r.stream, data: r.data };
    }
    case 'STATE': {
      if (!isObject(m.state)) return { type: 'bad', code: 'invalid_message', reason: 'STATE needs a state object', line: excerpt(line) };
      const descriptor = isObject(m.state.stream) && isObject(m.state.stream.stream_descriptor) ? m.state.stream.stream_descriptor : undefined;
      return { type: 'state', stream: m.state.type === 'STREAM' && typeof descriptor?.name === 'string' ? descriptor.name : undefined, payload: m.state };
    }
    default:
      return { type: 'ignored', what: `Airbyte ${typeof m.type === 'string' ? m.type : 'untyped'} messages` };
  }
}

/** Singer messages from a tap: SCHEMA, RECORD and STATE (types are case-insensitive in the spec). */
export class SingerInput {
  private readonly schemas = new Set<string>();

  parse(line: string): InputEvent | undefined {
    if (line.trim() === '') return undefined;
    const parsed = parseJsonLine(line);
    if ('bad' in parsed) return parsed.bad;
    const m = parsed.message;
    const type = typeof m.type === 'string' ? m.type.toUpperCase() : '';
    const stream = typeof m.stream === 'string' && m.stream !== '' ? m.stream : undefined;
    switch (type) {
      case 'SCHEMA':
        if (!stream || !isObject(m.schema)) return { type: 'bad', code: 'invalid_message', reason: 'SCHEMA needs stream (a string) and schema (an object)', line: excerpt(line) };
        this.schemas.add(stream);
        return { type: 'schema', stream };
      case 'RECORD':
        if (!stream || !isObject(m.record)) return { type: 'bad', code: 'invalid_message', reason: 'RECORD needs stream (a string) and record (an object)', line: excerpt(line), stream };
        if (!this.schemas.has(stream)) return { type: 'bad', code: 'record_before_schema', reason: `RECORD for stream '${stream}' before its SCHEMA message`, line: excerpt(line), stream, record: m.record };
        return { type: 'record', stream, data: m.record };
      case 'STATE':
        if (!('value' in m)) return { type: 'bad', code: 'invalid_message', reason: 'STATE needs a value', line: excerpt(line) };
        return { type: 'state', payload: m.value };
      case 'BATCH':
        return { type: 'bad', code: 'unsupported_message', reason: 'BATCH messages (records in files) are not supported; configure the tap to send RECORD messages', line: excerpt(line), stream };
      default:
        return { type: 'ignored', what: `Singer ${type || 'untyped'} messages` };
    }
  }
}
