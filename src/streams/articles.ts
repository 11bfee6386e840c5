import { numberedPages } from '../intercom/pagination.js';
import { readWindow } from './slicing.js';
import { idString } from './transform.js';
import type { Reader, ReaderItem } from './types.js';
import { endpointOf, streamsOfReader } from './catalog.js';

export const ARTICLES_PER_PAGE = 50;

/**
 * Articles through GET /articles (page/per_page). Intercom lists them by updated_at, newest first,
 * so a read stops after the first page whose articles are all older than the lower bound (the
 * saved cursor minus the lookback, or start_date). Pages are newest-first, so no prefix of them is a safe checkpoint: the cursor is saved
 * once, at the end.
 */
export const articlesReader: Reader = {
  streams: streamsOfReader('articles'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    const { lower, upper, cursor } = readWindow(ctx, 'articles', 'updated_at');
    const incremental = ctx.state !== undefined;
    // An article edited during the walk moves to page 1 and shifts the others: one may appear twice.
    const seen = new Set<string>();
    let firstPage = true;
    for await (const page of numberedPages(ctx.client, {
      ...endpointOf('articles'),
      perPage: ARTICLES_PER_PAGE,
      stream: 'articles',
    })) {
      const estimate = firstPage && page.totalCount !== undefined && !incremental;
      firstPage = false;
      if (estimate) yield { kind: 'estimate', stream: 'articles', rows: page.totalCount! };
      let newer = 0;
      for (const article of page.records) {
        const updatedAt = typeof article.updated_at === 'number' ? article.updated_at : undefined;
        // An article without updated_at cannot be placed in time: always deliver it.
        if (updatedAt !== undefined && updatedAt < lower) continue;
        newer++;
        const id = idString(article.id);
        if (!id || seen.has(id)) continue;
        seen.add(id);
        yield { kind: 'record', stream: 'articles', record: article };
      }
      if (newer === 0 && page.records.length > 0) break;
    }
    yield { kind: 'checkpoint', state: { updated_at: Math.max(upper, cursor ?? 0) } };
  },
};
