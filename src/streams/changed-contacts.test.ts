import { describe, expect, it } from 'vitest';
import { changedAt, changedContactsQuery } from './changed-contacts.js';
import { DAY } from './slicing.js';

const D = Date.UTC(2024, 0, 10) / 1000; // a UTC midnight

type Group = { operator: string; value: (Group | Leaf)[] };
type Leaf = { field: string; operator: string; value: number };
const isLeaf = (node: Group | Leaf): node is Leaf => 'field' in node;

/** Group nesting depth (a leaf is 0), checking that every group is homogeneous. */
function depth(node: Group | Leaf): number {
  if (isLeaf(node)) return 0;
  const leaves = node.value.filter(isLeaf).length;
  expect(leaves === 0 || leaves === node.value.length, 'homogeneous group').toBe(true);
  return 1 + Math.max(...node.value.map(depth));
}

/**
 * Contact search by calendar day in a workspace `offset` seconds ahead of UTC: `>` from the start of
 * the next day, `<` before the day, `=` the whole day.
 */
function matches(node: Group | Leaf, contact: Record<string, number>, offset = 0): boolean {
  if (isLeaf(node)) {
    const at = contact[node.field];
    if (at === undefined) return false;
    const day = Math.floor((at + offset) / DAY) * DAY;
    const boundDay = Math.floor((node.value + offset) / DAY) * DAY;
    return node.operator === '>' ? day > boundDay : node.operator === '<' ? day < boundDay : day === boundDay;
  }
  return node.operator === 'AND'
    ? node.value.every((n) => matches(n, contact, offset))
    : node.value.some((n) => matches(n, contact, offset));
}

describe('changedContactsQuery (contacts whose updated_at or last_seen_at is in the slice)', () => {
  const slice = { index: 1, start: D + 3600, end: D + 3 * DAY, last: false };

  it('is at most two levels deep, every group homogeneous', () => {
    expect(depth(changedContactsQuery(slice) as Group)).toBeLessThanOrEqual(2);
    expect(depth(changedContactsQuery({ ...slice, last: true }) as Group)).toBeLessThanOrEqual(2);
  });

  it('finds a contact by either field anywhere in the slice, including its first and last second', () => {
    const query = changedContactsQuery(slice) as Group;
    for (const at of [slice.start, slice.start + 1, D + DAY, slice.end - 1]) {
      expect(matches(query, { updated_at: at }), `updated_at ${at - D}`).toBe(true);
      expect(matches(query, { updated_at: D - 400 * DAY, last_seen_at: at }), `last_seen_at ${at - D}`).toBe(true);
    }
    expect(matches(query, { updated_at: D - 30 * DAY, last_seen_at: D - 30 * DAY })).toBe(false);
    expect(matches(query, { updated_at: D + 30 * DAY })).toBe(false);
  });

  it('asks the last slice (an incremental read) from the whole day of its start, in every timezone, and not earlier days', () => {
    const last = { index: 0, start: D + 3600, end: D + 7200, last: true };
    const query = changedContactsQuery(last) as Group;
    for (const offset of [-12 * 3600, -5 * 3600, 0, 5.5 * 3600, 14 * 3600])
      for (const at of [last.start, last.start + 1, D + DAY - 1, D + DAY, D + 30 * DAY]) {
        expect(matches(query, { updated_at: at }, offset), `updated_at ${at - D}, tz ${offset}`).toBe(true);
        expect(
          matches(query, { updated_at: 0, last_seen_at: at }, offset),
          `last_seen_at ${at - D}, tz ${offset}`,
        ).toBe(true);
      }
    // In UTC the superset is exactly the day of the start onward: nothing from the days before.
    expect(matches(query, { updated_at: D - 1, last_seen_at: D - 1 })).toBe(false);
  });

  it('leaves the last slice open-ended', () => {
    const query = changedContactsQuery({ ...slice, last: true }) as Group;
    expect(matches(query, { updated_at: D + 900 * DAY })).toBe(true);
    expect(matches(query, { last_seen_at: D + 900 * DAY })).toBe(true);
  });
});

describe('changedAt', () => {
  it('is the later of updated_at and last_seen_at, ignoring nulls', () => {
    expect(changedAt({ updated_at: 10, last_seen_at: 20 })).toBe(20);
    expect(changedAt({ updated_at: 30, last_seen_at: null })).toBe(30);
    expect(changedAt({})).toBeUndefined();
  });
});
