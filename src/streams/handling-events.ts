import type { JsonObject } from '../core/events.js';
import { fetchInOrder } from './details.js';
import { detailPath, isParentRefusal, isRecord, objectsOf, parentSkipped, refusable } from './record-guards.js';
import { inclusiveSliceQuery, slicedSearch } from './slicing.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { streamsOfReader } from './catalog.js';

export const HANDLING_EVENTS = 'handling_events';
/** The endpoint exists from API 2.15 on: it is asked with that version whatever api_version says (like brands and emails). */
const NEWER_API = '2.15';

async function handlingEvents(ctx: ReadContext, conversationId: string): Promise<unknown[] | undefined> {
  const version = Number(ctx.config.apiVersion) >= Number(NEWER_API) ? ctx.config.apiVersion : NEWER_API;
  const body = await ctx.client.requestMaybe<{ handling_events?: unknown }>({
    path: detailPath('/conversations/{id}/handling_events', { id: conversationId }),
    headers: { 'intercom-version': version },
    stream: HANDLING_EVENTS,
    allow404: true,
  });
  if (body === undefined) return undefined;
  return Array.isArray(body.handling_events) ? body.handling_events : [];
}

/** The events of one conversation, each with its conversation, its position in the list and the conversation's updated_at (the cursor). */
export function handlingEventRecords(events: JsonObject[], conversation: JsonObject): JsonObject[] {
  const conversationId = idString(conversation.id)!;
  return events.map((event, index) => ({
    ...event,
    conversation_id: conversationId,
    index,
    updated_at: conversation.updated_at as number,
  }));
}

/**
 * Pause/resume events of teammates handling a conversation (GET /conversations/{id}/handling_events,
 * API 2.15): for each conversation new or changed in the read window (its own sliced
 * POST /conversations/search, checkpointed like the conversations stream), the list is fetched
 * concurrently within the shared budget. Every event of such a conversation is emitted again;
 * the key (conversation_id, index) de-duplicates them (the list only grows, in time order).
 */
export const handlingEventsReader: Reader = {
  streams: streamsOfReader('handling_events'),
  read(ctx) {
    return slicedSearch({
      ctx,
      stream: HANDLING_EVENTS,
      cursorField: 'updated_at',
      path: '/conversations/search',
      recordsKey: 'conversations',
      query: inclusiveSliceQuery,
      estimate: false,
      async *processPage(conversations, _slice, window): AsyncGenerator<ReaderItem> {
        const usable = conversations.filter((c) => isRecord(c) && idString(c.id) !== undefined);
        const fetch = (c: JsonObject) => refusable(handlingEvents(ctx, idString(c.id)!));
        for await (const [conversation, events] of fetchInOrder(usable, window, fetch)) {
          const id = idString(conversation.id)!;
          if (isParentRefusal(events)) {
            yield parentSkipped(ctx.logger, HANDLING_EVENTS, `the handling events of conversation ${id}`, events);
            continue;
          }
          if (events === undefined) {
            ctx.logger.info(
              `conversation ${id} was deleted between search and listing its handling events (404); skipped.`,
            );
            continue;
          }
          const records = handlingEventRecords(
            objectsOf(events, ctx.logger, `handling_events of conversation ${id}`),
            conversation,
          );
          if (records.length) yield { kind: 'records', stream: HANDLING_EVENTS, records, owned: true };
        }
      },
    });
  },
};
