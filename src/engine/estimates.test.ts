import { describe, expect, it } from 'vitest';
import { EstimateGate } from './estimates.js';

describe('EstimateGate', () => {
  it('admits the first estimate of each stream, then only changes of more than 10 %', () => {
    const gate = new EstimateGate();
    expect(gate.admit('contacts', 1000)).toBe(true);
    expect(gate.admit('tickets', 1000)).toBe(true);
    expect(gate.admit('contacts', 1000)).toBe(false);
    expect(gate.admit('contacts', 1100)).toBe(false);
    expect(gate.admit('contacts', 901)).toBe(false);
    expect(gate.admit('contacts', 1101)).toBe(true);
    expect(gate.admit('contacts', 1150)).toBe(false);
    expect(gate.admit('contacts', Number.NaN)).toBe(false);
  });
});
