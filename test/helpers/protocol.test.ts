import { describe, expect, it } from 'vitest';
import { assertAirbyteMessage, assertSingerMessage } from './protocol.js';

/** The validators every e2e test relies on must reject what the protocols forbid. */
describe('protocol validators', () => {
  it('the Singer validator accepts a RECORD with its stream and rejects one without', () => {
    expect(() => assertSingerMessage('{"type":"RECORD","stream":"contacts","record":{"id":"1"}}')).not.toThrow();
    expect(() => assertSingerMessage('{"type":"RECORD","record":{}}')).toThrow(/invalid Singer message/);
  });

  it('the Airbyte validator rejects a RECORD without emitted_at', () => {
    expect(() =>
      assertAirbyteMessage('{"type":"RECORD","record":{"stream":"contacts","data":{"id":"1"},"emitted_at":1}}'),
    ).not.toThrow();
    expect(() => assertAirbyteMessage('{"type":"RECORD","record":{"stream":"contacts","data":{"id":"1"}}}')).toThrow();
  });
});
