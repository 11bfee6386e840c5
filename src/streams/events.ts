import { createHash } from 'node:crypto';
import type { JsonObject } from '../core/events.js';
import { IntercomApiError } from '../intercom/errors.js';
import { cursorPages } from '../intercom/pagination.js';
import { changedContacts } from './changed-contacts.js';
import { isParentRefusal, objectsOf, parentSkipped, refusable } from './record-guards.js';
import { fetchInOrder } from './details.js';
import { idString, uniqueRecords } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { endpointOf, streamsOfReader } from './catalog.js';

/** Intercom lists only the data events of the last 90 days. */
export const EVENTS_LISTABLE_DAYS = 90;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Data events have no id of their own: the key is a SHA-256 of who (intercom_user_id, else user_id,
 * else email), what (event_name) and when (created_at), stable across syncs.
 */
export function eventId(event: JsonObject): string {
  const who = str(event.intercom_user_id) ?? str(event.user_id) ?? str(event.email) ?? null;
  return createHash('sha256')
    .update(JSON.stringify([who, event.event_name ?? null, event.created_at ?? null]))
    .digest('hex');
}

/** Every listable event of one contact (all `pages.next` URLs); a contact deleted meanwhile has none. */
async function contactEvents(ctx: ReadContext, contactId: string): Promise<JsonObject[]> {
  const events: JsonObject[] = [];
  try {
    for await (const page of cursorPages(ctx.client, {
      ...endpointOf('events'),
      params: { type: 'user', intercom_user_id: contactId },
      stream: 'events',
    })) {
      events.push(...objectsOf(page.records, ctx.logger, `events: the events of contact ${contactId}`));
    }
  } catch (err) {
    if (err instanceof IntercomApiError && err.status === 404) {
      ctx.logger.info(`contact ${contactId} was deleted between search and listing its events (404); skipped.`);
      return [];
    }
    throw err;
  }
  return events;
}

/**
 * Data events per contact (GET /events?type=user&intercom_user_id=...), for the contacts that changed
 * (updated_at or last_seen_at) since the last sync, fetched concurrently. Intercom lists only the
 * last 90 days, and an event does not necessarily change its contact: an event of a contact that
 * did not otherwise change is not seen by an incremental sync (see README).
 */
export const eventsReader: Reader = {
  streams: streamsOfReader('events'),
  read(ctx) {
    return changedContacts({
      ctx,
      stream: 'events',
      stateKey: 'created_at',
      // Every listable event of a changed contact: an event does not always change its contact,
      // and after a crash contacts past the checkpoint were never read, so filtering on the
      // window would lose events. Re-sent events are de-duplicated by their stable id.
      async *processPage(contacts, _lower, window): AsyncGenerator<ReaderItem> {
        const fetch = (contact: JsonObject) => refusable(contactEvents(ctx, idString(contact.id)!));
        for await (const [contact, events] of fetchInOrder(contacts, window, fetch)) {
          if (isParentRefusal(events)) {
            yield parentSkipped(ctx.logger, 'events', `the events of contact ${idString(contact.id)!}`, events);
            continue;
          }
          const records = uniqueRecords(events, eventId, (event, id) => ({ ...event, id }));
          if (records.length) yield { kind: 'records', stream: 'events', records, owned: true };
        }
      },
    });
  },
};
