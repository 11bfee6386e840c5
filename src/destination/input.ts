import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { JsonObject } from '../core/events.js';

/** One input line, as the write engine sees it (protocol-neutral). */
export type InputEvent =
  | { type: 'record'; stream: string; data: JsonObject }
  | { type: 'state'; stream?: string; payload: unknown }
  | { type: 'schema'; stream: string }
  | { type: 'bad'; code: BadInputCode; reason: string; line: string; stream?: string; record?: JsonObject }
  | { type: 'ignored'; what: string };

export type BadInputCode =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'invalid_message'
  | 'oversized_message'
  | 'record_before_schema'
  | 'unsupported_message';

export const EXCERPT_CHARS = 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One input line: its text, or its head when it was longer than max_message_bytes, or why it could not be read. */
export type Line =
  | { text: string }
  | { oversized: true; head: string; bytes: number }
  | { invalidUtf8: true; lossy: string; bytes: number };

/** Decoding that refuses invalid UTF-8 rather than turning it into U+FFFD (and sending a corrupted email). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

/**
 * Splits the raw bytes of stdin into lines (LF or CRLF) and decodes each one strictly. A line
 * longer than `maxBytes` keeps only its first `maxBytes` bytes and its full length, so a huge line
 * is never buffered. (split2 cannot do this: it decodes every chunk with a lenient StringDecoder.)
 */
class LineSplitter extends Transform {
  private parts: Buffer[] = [];
  private kept = 0;
  private lineBytes = 0;

  constructor(private readonly maxBytes: number) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const end = nl === -1 ? chunk.length : nl;
      this.keep(chunk.subarray(pos, end));
      if (nl === -1) break;
      this.push(this.endOfLine());
      pos = nl + 1;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.lineBytes > 0) this.push(this.endOfLine());
    callback();
  }

  private keep(piece: Buffer): void {
    if (this.kept < this.maxBytes && piece.length > 0) {
      const take = piece.subarray(0, this.maxBytes - this.kept);
      this.parts.push(take);
      this.kept += take.length;
    }
    this.lineBytes += piece.length;
  }

  private endOfLine(): Line {
    let bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const total = this.lineBytes;
    this.parts = [];
    this.kept = 0;
    this.lineBytes = 0;
    if (total > this.maxBytes)
      return { oversized: true, head: lossyUtf8.decode(bytes).slice(0, EXCERPT_CHARS), bytes: total };
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    try {
      return { text: strictUtf8.decode(bytes) };
    } catch {
      return { invalidUtf8: true, lossy: lossyUtf8.decode(bytes), bytes: total };
    }
  }
}

/** The lines of an input stream (stdin); oversized lines arrive as their head, undecodable ones as an excerpt. */
export function readLines(
  input: Readable,
  maxBytes: number,
): AsyncIterable<Line> & { destroy(error?: Error): unknown } {
  const lines = input.pipe(new LineSplitter(maxBytes));
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
    return {
      bad: {
        type: 'bad',
        code: 'invalid_json',
        reason: `not a JSON line: ${(err as Error).message}`,
        line: excerpt(line),
      },
    };
  }
  if (!isObject(message))
    return {
      bad: { type: 'bad', code: 'invalid_message', reason: 'a message must be a JSON object', line: excerpt(line) },
    };
  return { message };
}

/**
 * A line that is not valid UTF-8 is dead-lettered whole: only its excerpt (with U+FFFD where bytes
 * were invalid) goes to the dead-letter file, and the stream it names counts it when it parses.
 */
export function invalidUtf8(line: Extract<Line, { invalidUtf8: true }>): InputEvent {
  const reason = `the line (${line.bytes} bytes) is not valid UTF-8; it was not parsed and nothing of it was sent. Fix the encoding at the source (the excerpt shows U+FFFD where bytes were invalid)`;
  return { type: 'bad', code: 'invalid_utf8', reason, line: excerpt(line.lossy), stream: streamOf(line.lossy) };
}

/** The stream an Airbyte (record.stream) or Singer (stream) message names, if the text parses. */
function streamOf(text: string): string | undefined {
  try {
    const m = JSON.parse(text) as unknown;
    if (!isObject(m)) return undefined;
    const stream = isObject(m.record) && typeof m.record.stream === 'string' ? m.record.stream : m.stream;
    return typeof stream === 'string' && stream !== '' ? stream : undefined;
  } catch {
    return undefined;
  }
}

export function oversized(line: Extract<Line, { oversized: true }>, maxBytes: number): InputEvent {
  return {
    type: 'bad',
    code: 'oversized_message',
    reason: `the line is ${line.bytes} bytes, more than max_message_bytes (${maxBytes}); it was not parsed`,
    line: `${line.head}...`,
  };
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
      if (!isObject(r) || typeof r.stream !== 'string' || r.stream === '')
        return {
          type: 'bad',
          code: 'invalid_message',
          reason: 'RECORD needs record.stream (a string) and record.data (an object)',
          line: excerpt(line),
        };
      if (!isObject(r.data))
        return {
          type: 'bad',
          code: 'invalid_message',
          reason: 'RECORD needs record.data (an object)',
          line: excerpt(line),
          stream: r.stream,
        };
      return { type: 'record', stream: r.stream, data: r.data };
    }
    case 'STATE': {
      if (!isObject(m.state))
        return { type: 'bad', code: 'invalid_message', reason: 'STATE needs a state object', line: excerpt(line) };
      const descriptor =
        isObject(m.state.stream) && isObject(m.state.stream.stream_descriptor)
          ? m.state.stream.stream_descriptor
          : undefined;
      return {
        type: 'state',
        stream: m.state.type === 'STREAM' && typeof descriptor?.name === 'string' ? descriptor.name : undefined,
        payload: m.state,
      };
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
        if (!stream || !isObject(m.schema))
          return {
            type: 'bad',
            code: 'invalid_message',
            reason: 'SCHEMA needs stream (a string) and schema (an object)',
            line: excerpt(line),
          };
        this.schemas.add(stream);
        return { type: 'schema', stream };
      case 'RECORD':
        if (!stream || !isObject(m.record))
          return {
            type: 'bad',
            code: 'invalid_message',
            reason: 'RECORD needs stream (a string) and record (an object)',
            line: excerpt(line),
            stream,
          };
        if (!this.schemas.has(stream))
          return {
            type: 'bad',
            code: 'record_before_schema',
            reason: `RECORD for stream '${stream}' before its SCHEMA message`,
            line: excerpt(line),
            stream,
            record: m.record,
          };
        return { type: 'record', stream, data: m.record };
      case 'STATE':
        if (!('value' in m))
          return { type: 'bad', code: 'invalid_message', reason: 'STATE needs a value', line: excerpt(line) };
        return { type: 'state', payload: m.value };
      case 'BATCH':
        return {
          type: 'bad',
          code: 'unsupported_message',
          reason: 'BATCH messages (records in files) are not supported; configure the tap to send RECORD messages',
          line: excerpt(line),
          stream,
        };
      default:
        return { type: 'ignored', what: `Singer ${type || 'untyped'} messages` };
    }
  }
}
