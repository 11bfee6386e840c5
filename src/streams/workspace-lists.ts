import { cursorPages, numberedPages } from '../intercom/pagination.js';
import { streamsOfReader } from './catalog.js';
import { idString } from './transform.js';
import type { Reader, ReaderItem } from './types.js';

/** Ticket states: one short GET list (a `pages.next`, should one appear, is followed). */
export const ticketStatesReader: Reader = {
  streams: streamsOfReader('ticket_states'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for await (const page of cursorPages(ctx.client, { path: '/ticket_states', recordsKey: 'data', stream: 'ticket_states' })) {
      for (const record of page.records) yield { kind: 'record', stream: 'ticket_states', record };
    }
  },
};

/**
 * News items paged by `page` / `per_page` (`pages.total_pages` ends it). The endpoint does not
 * document the page parameters: should it ignore them and answer the same page again, the repeat
 * adds no new id, so the walk stops instead of looping, and no record is sent twice.
 */
export const newsItemsReader: Reader = {
  streams: streamsOfReader('news_items'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    const seen = new Set<string>();
    for await (const page of numberedPages(ctx.client, { path: '/news/news_items', recordsKey: 'data', perPage: 10, stream: 'news_items' })) {
      const fresh = page.records.filter((record) => {
        const id = idString(record.id);
        if (!id || seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      if (page.records.length > 0 && fresh.length === 0) return;
      if (fresh.length) yield { kind: 'records', stream: 'news_items', records: fresh, owned: true };
    }
  },
};
