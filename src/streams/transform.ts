import type { JsonObject } from '../core/events.js';

/** Ids in Intercom are strings, though some endpoints send numbers. */
export function idString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** One record per key (the first one wins), built from the item and its key; items without a key are skipped. */
export function uniqueRecords<T>(
  items: T[],
  keyOf: (item: T) => string | undefined,
  build: (item: T, key: string) => JsonObject,
): JsonObject[] {
  const seen = new Set<string>();
  const records: JsonObject[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    records.push(build(item, key));
  }
  return records;
}
