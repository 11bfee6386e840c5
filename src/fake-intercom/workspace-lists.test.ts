/**
 * The fake's small workspace lists: bodies valid against the spec (strict: no invented fields),
 * page/per_page paging that covers every record once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { startFakeIntercom, type FakeIntercom } from './index.js';
import { loadOpenApiValidator } from '../../test/helpers/openapi-validator.js';
import { NOW, apiHeaders, get, type J } from '../../test/helpers/fake-intercom.js';
import { WORKSPACE_LIST_SIZES, workspaceList } from './workspace-lists.js';

let fake: FakeIntercom;
beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 5,
    now: NOW,
    size: { contacts: 5, companies: 1, conversations: 1, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
});
afterAll(async () => {
  await fake.close();
});

const v214 = loadOpenApiValidator({ strict: true });
const v215 = loadOpenApiValidator({
  strict: true,
  path: join(packageRoot, 'spec', 'intercom-openapi', '2.15', 'api.intercom.io.yaml'),
});

describe('workspace lists of the fake', () => {
  it.each([
    ['/ticket_states', 'ticket_state_list', v214],
    ['/away_status_reasons', 'away_status_reason_list', v214],
    ['/internal_articles', 'internal_article_list', v214],
    ['/calls', 'call_list', v214],
    ['/ai/content_import_sources', 'content_import_sources_list', v214],
    ['/ai/external_pages', 'external_pages_list', v214],
    ['/brands', 'brand_list', v215],
    ['/emails', 'email_list', v215],
  ] as const)('GET %s matches %s', async (path, schema, validator) => {
    const r = await get(
      fake.url,
      path,
      path === '/brands' || path === '/emails' ? apiHeaders('fake-token', '2.15') : undefined,
    );
    expect(r.status).toBe(200);
    expect(validator.validate(schema, r.body)).toEqual([]);
    expect((r.body.data as J[]).length).toBeGreaterThan(0);
  });

  it.each([
    ['/news/news_items', 'news_item'],
    ['/news/newsfeeds', 'newsfeed'],
  ] as const)('GET %s lists valid %s records', async (path, component) => {
    const r = await get(fake.url, path);
    expect(r.status).toBe(200);
    for (const item of r.body.data as J[]) expect(v214.validate(component, item)).toEqual([]);
  });

  it.each([
    ['/calls', 'calls', 25],
    ['/internal_articles', 'internal_articles', 25],
    ['/ai/external_pages', 'ai_external_pages', 50],
    ['/news/news_items', 'news_items', 10],
  ] as const)('GET %s pages through every record once', async (path, stream, perPage) => {
    const ids: string[] = [];
    let totalPages = Infinity;
    for (let page = 1; page <= totalPages && page < 100; page++) {
      const r = await get(fake.url, `${path}?page=${page}&per_page=${perPage}`);
      totalPages = r.body.pages.total_pages as number;
      ids.push(...(r.body.data as J[]).map((x) => String(x.id)));
    }
    expect(totalPages).toBeGreaterThan(1);
    expect(ids).toEqual(workspaceList(fake.workspace, stream).map((x) => String((x as J).id)));
    expect(ids.length).toBe(WORKSPACE_LIST_SIZES[stream]);
  });

  it('caps calls at 25 per page, as the spec says', async () => {
    const r = await get(fake.url, '/calls?per_page=100');
    expect((r.body.data as J[]).length).toBe(25);
  });
});
