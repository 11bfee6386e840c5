import type { JsonObject } from '../core/events.js';
import { IntercomApiError } from '../intercom/errors.js';
import { numberedPages } from '../intercom/pagination.js';
import { changedContacts } from './changed-contacts.js';
import { detailPath, isParentRefusal, keyMissing, objectsOf, parentSkipped, refusable } from './record-guards.js';
import { fetchInOrder } from './details.js';
import { idString, uniqueRecords } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { streamsOfReader } from './catalog.js';

/** A contact's embedded notes summary says when there is nothing to fetch. */
export function hasNotes(contact: JsonObject): boolean {
  const embedded = contact.notes as { total_count?: unknown; data?: unknown[]; has_more?: unknown } | null | undefined;
  if (!embedded || typeof embedded !== 'object') return true;
  if (typeof embedded.total_count === 'number') return embedded.total_count > 0;
  return !(Array.isArray(embedded.data) && embedded.data.length === 0 && embedded.has_more === false);
}

async function contactNotes(ctx: ReadContext, contactId: string): Promise<JsonObject[]> {
  const notes: JsonObject[] = [];
  try {
    for await (const page of numberedPages(ctx.client, {
      path: detailPath('/contacts/{id}/notes', { id: contactId }),
      recordsKey: 'data',
      perPage: 50,
      stream: 'notes',
    })) {
      notes.push(...objectsOf(page.records, ctx.logger, `notes: the notes of contact ${contactId}`));
    }
  } catch (err) {
    if (err instanceof IntercomApiError && err.status === 404) {
      ctx.logger.info(`contact ${contactId} was deleted between search and listing its notes (404); skipped.`);
      return [];
    }
    throw err;
  }
  return notes;
}

/**
 * Notes about contacts (GET /contacts/{id}/notes), for the contacts that changed (updated_at or
 * last_seen_at) in the read window, fetched concurrently. Every note of such a contact is delivered
 * (notes have no updated_at; duplicates across syncs share the key).
 */
export const notesReader: Reader = {
  streams: streamsOfReader('notes'),
  read(ctx) {
    return changedContacts({
      ctx,
      stream: 'notes',
      stateKey: 'created_at',
      async *processPage(contacts, _lower, window): AsyncGenerator<ReaderItem> {
        const withNotes = contacts.filter(hasNotes);
        const fetch = (contact: JsonObject) => refusable(contactNotes(ctx, idString(contact.id)!));
        for await (const [contact, notes] of fetchInOrder(withNotes, window, fetch)) {
          const contactId = idString(contact.id)!;
          if (isParentRefusal(notes)) {
            yield parentSkipped(ctx.logger, 'notes', `the notes of contact ${contactId}`, notes);
            continue;
          }
          const records = uniqueRecords(
            notes,
            (note) => idString(note.id),
            (note, id) => ({ ...note, id, contact_id: contactId }),
          );
          if (records.length) yield { kind: 'records', stream: 'notes', records, owned: true };
          const keyless = notes.filter((note) => idString(note.id) === undefined).length;
          if (keyless) yield keyMissing(ctx.logger, 'notes', `${keyless} of the notes of contact ${contactId}`);
        }
      },
    });
  },
};
