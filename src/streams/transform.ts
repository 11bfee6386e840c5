import type { JsonObject } from '../core/events.js';

/**
 * custom_attributes / ticket_attributes become JSON strings: the set of keys differs per workspace
 * and changes over time, and a string keeps the destination's table shape stable.
 */
export function stringifyFields(record: JsonObject, fields: readonly string[]): JsonObject {
  for (const field of fields) {
    const value = record[field];
    if (value !== undefined && value !== null && typeof value !== 'string') record[field] = JSON.stringify(value);
  }
  return record;
}

/** Ids in Intercom are strings, though some endpoints send numbers. */
export function idString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
