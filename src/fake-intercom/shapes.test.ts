/** List shape variants: each shape pages through the same records, in the form its seed names. */
import { afterEach, describe, expect, it } from 'vitest';
import { shapesForSeed, startFakeIntercom, type FakeIntercom, type ListShapes } from './index.js';
import { NOW, get } from '../../test/helpers/fake-intercom.js';
import type { J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Walks a list by hand in the way its answer says (URL, cursor or page number); returns ids and the pages' forms. */
async function walk(base: string, path: string, key: string): Promise<{ ids: string[]; forms: string[] }> {
  const ids: string[] = [];
  const forms: string[] = [];
  let url = path;
  for (let guard = 0; guard < 200; guard++) {
    const r = await get(base, url);
    expect(r.status, r.text).toBe(200);
    ids.push(...(r.body[key] as J[]).map((x) => String(x.id)));
    const pages = r.body.pages;
    const next = pages?.next;
    if (typeof next === 'string') {
      forms.push('url');
      url = next.slice(base.length);
    } else if (next && typeof next === 'object') {
      forms.push('cursor');
      url = `${path}${path.includes('?') ? '&' : '?'}starting_after=${next.starting_after}`;
    } else if (pages && pages.page < pages.total_pages) {
      forms.push('pages');
      url = `${path}${path.includes('?') ? '&' : '?'}page=${pages.page + 1}`;
    } else {
      return { ids, forms };
    }
  }
  throw new Error('walk did not end');
}

describe('shape variants', () => {
  it('three consecutive seeds cover every next shape, both records keys and both total_count forms', () => {
    const shapes = [1, 2, 3].map(shapesForSeed);
    expect(new Set(shapes.map((s) => s.next))).toEqual(new Set(['url', 'cursor', 'pages']));
    expect(new Set(shapes.map((s) => s.recordsKey))).toEqual(new Set(['schema', 'alternate']));
    expect(new Set(shapes.map((s) => s.totalCount))).toEqual(new Set(['number', 'null']));
  });

  it.each(['url', 'cursor', 'pages'] as const)('pages.next as %s: every admin once, in small pages', async (next) => {
    const shapes: ListShapes = { next, totalCount: 'number', recordsKey: 'schema', pageSize: 3 };
    fake = await startFakeIntercom({
      seed: 4,
      now: NOW,
      shapes,
      size: { admins: 8, contacts: 3, companies: 2, conversations: 1, tickets: 1 },
    });
    const { ids, forms } = await walk(fake.url, '/admins', 'admins');
    expect(ids.sort()).toEqual([...fake.groundTruth().admins].sort());
    expect(forms).toEqual([next, next]);
  });

  it('the scroll sends total_count null and its records under `companies` when asked', async () => {
    fake = await startFakeIntercom({
      seed: 4,
      now: NOW,
      shapes: { next: 'cursor', totalCount: 'null', recordsKey: 'alternate', pageSize: 2 },
      size: { companies: 5, contacts: 3, conversations: 1, tickets: 1 },
    });
    const r = await get(fake.url, '/companies/scroll');
    expect(r.body.total_count).toBeNull();
    expect(r.body.companies).toHaveLength(2);
    expect(r.body.data).toBeUndefined();
  });
});
