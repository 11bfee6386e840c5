/**
 * The fake's small workspace lists that have no other home: ticket states, away status reasons,
 * news items and newsfeeds, internal articles, calls, Fin content import sources and external
 * pages, and (API 2.15) brands and sender email settings. Records follow the spec's components
 * and examples; some text carries non-ASCII. They are generated from the workspace's seed and
 * generation time, so the same options give the same lists (and tests can compute ground truth).
 */
import type { Json } from './model.js';
import type { WorkspaceState } from './state.js';
import { rngFor } from './rng.js';

/** How many records each list has: enough for several pages where the endpoint pages. */
export const WORKSPACE_LIST_SIZES = {
  ticket_states: 6,
  away_status_reasons: 5,
  news_items: 23,
  newsfeeds: 3,
  internal_articles: 57,
  calls: 61,
  ai_content_sources: 4,
  ai_external_pages: 120,
  brands: 3,
  emails: 4,
} as const;

export type WorkspaceListStream = keyof typeof WORKSPACE_LIST_SIZES;

const DAY = 86_400;
const CATEGORIES = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'] as const;

/** Record `i` of each list, from its created and updated time (drawn from the seed per list and index). */
const RENDER: Record<WorkspaceListStream, (ws: WorkspaceState, i: number, created: number, updated: number) => Json> = {
  ticket_states: (_ws, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    return {
      type: 'ticket_state',
      id: String(8200 + i),
      category,
      internal_label: `État ${i} (${category})`,
      external_label: category.replace(/_/g, ' '),
      archived: i === 5,
      ticket_types: { type: 'list', data: [] },
    };
  },
  away_status_reasons: (ws, i, created, updated) => {
    return {
      type: 'away_status_reason',
      id: String(40 + i),
      label: ['On a break', 'In a meeting', 'Déjeuner', 'Focus, "deep work"', 'Gone'][i % 5]!,
      emoji: '☕',
      order: i + 1,
      deleted: i === 4,
      created_at: created,
      updated_at: updated,
    };
  },
  news_items: (ws, i, created, updated) => {
    return {
      type: 'news-item',
      id: String(29 + i),
      workspace_id: ws.appId,
      title: `News #${i}: naïve café, "quoted", commas`,
      body: `<p>Hello there, item ${i}</p>`,
      sender_id: 991267800 + (i % 3),
      state: i % 4 === 0 ? 'draft' : 'live',
      newsfeed_assignments: [{ newsfeed_id: 68 + (i % 3), published_at: updated }],
      labels: i % 2 ? ['Product Update'] : [],
      cover_image_url: null,
      reactions: ['👍', '🎉'],
      deliver_silently: i % 5 === 0,
      created_at: created,
      updated_at: updated,
    };
  },
  newsfeeds: (ws, i, created, updated) => {
    return {
      id: String(68 + i),
      type: 'newsfeed',
      name: ['Visitor Feed', 'User Feed', 'Feed für Kunden'][i % 3]!,
      created_at: created,
      updated_at: updated,
    };
  },
  internal_articles: (ws, i, created, updated) => {
    return {
      type: 'internal_article',
      id: String(5_000_000 + i),
      title: `Runbook ${i} — escalation`,
      body: i % 7 ? `<p>Step ${i}</p>` : null,
      owner_id: 991267800,
      author_id: 991267801,
      created_at: created,
      updated_at: updated,
      locale: 'en',
    };
  },
  calls: (ws, i, created, updated) => {
    return {
      type: 'call',
      id: String(9_000_000 + i),
      conversation_id: i % 3 ? String(64619700005694 + i) : null,
      admin_id: String(991267800 + (i % 3)),
      contact_id: null,
      state: 'completed',
      initiated_at: created,
      answered_at: created + 5,
      ended_at: created + 60 + i,
      created_at: created,
      updated_at: updated,
      recording_url: null,
      transcription_url: null,
      call_type: 'phone',
      direction: i % 2 ? 'outbound' : 'inbound',
      ended_reason: 'completed',
      phone: `+1555${String(1_000_000 + i)}`,
    };
  },
  ai_content_sources: (ws, i, created, updated) => {
    return {
      type: 'content_import_source',
      id: 33 + i,
      last_synced_at: updated,
      sync_behavior: (['api', 'automatic', 'manual'] as const)[i % 3]!,
      status: 'active',
      url: `https://support.example.com/src/${i}`,
      created_at: created,
      updated_at: updated,
    };
  },
  ai_external_pages: (ws, i, created, updated) => {
    return {
      type: 'external_page',
      id: String(1000 + i),
      title: `External page ${i} — Ünïcode`,
      html: `<h1>Page ${i}</h1>`,
      url: `https://support.example.com/pages/${i}`,
      ai_agent_availability: true,
      ai_copilot_availability: i % 2 === 0,
      fin_availability: true,
      locale: 'en',
      source_id: 33 + (i % WORKSPACE_LIST_SIZES.ai_content_sources),
      external_id: `ext-${i}`,
      created_at: created,
      updated_at: updated,
      last_ingested_at: updated,
    };
  },
  brands: (ws, i, created, updated) => {
    return {
      type: 'brand',
      id: i === 0 ? ws.appId : String(3 + i),
      name: i === 0 ? 'Default Brand' : `Brand ${i}`,
      is_default: i === 0,
      created_at: created,
      updated_at: updated,
      help_center_id: String(10 + i),
      default_address_settings_id: String(13 + i),
    };
  },
  emails: (ws, i, created, updated) => {
    return {
      type: 'email_setting',
      id: String(20 + i),
      email: `support${i}@example.com`,
      verified: i !== 3,
      domain: 'example.com',
      brand_id: i === 0 ? ws.appId : String(3 + (i % 2) + 1),
      forwarding_enabled: i % 2 === 0,
      forwarded_email_last_received_at: i % 2 === 0 ? updated : null,
      created_at: created,
      updated_at: updated,
    };
  },
};

function render(ws: WorkspaceState, stream: WorkspaceListStream, i: number): Json {
  const r = rngFor(ws.seed, `list-${stream}`, i);
  const created = ws.genNow - r.int(5, 300) * DAY + r.int(0, DAY - 1);
  const updated = Math.min(ws.genNow, created + r.int(0, 20) * DAY);
  return RENDER[stream](ws, i, created, updated);
}

const cache = new WeakMap<WorkspaceState, Map<WorkspaceListStream, Json[]>>();

/** Every record of one list as the fake serves it (ground truth for tests). */
export function workspaceList(ws: WorkspaceState, stream: WorkspaceListStream): Json[] {
  let lists = cache.get(ws);
  if (!lists) cache.set(ws, (lists = new Map()));
  let records = lists.get(stream);
  if (!records)
    lists.set(
      stream,
      (records = Array.from({ length: WORKSPACE_LIST_SIZES[stream] }, (_, i) => render(ws, stream, i))),
    );
  return records;
}
