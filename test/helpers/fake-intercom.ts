/** Shared helpers for the fake-intercom tests (real HTTP against 127.0.0.1). */
import { loadOpenApiValidator } from './openapi-validator.js';
import type { OpenApiValidator } from './openapi-validator.js';

// Response bodies are arbitrary JSON whose shape the tests check at runtime (schemas + asserts).

export type J = any;

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  body: J;
}

export const DAY = 86_400;
/** A fixed "now" (2025-06-15T12:00:00Z) so workspaces are reproducible. */
export const NOW = 1_749_988_800;

export function apiHeaders(token = 'fake-token', version = '2.14'): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    'Intercom-Version': version,
    Accept: 'application/json',
    'Content-Type': 'application/json',
  };
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = apiHeaders(),
): Promise<Res> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const r = await fetch(base + path, init);
  const text = await r.text();
  let parsed: J = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, headers: r.headers, text, body: parsed };
}

export const get = (base: string, path: string, headers?: Record<string, string>): Promise<Res> =>
  call(base, 'GET', path, undefined, headers);
export const post = (base: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Res> =>
  call(base, 'POST', path, body, headers);

/** Pages through a search endpoint with body pagination; returns every record in order. */
export async function searchAll(
  base: string,
  stream: 'contacts' | 'conversations' | 'tickets',
  query: unknown,
  perPage = 150,
): Promise<J[]> {
  const key = stream === 'contacts' ? 'data' : stream;
  const out: J[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const pagination: Record<string, unknown> = { per_page: perPage };
    if (cursor) pagination['starting_after'] = cursor;
    const r = await post(base, `/${stream}/search`, { query, pagination });
    if (r.status !== 200) throw new Error(`search ${stream} -> ${r.status} ${r.text}`);
    out.push(...(r.body[key] as J[]));
    cursor = r.body.pages?.next?.starting_after;
    if (!cursor) return out;
  }
  throw new Error('search did not terminate');
}

/** Fields that appear in the spec's examples but not in its component schemas. */
export const ALLOW_EXTRA: Record<string, string[]> = {
  contact_tags: ['type'],
  contact_notes: ['type'],
  contact_companies: ['type'],
  contact_social_profiles: ['type'],
  // GET /contacts/{id}/companies: records under `data` (the example) instead of `companies` (the schema)
  contact_attached_companies: ['data'],
  // In the examples of GET/PUT /contacts/{id} and others (and typed by the responses that extend `contact`).
  contact: [
    'opted_out_subscription_types',
    'opted_in_subscription_types',
    'utm_campaign',
    'utm_content',
    'utm_medium',
    'utm_source',
    'utm_term',
    'referrer',
    'enabled_push_messaging',
  ],
  // In the examples of GET /conversations/{id} and POST /conversations/search.
  conversation: ['topics', 'ticket'],
  conversation_list_item: ['topics', 'ticket'],
  // In the examples of GET /ticket_types and the tickets' embedded ticket_type.
  ticket_type: ['is_internal'],
};

let strictValidator: OpenApiValidator | null = null;
export function validator(): OpenApiValidator {
  strictValidator ??= loadOpenApiValidator({ strict: true, allowExtra: ALLOW_EXTRA });
  return strictValidator;
}

export function expectValid(schema: string, data: unknown, what = schema): void {
  const errs = validator().validate(schema, data);
  if (errs.length) throw new Error(`${what} does not match ${schema}:\n  ${errs.slice(0, 10).join('\n  ')}`);
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
