import { numberedPages, recordsOf } from '../intercom/pagination.js';
import { listReader } from './simple-lists.js';
import { idString } from './transform.js';
import type { Reader, ReaderItem } from './types.js';

/**
 * Small workspace lists no other Intercom connector reads: ticket states, away status reasons,
 * news, internal articles, calls, Fin's content sources and external pages, and (API 2.15)
 * brands and sender email settings. None has a server-side time filter and all are short, so
 * they are full-refresh streams.
 */

/**
 * A list paged by `page` / `per_page` (`pages.total_pages` ends it). Some of these endpoints do not
 * document the page parameters: should one ignore them and answer the same page again, the repeat
 * adds no new id, so the walk stops instead of looping, and no record is sent twice.
 */
export function pagedListReader(opts: { stream: string; path: string; perPage: number }): Reader {
  return {
    streams: [{ name: opts.stream, primaryKey: ['id'] }],
    async *read(ctx): AsyncGenerator<ReaderItem> {
      const seen = new Set<string>();
      for await (const page of numberedPages(ctx.client, { path: opts.path, recordsKey: 'data', perPage: opts.perPage, stream: opts.stream })) {
        const fresh = page.records.filter((record) => {
          const id = idString(record.id);
          if (!id || seen.has(id)) return false;
          seen.add(id);
          return true;
        });
        if (page.records.length > 0 && fresh.length === 0) return;
        if (fresh.length) yield { kind: 'records', stream: opts.stream, records: fresh, owned: true };
      }
    },
  };
}

/** Endpoints that exist from API 2.15 on are asked in 2.15 whatever `api_version` says (the header is per request). */
const NEWER_API = '2.15';

function newerListReader(stream: string, path: string): Reader {
  return {
    streams: [{ name: stream, primaryKey: ['id'] }],
    async *read(ctx): AsyncGenerator<ReaderItem> {
      const version = Number(ctx.config.apiVersion) >= Number(NEWER_API) ? ctx.config.apiVersion : NEWER_API;
      const body = await ctx.client.request<unknown>({ path, stream, headers: { 'intercom-version': version } });
      yield { kind: 'records', stream, records: recordsOf(body, 'data', `GET ${path}`, stream), owned: true };
    },
  };
}

export const ticketStatesReader = listReader({ stream: 'ticket_states', path: '/ticket_states', recordsKey: 'data' });
export const awayStatusReasonsReader = listReader({ stream: 'away_status_reasons', path: '/away_status_reasons', recordsKey: 'data' });
// Page sizes are the ones the spec's examples show (calls: "Max 25").
export const newsItemsReader = pagedListReader({ stream: 'news_items', path: '/news/news_items', perPage: 10 });
export const newsfeedsReader = pagedListReader({ stream: 'newsfeeds', path: '/news/newsfeeds', perPage: 10 });
export const internalArticlesReader = pagedListReader({ stream: 'internal_articles', path: '/internal_articles', perPage: 25 });
export const callsReader = pagedListReader({ stream: 'calls', path: '/calls', perPage: 25 });
export const aiContentSourcesReader = pagedListReader({ stream: 'ai_content_sources', path: '/ai/content_import_sources', perPage: 50 });
export const aiExternalPagesReader = pagedListReader({ stream: 'ai_external_pages', path: '/ai/external_pages', perPage: 50 });
export const brandsReader = newerListReader('brands', '/brands');
export const emailsReader = newerListReader('emails', '/emails');
