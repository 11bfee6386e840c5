/**
 * Contacts with their notes and events: generated cores, their rendering as of a version, and the
 * routes that read one contact or list them (`/contacts`, a contact, its notes, tags and
 * companies, `/events`). The contact search is search-routes.ts.
 */
import { DAY } from '../clock.js';
import { ApiError, type RequestContext, type RouteResult } from '../http.js';
import {
  EMBED_CAP,
  EVENTS_WINDOW_DAYS,
  EXAMPLE_FIELDS_SINCE,
  cur,
  type AdminCore,
  type CompanyCore,
  type ContactCore,
  type Json,
  type TagCore,
  type VersionEntry,
} from '../model.js';
import { hash32, hex8, rngFor, type Rng } from '../rng.js';
import { intParam, ok, pageBased, type RecordText, type Router } from '../router.js';
import { shapedPage } from '../shapes.js';
import type { WorkspaceState } from '../state.js';
import { BROWSERS, CITIES, EVENT_NAMES, FIRST, LAST, OSES, PLANS, WORDS, type TimeSpreader } from '../vocabulary.js';
import { renderAdmin } from './admins.js';
import { renderCompany } from './companies.js';
import { renderTag } from './tags.js';

function contactId(ws: WorkspaceState, idx: number, created: number): string {
  return hex8(created) + hex8(hash32(ws.seed, 'contact-id', idx)) + hex8(idx);
}

/** Generated contacts spread over the last days; created ones (mutations) are created and updated `at`. */
function contactTimes(ws: WorkspaceState, r: Rng, spread: TimeSpreader | null, at: number | null) {
  if (!spread) return { created: at as number, updated: at as number };
  const updated = spread.ts(r);
  const created = r.chance(0.3) ? updated : Math.max(ws.genNow - 450 * DAY, updated - r.int(0, 200 * DAY));
  return { created, updated };
}

/** Tags, companies, notes and events of a contact; a few generated contacts get more than EMBED_CAP. */
function contactRelations(ws: WorkspaceState, r: Rng, i: number, generated: boolean, assignableCompanies: number) {
  const { size } = ws;
  const h = hash32(ws.seed, 'many', i);
  const manyTags = generated && (i === 0 || h % 40 === 0) && size.tags >= 11;
  const manyCompanies = generated && (i === 1 || h % 40 === 1) && assignableCompanies >= 11;
  const manyNotes = generated && (i === 2 || h % 60 === 2);
  const tagCount = manyTags ? r.int(11, Math.min(size.tags, 14)) : r.int(0, Math.min(3, size.tags));
  const tagIdxs = r.sample(size.tags, tagCount);
  let companyIdxs: number[] = [];
  if (generated && assignableCompanies > 0) {
    const n = manyCompanies
      ? r.int(11, Math.min(assignableCompanies, 13))
      : r.chance(0.6)
        ? r.int(1, Math.min(2, assignableCompanies))
        : 0;
    companyIdxs = r.sample(assignableCompanies, n);
  }
  const noteCount = !generated ? 0 : manyNotes ? r.int(11, 14) : r.int(0, Math.round(2 * size.notesPerContact));
  const eventCount = !generated ? 0 : r.int(0, Math.round(2 * size.eventsPerContact));
  return { tagIdxs, companyIdxs, noteCount, eventCount };
}

/** Contact `i`: from the seed (`spread`), or created by a mutation at `at`; registered in the lookup maps. */
export function makeContact(
  ws: WorkspaceState,
  i: number,
  spread: TimeSpreader | null,
  at: number | null,
  assignableCompanies: number,
): ContactCore {
  const { seed, size } = ws;
  const r = rngFor(seed, 'contact', i);
  const { created, updated } = contactTimes(ws, r, spread, at);
  const role: 'user' | 'lead' = r.chance(0.7) ? 'user' : 'lead';
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const hasName = r.chance(0.9);
  const domain = `${r.pick(WORDS)}${r.int(1, 40)}.example.com`;
  const email = `${first}.${last}.${i}@${domain}`.toLowerCase();
  const external_id = role === 'user' ? `u-${hex8(hash32(seed, 'ext', i))}-${i}` : null;
  const relations = contactRelations(ws, r, i, spread !== null, assignableCompanies);
  const ownerAdmin = size.admins > 0 && r.chance(0.5) ? r.int(0, size.admins - 1) : null;
  const id = contactId(ws, i, created);
  const c: ContactCore = {
    idx: i,
    id,
    created_at: created,
    versions: [{ updated_at: updated, rev: 0, deleted: false, visibleAt: spread ? -Infinity : ws.visibleFrom() }],
    idHash: hash32(id),
    role,
    email,
    external_id,
    name: hasName ? `${first} ${last}` : null,
    first,
    last,
    ...relations,
    ownerAdmin,
  };
  ws.contactById.set(id, c);
  if (external_id) ws.contactByExternalId.set(external_id, c);
  ws.contactByEmail.set(email, c);
  return c;
}

export function contactRef(ws: WorkspaceState, idx: number): Json {
  const c = ws.contacts[idx] as ContactCore;
  return { type: 'contact', id: c.id, external_id: c.external_id };
}

/** Note ids of a contact, newest first. */
export function noteIds(c: ContactCore): string[] {
  const ids: string[] = [];
  for (let k = c.noteCount - 1; k >= 0; k--) ids.push(String(100_000 + c.idx * 64 + k));
  return ids;
}

export function noteCreatedAt(ws: WorkspaceState, c: ContactCore, k: number): number {
  const span = Math.max(1, ws.genNow - c.created_at);
  return c.created_at + Math.floor((span * (k + 1)) / (c.noteCount + 1));
}

export function renderNote(ws: WorkspaceState, c: ContactCore, k: number): Json {
  const r = rngFor(ws.seed, 'note', c.idx, k);
  const admin = ws.admins.length ? renderAdmin(ws, ws.admins[r.int(0, ws.admins.length - 1)] as AdminCore) : null;
  return {
    type: 'note',
    id: String(100_000 + c.idx * 64 + k),
    created_at: noteCreatedAt(ws, c, k),
    contact: { type: 'contact', id: c.id },
    author: admin,
    body: `<p>Note ${k + 1} about ${c.name ?? c.email}: ${r.pick(['called', 'emailed', 'renewal due', 'wants a demo'])}.</p>`,
  };
}

/** A contact's first EMBED_CAP tags, notes and companies as references, with their counts. */
function contactEmbeds(ws: WorkspaceState, c: ContactCore): Json {
  const embed = (kind: string, ids: string[], url: (id: string) => string, path: string): Json => ({
    type: 'list',
    data: ids.slice(0, EMBED_CAP).map((id) => ({ type: kind, id, url: url(id) })),
    url: `/contacts/${c.id}/${path}`,
    total_count: ids.length,
    has_more: ids.length > EMBED_CAP,
  });
  const tagIds = c.tagIdxs.map((t) => (ws.tags[t] as TagCore).id);
  const companyIds = c.companyIdxs.map((j) => (ws.companies[j] as CompanyCore).id);
  return {
    tags: embed('tag', tagIds, (id) => `/tags/${id}`, 'tags'),
    notes: embed('note', noteIds(c), (id) => `/notes/${id}`, 'notes'),
    companies: embed('company', companyIds, (id) => `/companies/${id}`, 'companies'),
  };
}

/** The Android and iOS fields: only mobile contacts have iOS values (and their last seen time). */
function deviceFields(r: Rng, mobile: boolean, seen: number | null): Json {
  return {
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: mobile ? 'Fake iOS App' : null,
    ios_app_version: mobile ? `3.${r.int(0, 20)}.0` : null,
    ios_device: mobile ? 'iPhone15,2' : null,
    ios_os_version: mobile ? '17.2' : null,
    ios_sdk_version: mobile ? '16.5.0' : null,
    ios_last_seen_at: mobile ? seen : null,
  };
}

/** Renders a contact as of version `v` (default: current). */
export function renderContact(ws: WorkspaceState, c: ContactCore, v: VersionEntry = cur(c)): Json {
  const r = rngFor(ws.seed, 'contact-extra', c.idx);
  const [country, region, city] = r.pick(CITIES);
  const seen =
    v.rev > 0 ? v.updated_at : r.chance(0.8) ? Math.max(c.created_at, v.updated_at - r.int(0, 5 * DAY)) : null;
  const mobile = r.chance(0.15);
  const embeds = contactEmbeds(ws, c);
  const since = (days: number): number => Math.max(c.created_at, v.updated_at - r.int(0, days * DAY));
  return {
    type: 'contact',
    id: c.id,
    workspace_id: ws.appId,
    external_id: c.external_id,
    role: c.role,
    email: c.email,
    email_domain: c.email.split('@')[1] as string,
    phone: r.chance(0.4) ? `+1555${String(1_000_000 + c.idx).slice(-7)}` : null,
    name: c.name,
    avatar: {
      type: 'avatar',
      image_url: r.chance(0.3) ? `https://static.intercomassets.test/avatars/${c.id}.png` : null,
    },
    owner_id: c.ownerAdmin === null ? null : Number((ws.admins[c.ownerAdmin] as AdminCore).id),
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: r.chance(0.02),
    marked_email_as_spam: r.chance(0.01),
    unsubscribed_from_emails: r.chance(0.1),
    created_at: c.created_at,
    updated_at: v.updated_at,
    signed_up_at: c.role === 'user' ? c.created_at : null,
    last_seen_at: seen,
    last_replied_at: r.chance(0.5) ? since(30) : null,
    last_contacted_at: r.chance(0.5) ? since(30) : null,
    last_email_opened_at: r.chance(0.3) ? since(60) : null,
    last_email_clicked_at: null,
    language_override: r.chance(0.1) ? 'fr' : null,
    browser: mobile ? null : r.pick(BROWSERS),
    browser_version: mobile ? null : `${r.int(90, 125)}.0.${r.int(0, 9999)}`,
    browser_language: mobile ? null : 'en',
    os: r.pick(OSES),
    location: { type: 'location', country, region, city },
    ...deviceFields(r, mobile, seen),
    custom_attributes: contactCustomAttributes(ws, c, v),
    ...embeds,
    ...contactExampleOnlyFields(ws, c, v, mobile),
  };
}

/**
 * Fields Intercom's contact examples show but its `contact` component lacks (ALLOW_EXTRA). Null
 * on contacts updated before EXAMPLE_FIELDS_SINCE (an incremental read meets those first), set
 * after it, the way a connector sees a workspace that starts sending a field.
 */
export function contactExampleOnlyFields(ws: WorkspaceState, c: ContactCore, v: VersionEntry, mobile: boolean): Json {
  const recent = v.updated_at >= ws.genNow - EXAMPLE_FIELDS_SINCE;
  const r = rngFor(ws.seed, 'contact-utm', c.idx);
  const subscriptions = (): Json => ({
    type: 'list',
    data: [],
    url: `/contacts/${c.id}/subscriptions`,
    total_count: 0,
    has_more: false,
  });
  const campaign = recent && r.chance(0.7);
  return {
    opted_out_subscription_types: recent ? subscriptions() : null,
    opted_in_subscription_types: recent ? subscriptions() : null,
    utm_campaign: campaign ? r.pick(['spring_launch', 'newsletter_2025', 'webinar']) : null,
    utm_content: campaign ? r.pick(['banner', 'footer_link']) : null,
    utm_medium: campaign ? r.pick(['email', 'cpc', 'social']) : null,
    utm_source: campaign ? r.pick(['newsletter', 'search', 'partner']) : null,
    utm_term: campaign && r.chance(0.5) ? r.pick(['crm', 'support desk']) : null,
    referrer: recent && r.chance(0.6) ? `https://www.example.test/blog/post-${c.idx % 20}` : null,
    enabled_push_messaging: recent && mobile ? r.chance(0.5) : null,
  };
}

export function contactCustomAttributes(ws: WorkspaceState, c: ContactCore, v: VersionEntry): Json {
  const r = rngFor(ws.seed, 'contact-ca', c.idx);
  const out: Json = {
    plan: r.pick(PLANS),
    seats: r.int(1, 50) + v.rev,
    vip: r.chance(0.1),
  };
  if (r.chance(0.5)) out['last_order_at'] = Math.max(c.created_at, v.updated_at - r.int(0, 90 * DAY));
  return out;
}

/** All events of a contact (including those older than 90 days), newest first. */
export function contactEvents(ws: WorkspaceState, c: ContactCore): Json[] {
  const out: Json[] = [];
  for (let e = 0; e < c.eventCount; e++) {
    const r = rngFor(ws.seed, 'event', c.idx, e);
    const lo = c.created_at;
    const created = lo + Math.floor(r.next() * Math.max(1, ws.genNow - lo));
    const ev: Json = {
      type: 'event',
      id: hex8(created) + hex8(hash32(ws.seed, 'event-id', c.idx)) + hex8(c.idx * 256 + e),
      event_name: r.pick(EVENT_NAMES),
      created_at: created,
    };
    if (c.external_id) ev['user_id'] = c.external_id;
    ev['intercom_user_id'] = c.id;
    ev['email'] = c.email;
    ev['metadata'] = { source: r.pick(['web', 'ios', 'android']), order_ref: `ord-${r.int(1000, 9999)}` };
    out.push(ev);
  }
  out.sort(
    (a, b) =>
      (b['created_at'] as number) - (a['created_at'] as number) || ((a['id'] as string) < (b['id'] as string) ? -1 : 1),
  );
  return out;
}

/** The events `/events` still lists: those of the last EVENTS_WINDOW_DAYS. */
export function listableEvents(ws: WorkspaceState, c: ContactCore): Json[] {
  const cutoff = ws.clock.now() - EVENTS_WINDOW_DAYS * DAY;
  return contactEvents(ws, c).filter((e) => (e['created_at'] as number) >= cutoff);
}

/** JSON text of a contact as of `v`, cached (lists and searches). */
export function contactText(api: Router, c: ContactCore, v: VersionEntry = cur(c)): RecordText {
  return api.recordText(v, () => renderContact(api.ws, c, v));
}

function aliveContact(ws: WorkspaceState, id: string): ContactCore {
  const c = ws.contactById.get(id);
  if (!c || cur(c).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
  return c;
}

/** GET /events?type=user&(intercom_user_id|user_id|email): `{type: "event.list", events, pages: {next}}`. */
function events(ws: WorkspaceState, c: RequestContext): RouteResult {
  const type = c.query.get('type');
  if (type !== 'user') throw new ApiError(400, 'parameter_invalid', 'type must be user', 'type');
  let contact: ContactCore | undefined;
  const iid = c.query.get('intercom_user_id');
  const uid = c.query.get('user_id');
  const email = c.query.get('email');
  if (iid) contact = ws.contactById.get(iid);
  else if (uid) contact = ws.contactByExternalId.get(uid);
  else if (email) contact = ws.contactByEmail.get(email.toLowerCase());
  else throw new ApiError(400, 'parameter_not_found', 'One of intercom_user_id, user_id or email is required');
  if (!contact || cur(contact).deleted) throw new ApiError(404, 'not_found', 'User Not Found');
  const perPage = intParam(c.query, 'per_page', 50, 1, 150, true);
  let offset = 0;
  const tok = c.query.get('page_token');
  if (tok) {
    const m = /^ev1\.(\d+)$/.exec(Buffer.from(tok, 'base64url').toString('utf8'));
    if (!m) throw new ApiError(400, 'parameter_invalid', 'Invalid page_token', 'page_token');
    offset = Number(m[1]);
  }
  const all = listableEvents(ws, contact);
  const pages: Json = {};
  if (offset + perPage < all.length) {
    const q = new URLSearchParams(c.query);
    q.set('per_page', String(perPage));
    q.set('page_token', Buffer.from(`ev1.${offset + perPage}`).toString('base64url'));
    pages['next'] = `${c.baseUrl}/events?${q.toString()}`;
  }
  // Real shape (the spec declares the summary shape): {type: "event.list", events, pages: {next}}.
  return ok({ type: 'event.list', events: all.slice(offset, offset + perPage), pages });
}

function contactNotes(api: Router, c: RequestContext, ct: ContactCore): RouteResult {
  const { ws } = api;
  if (api.opts.shapes) {
    const all = noteIds(ct).map((_, n) => renderNote(ws, ct, ct.noteCount - 1 - n));
    return shapedPage(c, api.opts.shapes, all, {
      path: `/contacts/${ct.id}/notes`,
      type: 'list',
      key: 'data',
      withTotalCount: true,
    });
  }
  const page = intParam(c.query, 'page', 1, 1, null, false);
  const perPage = intParam(c.query, 'per_page', 50, 1, 150, true);
  const ids = noteIds(ct); // newest first
  const data: Json[] = [];
  for (let n = (page - 1) * perPage; n < Math.min(ids.length, page * perPage); n++)
    data.push(renderNote(ws, ct, ct.noteCount - 1 - n));
  return ok({ type: 'list', data, total_count: ids.length, pages: pageBased(ids.length, page, perPage) });
}

/** GET /contacts/{id}/companies: records under `data` (the example's key), pages as pages_link. */
function contactCompanies(api: Router, c: RequestContext, ct: ContactCore): RouteResult {
  const { ws } = api;
  const all = ct.companyIdxs.map((j) => ws.companies[j] as CompanyCore).filter((co) => !cur(co).deleted);
  if (api.opts.shapes) {
    return shapedPage(
      c,
      api.opts.shapes,
      all.map((co) => renderCompany(ws, co)),
      { path: `/contacts/${ct.id}/companies`, type: 'list', key: 'companies', altKey: 'data', withTotalCount: true },
    );
  }
  const page = intParam(c.query, 'page', 1, 1, null, false);
  const perPage = intParam(c.query, 'per_page', 50, 1, 150, true);
  const data = all.slice((page - 1) * perPage, page * perPage).map((co) => renderCompany(ws, co));
  const totalPages = Math.ceil(all.length / perPage);
  const next =
    page < totalPages ? `${c.baseUrl}/contacts/${ct.id}/companies?page=${page + 1}&per_page=${perPage}` : null;
  return ok({
    type: 'list',
    data,
    pages: { type: 'pages', next, page, per_page: perPage, total_pages: totalPages },
    total_count: all.length,
  });
}

export function registerContactRoutes(api: Router): void {
  const { ws } = api;
  api.route('GET', '/events', (c) => events(ws, c));
  api.route('GET', '/contacts', (c) => api.cursorList(c, ws.contacts, 50, (x) => contactText(api, x), 'data', 'list'));
  api.route('GET', '/contacts/{id}', (_c, [id]) => ok(renderContact(ws, aliveContact(ws, id as string))));
  api.route('GET', '/contacts/{id}/notes', (c, [id]) => contactNotes(api, c, aliveContact(ws, id as string)));
  api.route('GET', '/contacts/{id}/tags', (c, [id]) => {
    const ct = aliveContact(ws, id as string);
    return api.list(
      c,
      { path: `/contacts/${ct.id}/tags`, type: 'list', key: 'data' },
      ct.tagIdxs.map((t) => renderTag(ws.tags[t] as TagCore)),
    );
  });
  api.route('GET', '/contacts/{id}/companies', (c, [id]) => contactCompanies(api, c, aliveContact(ws, id as string)));
}
