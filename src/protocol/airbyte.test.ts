import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { assertAirbyteMessage } from '../../test/helpers/protocol.js';
import { clearSecretsForTests, registerSecret } from '../core/redact.js';
import { AirbyteSink } from './airbyte.js';

async function lines(events: Parameters<AirbyteSink['emit']>[0][]): Promise<string[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const sink = new AirbyteSink(out, () => 1_700_000_000_123);
  for (const event of events) await sink.emit(event);
  await sink.flush();
  return text.split('\n').filter(Boolean);
}

describe('AirbyteSink', () => {
  it('writes a RECORD line (cached envelope per stream) that is a valid AirbyteMessage with the exact data', async () => {
    const data = { id: '1', name: 'Zoë "quoted"\n', gone: undefined, nested: { a: [1, null] } };
    const [first, second] = await lines([
      { type: 'record', stream: 'contacts', data },
      { type: 'record', stream: 'odd "name"', data: { id: 2 } },
    ]);
    const message = assertAirbyteMessage(first!);
    expect(message).toEqual({
      type: 'RECORD',
      record: {
        stream: 'contacts',
        data: { id: '1', name: 'Zoë "quoted"\n', nested: { a: [1, null] } },
        emitted_at: 1_700_000_000_123,
      },
    });
    expect(JSON.parse(second!)).toEqual({
      type: 'RECORD',
      record: { stream: 'odd "name"', data: { id: 2 }, emitted_at: 1_700_000_000_123 },
    });
  });

  it('redacts registered secrets in the messages it words itself (LOG)', async () => {
    registerSecret('tok-SECRET-123456');
    try {
      const [log] = await lines([{ type: 'log', level: 'WARN', message: 'calling with tok-SECRET-123456' }]);
      const message = assertAirbyteMessage(log!) as { log: { message: string } };
      expect(message.log.message).not.toContain('tok-SECRET-123456');
      expect(message.log.message).toMatch(/^calling with /);
    } finally {
      clearSecretsForTests();
    }
  });
});
