import type { JsonObject } from '../core/events.js';
import {
  detailPath,
  isParentRefusal,
  isRecord,
  keyMissing,
  objectsOf,
  parentSkipped,
  refusable,
  type ParentRefusal,
} from './record-guards.js';
import { idString } from './transform.js';
import { fetchInOrder } from './details.js';
import { partsShortfall, type PartsList } from './parts.js';
import { inclusiveSliceQuery, slicedSearch } from './slicing.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';
import { endpointOf, streamsOfReader } from './catalog.js';

/**
 * The items of one conversation, one batch per stream: its tags, its parts, their email headers,
 * then the conversation itself. Every record is built here, so the batches are handed over (owned).
 */
function conversationItems(ctx: ReadContext, conversation: JsonObject, detail: JsonObject | undefined): ReaderItem[] {
  const conversationId = idString(conversation.id)!;
  const items: ReaderItem[] = [];
  if (ctx.selected.has('conversation_tag')) items.push(...tagItems(ctx, conversationId, conversation));
  if (detail) items.push(...partItems(ctx, conversationId, conversation.updated_at, detail));
  if (ctx.selected.has('conversations'))
    items.push({ kind: 'records', stream: 'conversations', records: [conversation], owned: true });
  return items;
}

function tagItems(ctx: ReadContext, conversationId: string, conversation: JsonObject): ReaderItem[] {
  const items: ReaderItem[] = [];
  const tags = (conversation.tags as { tags?: unknown[] } | null | undefined)?.tags ?? [];
  const rows: JsonObject[] = [];
  for (const [index, tag] of objectsOf(
    tags,
    ctx.logger,
    `conversation_tag: the tags of conversation ${conversationId}`,
  ).entries()) {
    const tagId = idString(tag.id);
    if (tagId) rows.push({ conversation_id: conversationId, tag_id: tagId, updated_at: conversation.updated_at });
    else items.push(keyMissing(ctx.logger, 'conversation_tag', `tag ${index} of conversation ${conversationId}`));
  }
  if (rows.length) items.push({ kind: 'records', stream: 'conversation_tag', records: rows, owned: true });
  return items;
}

/** The parts of a conversation's detail and their email headers; a cut at Intercom's cap is reported. */
function partItems(ctx: ReadContext, conversationId: string, updatedAt: unknown, detail: JsonObject): ReaderItem[] {
  const items: ReaderItem[] = [];
  const list = detail.conversation_parts as PartsList | undefined;
  const parts = objectsOf(
    list?.conversation_parts ?? [],
    ctx.logger,
    `conversation_parts: the parts of conversation ${conversationId}`,
  );
  const shortfall = partsShortfall(detail, parts, list);
  if (shortfall) {
    ctx.logger.warn(
      `PARTS_TRUNCATED conversation ${conversationId}: Intercom returns only the most recent ${shortfall.returned} parts; ${shortfall.expected - shortfall.returned} older parts (of ${shortfall.expected}) cannot be read through the API.`,
      { kind: 'parts_truncated', stream: 'conversation_parts' },
    );
  }
  const wantParts = ctx.selected.has('conversation_parts');
  const wantHeaders = ctx.selected.has('email_address_header');
  const partRows: JsonObject[] = [];
  const headerRows: JsonObject[] = [];
  for (const [index, part] of parts.entries()) {
    const partId = idString(part.id);
    if (!partId) {
      items.push(keyMissing(ctx.logger, 'conversation_parts', `part ${index} of conversation ${conversationId}`));
      continue;
    }
    if (wantParts) partRows.push({ ...part, id: partId, conversation_id: conversationId });
    if (wantHeaders) headerRows.push(...headerRowsOf(ctx, conversationId, partId, part, updatedAt));
  }
  if (partRows.length) items.push({ kind: 'records', stream: 'conversation_parts', records: partRows, owned: true });
  if (headerRows.length)
    items.push({ kind: 'records', stream: 'email_address_header', records: headerRows, owned: true });
  return items;
}

function headerRowsOf(
  ctx: ReadContext,
  conversationId: string,
  partId: string,
  part: JsonObject,
  conversationUpdatedAt: unknown,
): JsonObject[] {
  const partUpdatedAt = typeof part.updated_at === 'number' ? part.updated_at : undefined;
  const headers =
    (part.email_message_metadata as { email_address_headers?: unknown[] } | null | undefined)?.email_address_headers ??
    [];
  // The header's position is part of its key: null items are skipped in place, not removed.
  objectsOf(
    headers,
    ctx.logger,
    `email_address_header: the headers of part ${partId} of conversation ${conversationId}`,
  );
  const rows: JsonObject[] = [];
  for (let index = 0; index < headers.length; index++) {
    const header = headers[index];
    if (!isRecord(header)) continue;
    rows.push({
      conversation_id: conversationId,
      conversation_part_id: partId,
      index,
      type: header.type,
      email_address: header.email_address,
      name: header.name ?? null,
      updated_at: partUpdatedAt ?? conversationUpdatedAt,
    });
  }
  return rows;
}

/**
 * Conversations through POST /conversations/search in parallel time slices; for each new or
 * changed conversation, GET /conversations/{id} (concurrently, within the shared budget) gives its
 * parts and their email headers.
 */
export const conversationsReader: Reader = {
  streams: streamsOfReader('conversations'),
  read(ctx) {
    const needDetail = ctx.selected.has('conversation_parts') || ctx.selected.has('email_address_header');
    const displayAs = ctx.config.settings.conversation_parts_display_as === 'plaintext' ? 'plaintext' : undefined;
    // Every part of a new or changed conversation is emitted, not only parts updated after the
    // cursor: after a crash mid-sync, conversations past the checkpoint were never read, and their
    // older parts would otherwise be lost for good. Re-sent parts are de-duplicated by id.
    return slicedSearch({
      ctx,
      stream: 'conversations',
      cursorField: 'updated_at',
      ...endpointOf('conversations'),
      query: inclusiveSliceQuery,
      async *processPage(records, _slice, window) {
        if (!needDetail) {
          for (const conversation of records) yield* conversationItems(ctx, conversation, undefined);
          return;
        }
        const fetchDetail = async (conversation: JsonObject): Promise<JsonObject | undefined | ParentRefusal> => {
          const id = idString(conversation.id)!;
          const detail = await refusable(
            Promise.resolve().then(() =>
              ctx.client.requestMaybe<JsonObject>({
                path: detailPath('/conversations/{id}', { id }),
                searchParams: { display_as: displayAs },
                stream: 'conversation_parts',
                allow404: true,
              }),
            ),
          );
          if (!detail)
            ctx.logger.info(`conversation ${id} was deleted between search and fetch (404); its parts are skipped.`);
          return detail;
        };
        for await (const [conversation, detail] of fetchInOrder(records, window, fetchDetail)) {
          // One conversation Intercom refuses (a 422, say) is skipped whole; the rest of the page goes on.
          if (isParentRefusal(detail))
            yield parentSkipped(ctx.logger, 'conversations', `conversation ${idString(conversation.id)!}`, detail);
          else yield* conversationItems(ctx, conversation, detail);
        }
      },
    });
  },
};
