import type { JsonObject } from '../core/events.js';

export interface PartsList {
  conversation_parts?: JsonObject[];
  ticket_parts?: JsonObject[];
  total_count?: number;
}

export interface PartsReport {
  /** Parts the API returned. */
  returned: number;
  /** Parts the parent says it has (statistics or total_count). */
  expected: number;
}

/** Intercom returns at most the 500 most recent parts; say so, never pretend completeness. */
export function partsShortfall(
  detail: JsonObject,
  parts: JsonObject[],
  list: PartsList | undefined,
): PartsReport | undefined {
  const stats = detail.statistics as { count_conversation_parts?: unknown } | null | undefined;
  const counted = typeof stats?.count_conversation_parts === 'number' ? stats.count_conversation_parts : 0;
  const total = typeof list?.total_count === 'number' ? list.total_count : 0;
  const expected = Math.max(counted, total);
  return expected > parts.length ? { returned: parts.length, expected } : undefined;
}
