/**
 * The paginator kit: one strategy per paging style Intercom documents, one driver (walkPages) and
 * one progress proof (ProgressGuard / ScrollProgress) that ends a walk which cannot progress with a
 * PaginationStalledError.
 *
 * - cursor: `pages.next.starting_after` as a query parameter   (list.ts cursorStep)
 * - next URL: `pages.next` as a URL string                      (list.ts nextUrlStep)
 * - page number: `page` / `per_page` / `pages.total_pages`      (list.ts pageNumberStep)
 * - listStrategy: whichever of the three a GET list answers with, page by page
 * - search: cursor in the POST body                              (search.ts)
 * - scroll: `scroll_param`, progress proven by new ids           (scroll.ts)
 * - time windows: finite window plans, contiguous-prefix checkpoints (windows.ts)
 */
export { listStrategy, pagesOf } from './list.js';
export { recordsOf, totalCountOf } from './records.js';
export { ScrollProgress } from './scroll.js';
export { searchNextCursor, searchStrategy } from './search.js';
export {
  DEFAULT_PAGE_LIMITS,
  PaginationStalledError,
  ProgressGuard,
  type PageLimits,
  type StallReason,
} from './stalled.js';
export {
  requestFirstPage,
  walkPages,
  type NextStep,
  type PageRequest,
  type PaginationStrategy,
  type Params,
  type WalkOptions,
  type WalkedPage,
} from './walk.js';
export { CompletedPrefix } from './windows.js';
