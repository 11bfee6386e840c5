/** Help centers, their collections and articles: generated from the seed, rendered on demand. */
import { DAY } from '../clock.js';
import type { AdminCore, Json, TagCore } from '../model.js';
import { rngFor } from '../rng.js';
import type { WorkspaceState } from '../state.js';
import { WORDS } from '../vocabulary.js';
import { renderTag } from './tags.js';

export function renderHelpCenter(ws: WorkspaceState, i: number): Json {
  const created = ws.genNow - (800 - i) * DAY;
  return {
    id: String(790 + i),
    workspace_id: ws.appId,
    created_at: created,
    updated_at: created + 10 * DAY,
    identifier: `${ws.appId}-hc-${i + 1}`,
    website_turned_on: i === 0,
    display_name: `Help Center ${i + 1}`,
    url: `https://help.${ws.appId}.example.com/hc${i + 1}`,
    custom_domain: i === 0 ? null : `support${i}.example.com`,
  };
}

export function renderCollection(ws: WorkspaceState, i: number): Json {
  const r = rngFor(ws.seed, 'collection', i);
  const created = ws.genNow - r.int(100, 700) * DAY;
  const updated = Math.min(ws.genNow, created + r.int(0, 90) * DAY + r.int(0, DAY - 1));
  const name = `${WORDS[i % WORDS.length]} guides`.replace(/^./, (m) => m.toUpperCase());
  const section = i >= 2 && i % 3 === 2;
  const hc = ws.size.helpCenters > 0 ? 790 + (i % ws.size.helpCenters) : null;
  return {
    id: String(16_000 + i),
    workspace_id: ws.appId,
    name,
    description: r.chance(0.6) ? `All about ${name.toLowerCase()}` : null,
    created_at: created,
    updated_at: updated,
    url: `https://help.${ws.appId}.example.com/en/collections/${16_000 + i}`,
    icon: 'book-bookmark',
    order: i + 1,
    default_locale: 'en',
    translated_content: {
      type: 'group_translated_content',
      en: { type: 'group_content', name, description: `All about ${name.toLowerCase()}` },
    },
    parent_id: section ? String(16_000 + i - 1) : null,
    help_center_id: section ? null : hc,
  };
}

export function renderArticle(ws: WorkspaceState, i: number): Json {
  const r = rngFor(ws.seed, 'article', i);
  const created = ws.genNow - r.int(1, 600) * DAY - r.int(0, DAY - 1);
  const updated = Math.min(ws.genNow, created + r.int(0, 100) * DAY + r.int(0, DAY - 1));
  const title = `How to ${r.pick(['export', 'import', 'configure', 'reset', 'share'])} ${r.pick(WORDS)} ${i + 1}`;
  const author = ws.admins.length ? Number((ws.admins[r.int(0, ws.admins.length - 1)] as AdminCore).id) : 0;
  const state = r.chance(0.8) ? 'published' : 'draft';
  const body = `<p>${title}: step one, step two.</p>`;
  const url = state === 'published' ? `https://help.${ws.appId}.example.com/en/articles/${3_000_000 + i}` : null;
  const parent = ws.size.collections > 0 && r.chance(0.8) ? 16_000 + r.int(0, ws.size.collections - 1) : null;
  const tagIdxs = r.sample(ws.size.tags, r.int(0, Math.min(2, ws.size.tags)));
  return {
    type: 'article',
    id: String(3_000_000 + i),
    workspace_id: ws.appId,
    title,
    description: `Learn ${title.toLowerCase()}`,
    body,
    author_id: author,
    state,
    created_at: created,
    updated_at: updated,
    url,
    parent_id: parent,
    parent_ids: parent === null ? [] : [parent],
    parent_type: parent === null ? null : 'collection',
    default_locale: 'en',
    translated_content: {
      type: 'article_translated_content',
      en: {
        type: 'article_content',
        title,
        description: `Learn ${title.toLowerCase()}`,
        body,
        author_id: author,
        state,
        created_at: created,
        updated_at: updated,
        url: url ?? '',
      },
    },
    tags: { type: 'tag.list', tags: tagIdxs.map((t) => renderTag(ws.tags[t] as TagCore)) },
  };
}

/** page/per_page lists are sorted by updated_at DESC (articles, collections). */
export function byUpdatedDesc(all: Json[]): Json[] {
  return all.sort(
    (a, b) => (b['updated_at'] as number) - (a['updated_at'] as number) || Number(a['id']) - Number(b['id']),
  );
}
