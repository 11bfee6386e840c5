import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { invalidUtf8, parseAirbyteLine, readLines, SingerInput, type Line } from './input.js';

async function lines(chunks: (string | Buffer)[], maxBytes: number): Promise<Line[]> {
  const input = new PassThrough();
  const out: Line[] = [];
  const reading = (async () => {
    for await (const line of readLines(input, maxBytes)) out.push(line);
  })();
  for (const c of chunks) input.write(c);
  input.end();
  await reading;
  return out;
}

describe('readLines', () => {
  it('splits lines across chunks (CRLF too) and keeps the last line without a newline', async () => {
    expect(await lines(['{"a":', '1}\r\n{"b"', ':2}\n', '{"c":3}'], 100)).toEqual([
      { text: '{"a":1}' },
      { text: '{"b":2}' },
      { text: '{"c":3}' },
    ]);
  });

  it('cuts a line longer than max bytes, within one chunk or across many, and says how long it was', async () => {
    const long = 'x'.repeat(250);
    const got = await lines(
      [`ok\n${long.slice(0, 90)}`, long.slice(90, 200), `${long.slice(200)}\nafter\n`, 'y'.repeat(120), '\n'],
      100,
    );
    expect(got).toEqual([
      { text: 'ok' },
      { oversized: true, head: 'x'.repeat(100), bytes: 250 },
      { text: 'after' },
      { oversized: true, head: 'y'.repeat(100), bytes: 120 },
    ]);
  });

  it('an oversized last line without a newline is still reported', async () => {
    expect(await lines(['z'.repeat(30)], 10)).toEqual([{ oversized: true, head: 'z'.repeat(10), bytes: 30 }]);
  });
});

describe('invalid UTF-8', () => {
  const record = (email: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from('{"type":"RECORD","record":{"stream":"contacts","data":{"email":"'),
      email,
      Buffer.from('"}}}'),
    ]);

  it('a line with invalid bytes is flagged, never decoded to U+FFFD text; the lines around it are intact', async () => {
    const bad = record(Buffer.from([0x61, 0xff, 0x40, 0x62])); // a, an invalid byte, @, b
    const overlong = Buffer.from([0xc0, 0xaf]); // an overlong '/'
    const cutEuro = Buffer.from([0xe2, 0x82]); // the first two bytes of '€'
    const got = await lines(
      [
        Buffer.from('{"a":1}\n'),
        bad,
        Buffer.from('\n'),
        overlong,
        Buffer.from('\n'),
        cutEuro,
        Buffer.from('\n{"ok":"€"}\n'),
      ],
      1000,
    );
    expect(got.map((l) => Object.keys(l)[0])).toEqual(['text', 'invalidUtf8', 'invalidUtf8', 'invalidUtf8', 'text']);
    expect(got[4]).toEqual({ text: '{"ok":"€"}' });
    expect(got[1]).toEqual({
      invalidUtf8: true,
      lossy: '{"type":"RECORD","record":{"stream":"contacts","data":{"email":"a\ufffd@b"}}}',
      bytes: bad.length,
    });
  });

  it('a valid multi-byte character split across chunks is decoded whole', async () => {
    const euro = Buffer.from('{"x":"€"}\n');
    expect(await lines([euro.subarray(0, 7), euro.subarray(7)], 100)).toEqual([{ text: '{"x":"€"}' }]);
  });

  it('becomes a bad event (invalid_utf8) naming the stream when the rest of the line parses', () => {
    const event = invalidUtf8({
      invalidUtf8: true,
      lossy: '{"type":"RECORD","record":{"stream":"contacts","data":{"email":"a\ufffd@b"}}}',
      bytes: 70,
    });
    expect(event).toMatchObject({
      type: 'bad',
      code: 'invalid_utf8',
      stream: 'contacts',
      reason: expect.stringContaining('not valid UTF-8'),
    });
    expect(invalidUtf8({ invalidUtf8: true, lossy: '\ufffd', bytes: 1 })).toMatchObject({
      type: 'bad',
      code: 'invalid_utf8',
      stream: undefined,
    });
    // A long line is excerpted in the dead letter, but still counted for its stream (Singer: `stream`).
    const long = invalidUtf8({
      invalidUtf8: true,
      lossy: JSON.stringify({ type: 'RECORD', stream: 's', record: { note: `\ufffd${'x'.repeat(5000)}` } }),
      bytes: 5050,
    });
    expect(long).toMatchObject({ stream: 's' });
    expect((long as { line: string }).line.length).toBeLessThan(1100);
  });
});

describe('Airbyte input', () => {
  it('RECORD and STATE; other message types are ignored, not failed', () => {
    expect(
      parseAirbyteLine('{"type":"RECORD","record":{"stream":"contacts","data":{"email":"a@b.co"},"emitted_at":1}}'),
    ).toEqual({ type: 'record', stream: 'contacts', data: { email: 'a@b.co' } });
    const state = { type: 'STREAM', stream: { stream_descriptor: { name: 'contacts' }, stream_state: { x: 1 } } };
    expect(parseAirbyteLine(JSON.stringify({ type: 'STATE', state }))).toEqual({
      type: 'state',
      stream: 'contacts',
      payload: state,
    });
    expect(parseAirbyteLine(JSON.stringify({ type: 'STATE', state: { type: 'GLOBAL', global: {} } }))).toMatchObject({
      type: 'state',
      stream: undefined,
    });
    expect(parseAirbyteLine('{"type":"TRACE","trace":{}}')).toEqual({
      type: 'ignored',
      what: 'Airbyte TRACE messages',
    });
    expect(parseAirbyteLine('   ')).toBeUndefined();
  });

  it('bad lines say why', () => {
    expect(parseAirbyteLine('nope')).toMatchObject({ type: 'bad', code: 'invalid_json', line: 'nope' });
    expect(parseAirbyteLine('[1]')).toMatchObject({ type: 'bad', code: 'invalid_message' });
    expect(parseAirbyteLine('{"type":"RECORD","record":{"stream":"s","data":[1]}}')).toMatchObject({
      type: 'bad',
      code: 'invalid_message',
      stream: 's',
    });
  });
});

describe('Singer input', () => {
  it('a RECORD needs its SCHEMA first; types are case-insensitive; BATCH is refused', () => {
    const input = new SingerInput();
    expect(input.parse('{"type":"RECORD","stream":"s","record":{"a":1}}')).toMatchObject({
      type: 'bad',
      code: 'record_before_schema',
      stream: 's',
      record: { a: 1 },
    });
    expect(input.parse('{"type":"schema","stream":"s","schema":{},"key_properties":[]}')).toEqual({
      type: 'schema',
      stream: 's',
    });
    expect(input.parse('{"type":"RECORD","stream":"s","record":{"a":1}}')).toEqual({
      type: 'record',
      stream: 's',
      data: { a: 1 },
    });
    expect(input.parse('{"type":"STATE","value":{"bookmarks":{}}}')).toEqual({
      type: 'state',
      payload: { bookmarks: {} },
    });
    expect(input.parse('{"type":"BATCH","stream":"s","encoding":{"format":"jsonl"},"manifest":[]}')).toMatchObject({
      type: 'bad',
      code: 'unsupported_message',
    });
    expect(input.parse('{"type":"ACTIVATE_VERSION","stream":"s","version":1}')).toEqual({
      type: 'ignored',
      what: 'Singer ACTIVATE_VERSION messages',
    });
  });
});
