/**
 * The fake Intercom API's routes: every handler returns the JSON body of the OpenAPI response
 * schema (records keys as in API-NOTES.md) or throws an ApiError (error.list body). Each object
 * module registers its own routes (objects/*.ts); the simple lists come from the stream table
 * (simple-lists.ts); searches are search-routes.ts; exports have their own modules.
 */
import { registerContentExports } from './content-exports.js';
import { registerExports } from './exports.js';
import { registerHandlingEvents } from './handling-events.js';
import { cur } from './model.js';
import { registerAdminRoutes } from './objects/admins.js';
import { companyText, registerCompanyRoutes, type CompanyScroll } from './objects/companies.js';
import { contactText, registerContactRoutes } from './objects/contacts.js';
import { conversationText, registerConversationRoutes } from './objects/conversations.js';
import { registerTicketRoutes, ticketText } from './objects/tickets.js';
import { Router, type ApiOptions } from './router.js';
import { Search } from './search-routes.js';
import { registerSimpleLists } from './simple-lists.js';
import type { Workspace } from './workspace.js';

export { ApiError } from './http.js';
export type { BytesResult, JsonResult, RequestContext, RouteResult } from './http.js';
export type { ApiOptions } from './router.js';

export class Api extends Router {
  private readonly scroll: CompanyScroll;
  private readonly searches: Search;

  constructor(
    override readonly ws: Workspace,
    opts: ApiOptions,
  ) {
    super(ws, opts);
    // Order matters where templates overlap: fixed paths before `{id}` ones of the same prefix.
    registerSimpleLists(this);
    registerAdminRoutes(this);
    registerContactRoutes(this);
    this.scroll = registerCompanyRoutes(this);
    registerConversationRoutes(this);
    registerTicketRoutes(this);
    this.searches = new Search(this);
    this.searches.register();
    registerExports((m, t, h) => this.route(m, t, h), ws);
    registerContentExports((m, t, h) => this.route(m, t, h), ws);
    registerHandlingEvents((m, t, h) => this.route(m, t, h), ws);
  }

  /** Drops the open scroll (used when a 500 is injected on the scroll route: the client must restart). */
  resetScroll(): void {
    this.scroll.reset();
  }

  /** Fills the rendered-record cache with the current version of every alive record. */
  prerender(): void {
    for (const c of this.ws.contacts) if (!cur(c).deleted) contactText(this, c);
    for (const c of this.ws.conversations) if (!cur(c).deleted) conversationText(this, c);
    for (const t of this.ws.tickets) if (!cur(t).deleted) ticketText(this, t);
    for (const co of this.ws.companies) if (!cur(co).deleted) companyText(this, co);
  }

  /** Exposed for tests: drop cached search results and rendered records. */
  clearSearchCache(): void {
    this.searches.clear();
    this.clearTexts();
  }
}
