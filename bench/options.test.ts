import { describe, expect, it } from 'vitest';
import { parseOptions, parseScales, scaleFor } from './options.js';

describe('scales', () => {
  it('--scale F applies to every scenario, --scale N=F to one', () => {
    const scales = parseScales(['0.05', '5=1']);
    expect(scaleFor(scales, 1)).toBe(0.05);
    expect(scaleFor(scales, 5)).toBe(1);
  });

  it('defaults keep a plain run short: 0.1 for scenarios 1-4, 1 for the small workspace', () => {
    const scales = parseScales([]);
    expect(scaleFor(scales, 1)).toBe(0.1);
    expect(scaleFor(scales, 4)).toBe(0.1);
    expect(scaleFor(scales, 5)).toBe(1);
  });

  it('refuses a bad scale or scenario with the option named', () => {
    expect(() => parseScales(['0'])).toThrow(/--scale must be a positive number/);
    expect(() => parseScales(['9=1'])).toThrow(/--scenario must be one of 1, 2, 3, 4, 5/);
  });
});

describe('parseOptions', () => {
  it('runs all five scenarios with the CPU floor by default', () => {
    const o = parseOptions([]);
    expect(o.scenarios).toEqual([1, 2, 3, 4, 5]);
    expect(o.floor).toBe(true);
  });

  it('--no-floor, --floor-reps and --scenario', () => {
    const o = parseOptions(['--scenario', '5', '--no-floor', '--floor-reps', '3']);
    expect(o.scenarios).toEqual([5]);
    expect(o.floor).toBe(false);
    expect(o.floorReps).toBe(3);
  });
});
