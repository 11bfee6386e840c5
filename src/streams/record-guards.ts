import type { JsonObject, Logger } from '../core/events.js';
import { buildPath, PathValueError } from '../core/url-path.js';
import { IntercomApiError } from '../intercom/errors.js';
import type { ReaderItem } from './types.js';

/**
 * What the readers do with records they cannot trust (see README "Guarantees"):
 * - a list item that is not an object (null) is skipped with a counted WARN;
 * - a record without its primary key is not emitted (it could never be de-duplicated), is named in
 *   a WARN, ends the stream INCOMPLETE and holds the state before it;
 * - a record whose cursor is unreadable is emitted with a WARN, and the state stays before it.
 * - a parent whose detail Intercom refuses with a 4xx other than 401/403/404/429 is skipped with
 *   a WARN naming it, ends the stream INCOMPLETE and holds the state before it.
 */

export const isRecord = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The objects of a list; anything else (null, a number) is counted and reported. */
export function objectsOf(items: readonly unknown[], logger: Logger, where: string): JsonObject[] {
  let skipped = 0;
  for (const item of items) if (!isRecord(item)) skipped++;
  if (skipped === 0) return items as JsonObject[];
  logger.warn(
    `NULL_ITEMS ${where}: ${skipped} of ${items.length} list items were not objects (null); they are skipped.`,
  );
  return items.filter(isRecord);
}

/**
 * A cursor value as Unix seconds: a non-negative number, or text Intercom should not send but
 * that still says a time unambiguously (digits, ISO 8601). Anything else is unreadable.
 */
export function cursorSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms < 0 ? undefined : Math.floor(ms / 1000);
}

/**
 * Why one parent's detail cannot be read while the rest of the stream can: Intercom refused it, or
 * the parent's id from Intercom cannot be one path segment (`..`, `/`, `?`: it would reach another
 * endpoint, so it is never requested).
 */
export type ParentRefusal = IntercomApiError | PathValueError;

/** A non-404 4xx other than 401 (token), 403 (permission) and 429 (retried), or an id that is no path segment. */
export function isParentRefusal(err: unknown): err is ParentRefusal {
  if (err instanceof PathValueError) return true;
  const status = err instanceof IntercomApiError ? err.status : undefined;
  return (
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    status !== 401 &&
    status !== 403 &&
    status !== 404 &&
    status !== 429
  );
}

/** The WARN and the item for a parent whose detail was refused: the rest of the stream goes on. */
export function parentSkipped(logger: Logger, stream: string, parent: string, err: ParentRefusal): ReaderItem {
  const internal = err instanceof IntercomApiError ? err.internalMessage : undefined;
  const reason = `${parent} skipped: ${err.message}${internal ? ` (${internal})` : ''}`;
  logger.warn(
    `PARENT_SKIPPED ${stream}: ${reason} Its records are not emitted in this sync; the state stays before it, so the next sync reads it again.`,
  );
  return { kind: 'incomplete', stream, reason };
}

/** The WARN and the item for a record without its primary key. */
export function keyMissing(logger: Logger, stream: string, where: string, key = 'id'): ReaderItem {
  const reason = `a record without its ${key} (${where}) was not emitted: it could not be de-duplicated`;
  logger.warn(`KEY_MISSING ${stream}: ${reason}. The state stays before it, so the next sync reads it again.`);
  return { kind: 'incomplete', stream, reason };
}

/**
 * Starts `fetch` for an item and returns its promise, already marked as handled: a rejection
 * while an earlier fetch is awaited must not become an unhandled rejection (that exits node).
 * Awaiting the returned promise still throws the error.
 */
export function started<R>(promise: Promise<R>): Promise<R> {
  promise.catch(() => undefined);
  return promise;
}

/** The fetch's result, or the refusal that skips only this parent (other errors still fail the stream). */
export async function refusable<R>(promise: Promise<R>): Promise<R | ParentRefusal> {
  try {
    return await promise;
  } catch (err) {
    if (isParentRefusal(err)) return err;
    throw err;
  }
}

/**
 * The path of a detail request built from ids Intercom returned: each id fills one segment or the
 * parent is refused (never requested), e.g. `detailPath('/conversations/{id}', { id })`.
 */
export function detailPath(template: string, values: Readonly<Record<string, unknown>>): string {
  return buildPath(template, values, {
    describe: (name) => `the ${name} Intercom returned`,
    outcome: 'so it was not requested',
  });
}
