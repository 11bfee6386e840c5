import { describe, expect, it } from 'vitest';
import { cursorOf } from './cursor.js';

describe('cursorOf', () => {
  it('accepts seconds, milliseconds, numeric strings, ISO strings and Meltano bookmarks', () => {
    expect(cursorOf({ updated_at: 1700000000 }, 'updated_at', 's')).toBe(1700000000);
    expect(cursorOf({ updated_at: 1700000000123 }, 'updated_at', 's')).toBe(1700000000);
    expect(cursorOf({ updated_at: '1700000000' }, 'updated_at', 's')).toBe(1700000000);
    expect(cursorOf({ updated_at: '2023-11-14T22:13:20Z' }, 'updated_at', 's')).toBe(1700000000);
    expect(
      cursorOf({ replication_key: 'updated_at', replication_key_value: '2023-11-14T22:13:20Z' }, 'updated_at', 's'),
    ).toBe(1700000000);
    expect(cursorOf({}, 'updated_at', 's')).toBeUndefined();
  });

  it('names the stream when the cursor is unreadable', () => {
    expect(() => cursorOf({ updated_at: 'soon' }, 'updated_at', 'contacts')).toThrow(/stream 'contacts'/);
  });
});
