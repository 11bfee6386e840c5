import type { JsonObject } from '../core/events.js';
import { DAY, dayStart, readWindow, slicedSearch, type TimeSlice } from './slicing.js';
import type { ReadContext, ReaderItem } from './types.js';

/** The contact fields whose change makes a contact's events and notes worth reading again. */
export const CHANGE_FIELDS = ['updated_at', 'last_seen_at'] as const;

/**
 * Contact search compares dates by calendar day in the workspace's timezone (`>` from the start of
 * the next day, `<` before the start of the day, `=` the whole day). The last slice (every
 * incremental read) asks OR[field = day, field > day] per field, `day` being the UTC day of its
 * start: the whole day onward in any timezone, one level, four leaves. An inner slice's bounds are
 * each asked one extra day wide instead (OR[AND[field > from, field < to] per field]: an `=` would
 * need a third level). Contacts are filtered to the slice locally.
 */
export function changedContactsQuery(slice: TimeSlice): unknown {
  if (slice.last) {
    const day = dayStart(slice.start);
    return {
      operator: 'OR',
      value: CHANGE_FIELDS.flatMap((field) => [
        { field, operator: '=', value: day },
        { field, operator: '>', value: day },
      ]),
    };
  }
  const from = dayStart(slice.start) - 2 * DAY;
  const to = dayStart(slice.end) + (slice.end % DAY === 0 ? DAY : 2 * DAY);
  return {
    operator: 'OR',
    value: CHANGE_FIELDS.map((field) => ({
      operator: 'AND',
      value: [
        { field, operator: '>', value: from },
        { field, operator: '<', value: to },
      ],
    })),
  };
}

/**
 * When a contact last changed: the latest of its change fields. Each contact belongs to exactly one
 * slice (the one holding this time), so no set of every contact id is kept across slices.
 */
export function changedAt(contact: JsonObject): number | undefined {
  let latest: number | undefined;
  for (const field of CHANGE_FIELDS) {
    const value = contact[field];
    // A negative or non-numeric value says nothing: with no readable field the contact is
    // unplaceable, and slicedSearch reads its children anyway and holds the state before it.
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && (latest === undefined || value > latest))
      latest = value;
  }
  return latest;
}

export interface ChangedContactsOptions {
  ctx: ReadContext;
  /** The reader's first stream (its state and its log lines). */
  stream: string;
  /** Key of the reader's state: everything the reader derives from contacts changed before it is read. */
  stateKey: string;
  /**
   * Turns one page of changed contacts into items; `lower` is the start of the read window,
   * `detailWindow` the per-contact requests the page may keep outstanding.
   */
  processPage(contacts: JsonObject[], lower: number, detailWindow: number): AsyncGenerator<ReaderItem>;
}

/**
 * Walks the contacts that changed (updated_at or last_seen_at) in the read window: the sliced,
 * checkpointed contact search of slicedSearch, placing each contact by its latest change. For
 * streams that hang off contacts (events, notes) and have no time filter of their own.
 */
export function changedContacts(opts: ChangedContactsOptions): AsyncGenerator<ReaderItem> {
  const { lower } = readWindow(opts.ctx, opts.stream, opts.stateKey);
  return slicedSearch({
    ctx: opts.ctx,
    stream: opts.stream,
    cursorField: opts.stateKey,
    path: '/contacts/search',
    recordsKey: 'data',
    query: changedContactsQuery,
    sliceTime: changedAt,
    estimate: false,
    processPage: (contacts, _slice, window) => opts.processPage(contacts, lower, window),
  });
}
