import type { JsonObject } from '../core/events.js';
import { fetchInOrder } from './details.js';
import { partsShortfall } from './parts.js';
import {
  detailPath,
  isParentRefusal,
  keyMissing,
  objectsOf,
  parentSkipped,
  refusable,
  type ParentRefusal,
} from './record-guards.js';
import { inclusiveSliceQuery, slicedSearch } from './slicing.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { endpointOf, streamDefinition, streamsOfReader } from './catalog.js';

/** GET /tickets/{id} returns at most this many (the most recent) parts (the stream table's partsCap). */
export const TICKET_PART_CAP = streamDefinition('ticket_parts')?.partsCap ?? 500;

interface TicketPartsList {
  ticket_parts?: JsonObject[];
  total_count?: number;
}

/**
 * Says when a ticket's parts are (or may be) cut at Intercom's cap. A ticket has no parts statistic:
 * a total_count above what was returned proves the loss; exactly the cap makes it likely.
 */
export function ticketPartsWarning(
  ticketId: string,
  detail: JsonObject,
  parts: JsonObject[],
  list: TicketPartsList | undefined,
): string | undefined {
  const shortfall = partsShortfall(detail, parts, list);
  if (shortfall) {
    return `PARTS_TRUNCATED ticket ${ticketId}: Intercom returns only the most recent ${shortfall.returned} parts; ${shortfall.expected - shortfall.returned} older parts (of ${shortfall.expected}) cannot be read through the API.`;
  }
  if (parts.length >= TICKET_PART_CAP) {
    return `PARTS_TRUNCATED ticket ${ticketId}: Intercom returned ${parts.length} parts, its limit per ticket; older parts, if any, cannot be read through the API (Intercom does not say how many).`;
  }
  return undefined;
}

function ticketItems(ctx: ReadContext, ticket: JsonObject, detail: JsonObject | undefined): ReaderItem[] {
  const ticketId = idString(ticket.id)!;
  const items: ReaderItem[] = [];
  if (detail && ctx.selected.has('ticket_parts')) {
    const list = detail.ticket_parts as TicketPartsList | undefined;
    const parts = objectsOf(list?.ticket_parts ?? [], ctx.logger, `ticket_parts: the parts of ticket ${ticketId}`);
    const warning = ticketPartsWarning(ticketId, detail, parts, list);
    if (warning) ctx.logger.warn(warning, { kind: 'parts_truncated', stream: 'ticket_parts' });
    const rows: JsonObject[] = [];
    for (const [index, part] of parts.entries()) {
      const partId = idString(part.id);
      if (partId) rows.push({ ...part, id: partId, ticket_id: ticketId });
      else items.push(keyMissing(ctx.logger, 'ticket_parts', `part ${index} of ticket ${ticketId}`));
    }
    if (rows.length) items.push({ kind: 'records', stream: 'ticket_parts', records: rows, owned: true });
  }
  if (ctx.selected.has('tickets')) {
    const { ticket_parts: _parts, ...record } = ticket;
    items.push({ kind: 'records', stream: 'tickets', records: [record], owned: true });
  }
  return items;
}

/**
 * Tickets through POST /tickets/search in parallel time slices (checkpointed like conversations);
 * for each new or changed ticket, GET /tickets/{id} (concurrently) gives its parts.
 */
export const ticketsReader: Reader = {
  streams: streamsOfReader('tickets'),
  read(ctx) {
    const needDetail = ctx.selected.has('ticket_parts');
    // Every part of a new or changed ticket, as for conversations: a resume after a crash must
    // not lose the older parts of tickets past the checkpoint.
    return slicedSearch({
      ctx,
      stream: 'tickets',
      cursorField: 'updated_at',
      ...endpointOf('tickets'),
      query: inclusiveSliceQuery,
      async *processPage(records, _slice, window) {
        if (!needDetail) {
          for (const ticket of records) yield* ticketItems(ctx, ticket, undefined);
          return;
        }
        const fetchDetail = async (ticket: JsonObject): Promise<JsonObject | undefined | ParentRefusal> => {
          const id = idString(ticket.id)!;
          const detail = await refusable(
            Promise.resolve().then(() =>
              ctx.client.requestMaybe<JsonObject>({
                path: detailPath('/tickets/{id}', { id }),
                stream: 'ticket_parts',
                allow404: true,
              }),
            ),
          );
          if (!detail)
            ctx.logger.info(`ticket ${id} was deleted between search and fetch (404); its parts are skipped.`);
          return detail;
        };
        for await (const [ticket, detail] of fetchInOrder(records, window, fetchDetail)) {
          if (isParentRefusal(detail))
            yield parentSkipped(ctx.logger, 'tickets', `ticket ${idString(ticket.id)!}`, detail);
          else yield* ticketItems(ctx, ticket, detail);
        }
      },
    });
  },
};
