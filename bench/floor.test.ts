import { describe, expect, it } from 'vitest';
import { cpuVersusFloor, frame, median, recordLines, timeFloor, unframe } from './floor.js';

describe('bodies file framing', () => {
  it('gives back every body, empty ones and multi-byte ones included', () => {
    const bodies = ['{"a":1}', '', '{"name":"Zoë ✓"}'].map((s) => Buffer.from(s, 'utf8'));
    const file = Buffer.concat(bodies.map(frame));
    expect(unframe(file).map((b) => b.toString('utf8'))).toEqual(['{"a":1}', '', '{"name":"Zoë ✓"}']);
  });

  it('refuses a truncated file instead of returning part of a body', () => {
    const file = frame(Buffer.from('{"a":1}'));
    expect(() => unframe(file.subarray(0, file.length - 1))).toThrow(/truncated/);
    expect(() => unframe(Buffer.concat([file, Buffer.from([0, 0])]))).toThrow(/truncated/);
  });
});

describe('recordLines', () => {
  const out = [
    '{"type":"RECORD","record":{"stream":"contacts","data":{"id":"1"},"emitted_at":1}}',
    '{"type":"STATE","state":{}}',
    '{"type":"RECORD","record":{"stream":"contacts_extra","data":{},"emitted_at":1}}',
    '{"type":"RECORD","record":{"stream":"conversation_parts","data":{"id":"p"},"emitted_at":1}}',
    '',
  ].join('\n');

  it('keeps the RECORD lines of one stream only (not a stream whose name starts the same)', () => {
    expect(recordLines(out, 'contacts')).toHaveLength(1);
    expect(recordLines(out, 'conversation_parts')).toHaveLength(1);
    expect(recordLines(out)).toHaveLength(3);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('timeFloor', () => {
  it('counts the bodies, their bytes and the records it timed', () => {
    const t = timeFloor(['{"a":[1,2]}', '{"é":1}'], [{ type: 'RECORD' }], 3);
    expect(t.bodies).toBe(2);
    expect(t.bodyBytes).toBe(11 + 8);
    expect(t.records).toBe(1);
    expect(t.reps).toBe(3);
    expect(t.parseSec).toBeGreaterThanOrEqual(0);
    expect(t.stringifySec).toBeGreaterThanOrEqual(0);
  });
});

describe('cpuVersusFloor', () => {
  it('reports CPU per record against the floor, whole and net of startup', () => {
    const vs = cpuVersusFloor(3, 1, { parseSec: 0.6, stringifySec: 0.4 }, 10_000)!;
    expect(vs.cpuPerRecordUs).toBeCloseTo(300, 9);
    expect(vs.netCpuPerRecordUs).toBeCloseTo(200, 9);
    expect(vs.floorPerRecordUs).toBeCloseTo(100, 9);
    expect(vs.ratio).toBeCloseTo(3, 9);
    expect(vs.netRatio).toBeCloseTo(2, 9);
  });

  it('has no ratio without records or without a floor', () => {
    expect(cpuVersusFloor(1, 0, { parseSec: 0.1, stringifySec: 0 }, 0)).toBeUndefined();
    expect(cpuVersusFloor(1, 0, { parseSec: 0, stringifySec: 0 }, 10)).toBeUndefined();
  });
});
