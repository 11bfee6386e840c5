import { ConnectorError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { excerpt } from '../../core/redact.js';

/** Pulls the records array out of a list body (the first documented key present); a missing array is a malformed body. */
export function recordsOf(body: unknown, key: string | string[], endpoint: string, stream?: string): JsonObject[] {
  const keys = Array.isArray(key) ? key : [key];
  if (body && typeof body === 'object') {
    for (const k of keys) {
      const value = (body as Record<string, unknown>)[k];
      if (Array.isArray(value)) return value as JsonObject[];
    }
  }
  throw new ConnectorError(
    `Intercom's answer to ${endpoint} has no '${keys.join("' or '")}' array; the response is malformed or the API version changed.`,
    {
      failureType: 'system_error',
      stream,
      internalMessage: `body starts with ${excerpt(JSON.stringify(body) ?? String(body), 200)}`,
    },
  );
}

/** `total_count` when it is a number (the scroll example sends null). */
export function totalCountOf(body: unknown): number | undefined {
  const total = body && typeof body === 'object' ? (body as Record<string, unknown>).total_count : undefined;
  return typeof total === 'number' && Number.isFinite(total) && total >= 0 ? total : undefined;
}
