import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from './redact.js';

describe('redact', () => {
  it('replaces registered secrets wherever they appear', () => {
    registerSecret('s3cr3t-token-value');
    expect(redact('token=s3cr3t-token-value and again s3cr3t-token-value')).toBe('token=*** and again ***');
  });

  it('hides bearer values in Authorization dumps even when the value was never registered', () => {
    expect(redact('{"authorization":"Bearer abc.def-unregistered"}')).toBe('{"authorization":"Bearer ***"}');
    expect(redact('Authorization: Bearer xyz123')).toBe('Authorization: Bearer ***');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('Stream contacts: 10 records')).toBe('Stream contacts: 10 records');
  });
});
