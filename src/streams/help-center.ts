import { numberedPages } from '../intercom/pagination.js';
import { listReader } from './simple-lists.js';
import { idString } from './transform.js';
import type { Reader, ReaderItem } from './types.js';

/** Help center collections (and sections), GET /help_center/collections paged by page/per_page. */
export const collectionsReader: Reader = {
  streams: [{ name: 'collections', primaryKey: ['id'] }],
  async *read(ctx): AsyncGenerator<ReaderItem> {
    // Pages are sorted by updated_at: a collection edited during the walk can appear twice.
    const seen = new Set<string>();
    for await (const page of numberedPages(ctx.client, { path: '/help_center/collections', recordsKey: 'data', perPage: 50, stream: 'collections' })) {
      for (const record of page.records) {
        const id = idString(record.id);
        if (!id || seen.has(id)) continue;
        seen.add(id);
        yield { kind: 'record', stream: 'collections', record };
      }
    }
  },
};

/** Help centers: one short unpaged list (a `pages.next`, should one appear, is followed). */
export const helpCentersReader = listReader({ stream: 'help_centers', path: '/help_center/help_centers', recordsKey: 'data' });
