import { describe, expect, it } from 'vitest';
import { contactSliceQuery } from './contacts.js';
import { inclusiveSliceQuery } from './conversations.js';
import { DAY, planSlices } from './slicing.js';

const D = Date.UTC(2024, 0, 10) / 1000; // a UTC midnight

describe('planSlices', () => {
  it('covers [lower, upper) exactly, with day-aligned inner boundaries and an open last slice', () => {
    const lower = D + 3600;
    const upper = D + 10 * DAY + 500;
    const slices = planSlices(lower, upper, { sliceDays: 3, workers: 1 });
    expect(slices[0]!.start).toBe(lower);
    expect(slices.at(-1)!.end).toBe(upper);
    expect(slices.at(-1)!.last).toBe(true);
    for (let i = 1; i < slices.length; i++) {
      expect(slices[i]!.start).toBe(slices[i - 1]!.end);
      expect(slices[i]!.start % DAY).toBe(0);
      expect(slices[i - 1]!.last).toBe(false);
    }
  });

  it('makes about four slices per worker when no width is set', () => {
    expect(planSlices(D, D + 80 * DAY, { workers: 5 })).toHaveLength(20);
  });

  it('makes one slice for a window inside one day', () => {
    const slices = planSlices(D + 10, D + 20, { workers: 8 });
    expect(slices).toEqual([{ index: 0, start: D + 10, end: D + 20, last: true }]);
  });
});

describe('contactSliceQuery (contact search compares dates by calendar day)', () => {
  it('asks for the whole first day as OR[= day, > day] and ends with < the day after the end, all groups homogeneous', () => {
    const query = contactSliceQuery({ index: 0, start: D + 7200, end: D + 3 * DAY, last: false }) as { operator: string; value: { operator: string; value: unknown[] }[] };
    expect(query).toEqual({
      operator: 'AND',
      value: [
        { operator: 'OR', value: [{ field: 'updated_at', operator: '=', value: D }, { field: 'updated_at', operator: '>', value: D }] },
        // One day past the end: `<` is by day in the workspace timezone, which may lag UTC.
        { operator: 'OR', value: [{ field: 'updated_at', operator: '<', value: D + 4 * DAY }] },
      ],
    });
  });

  it('leaves the last slice open-ended', () => {
    expect(contactSliceQuery({ index: 2, start: D + 5 * DAY, end: D + 5 * DAY + 99, last: true })).toEqual({
      operator: 'OR',
      value: [{ field: 'updated_at', operator: '=', value: D + 5 * DAY }, { field: 'updated_at', operator: '>', value: D + 5 * DAY }],
    });
  });
});

describe('inclusiveSliceQuery (conversation and ticket search)', () => {
  it('asks one second wider on each side', () => {
    expect(inclusiveSliceQuery({ index: 0, start: 100, end: 200, last: false })).toEqual({
      operator: 'AND',
      value: [{ field: 'updated_at', operator: '>', value: 99 }, { field: 'updated_at', operator: '<', value: 200 }],
    });
  });
});
