import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAirbyteLine, readLines, SingerInput, type Line } from './input.js';

/**
 * Property tests for the destination's stdin reader: whatever bytes arrive, in whatever chunks,
 * every line comes out once, in order (oversized ones flagged with their true size), and the
 * message parsers classify every line without throwing.
 */
async function collect(chunks: Buffer[], maxBytes: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of readLines(Readable.from(chunks), maxBytes)) out.push(line);
  return out;
}

/** Cuts a buffer at the given fractions. */
function chunked(buffer: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * buffer.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    if (p > last) chunks.push(buffer.subarray(last, p));
    last = Math.max(last, p);
  }
  if (last < buffer.length) chunks.push(buffer.subarray(last));
  return chunks;
}

const lineText = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[\n\r\x1e]/g, ' ')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"type":"RECORD","record":{"stream":"contacts","data":{"email":"a@b.c"}}}',
    '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"x"}}}}',
    '{"type":"SCHEMA","stream":"contacts","schema":{},"key_properties":[]}',
  ),
);

describe('destination stdin reader (property tests)', () => {
  it('yields every line once, in order, whatever the chunking; long lines are flagged with their byte length', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineText, { maxLength: 30 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        fc.integer({ min: 8, max: 80 }),
        async (lines, cuts, maxBytes) => {
          const input = Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8');
          const out = await collect(chunked(input, cuts), maxBytes);
          expect(out).toHaveLength(lines.length);
          out.forEach((line, i) => {
            const bytes = Buffer.byteLength(lines[i]!, 'utf8');
            if (bytes > maxBytes) {
              expect('oversized' in line, `line ${i} (${bytes} bytes) flagged`).toBe(true);
              if ('oversized' in line) expect(line.bytes).toBe(bytes);
            } else {
              expect(line).toEqual({ text: lines[i] });
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any bytes: a line is text exactly when it is valid UTF-8, and that text is its bytes (never a U+FFFD substitute)', async () => {
    const byteLine = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a))),
      fc.fullUnicodeString({ maxLength: 20 }).map((s) => Buffer.from(s.replace(/[\n\r\ufeff]/g, ' '), 'utf8')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(byteLine, { maxLength: 20 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        async (lines, cuts) => {
          const input = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
          const out = await collect(chunked(input, cuts), 1000);
          expect(out).toHaveLength(lines.length);
          out.forEach((line, i) => {
            let bytes = lines[i]!;
            if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
            const withoutBom = bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? bytes.subarray(3) : bytes;
            if (isUtf8(bytes)) expect(line).toEqual({ text: withoutBom.toString('utf8') });
            else expect(line).toMatchObject({ invalidUtf8: true, bytes: lines[i]!.length });
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the Airbyte and Singer parsers classify any line without throwing', () => {
    fc.assert(
      fc.property(fc.array(lineText, { maxLength: 20 }), (lines) => {
        const singer = new SingerInput();
        for (const line of lines) {
          for (const event of [parseAirbyteLine(line), singer.parse(line)]) {
            if (event === undefined) expect(line.trim()).toBe('');
            else expect(['record', 'state', 'schema', 'bad', 'ignored']).toContain(event.type);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
