/** GET /companies/scroll rules and the page-based company lists. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom } from './index.js';
import type { FakeIntercom } from './index.js';
import { NOW, get, post, sleep } from '../../test/helpers/fake-intercom.js';
import type { J } from '../../test/helpers/fake-intercom.js';

let fake: FakeIntercom;
let base: string;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 2,
    now: NOW,
    scrollIdleSeconds: 1,
    scrollPageSize: 50,
    size: { companies: 120, contacts: 150, conversations: 5, tickets: 2 },
  });
  base = fake.url;
});
afterAll(async () => {
  await fake.close();
});

async function drain(param: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await get(base, `/companies/scroll?scroll_param=${param}`);
    if (r.status !== 200 || r.body.data.length === 0) return;
  }
}

describe('companies scroll', () => {
  it('same scroll_param on every page, all companies once, empty data at the end, then closed', async () => {
    const first = await get(base, '/companies/scroll');
    expect(first.status).toBe(200);
    const param = first.body.scroll_param as string;
    expect(param).toBeTruthy();
    const ids: string[] = first.body.data.map((c: J) => c.id);
    const sizes = [first.body.data.length];
    for (;;) {
      const r = await get(base, `/companies/scroll?scroll_param=${encodeURIComponent(param)}`);
      expect(r.status).toBe(200);
      expect(r.body.scroll_param).toBe(param);
      sizes.push(r.body.data.length);
      if (r.body.data.length === 0) break;
      ids.push(...r.body.data.map((c: J) => c.id));
    }
    expect(sizes).toEqual([50, 50, 20, 0]);
    expect(new Set(ids).size).toBe(120);
    expect([...ids].sort()).toEqual(fake.groundTruth().companies);
    // after the end the scroll is closed: the param is unknown, a new scroll can be opened
    const after = await get(base, `/companies/scroll?scroll_param=${encodeURIComponent(param)}`);
    expect(after.status).toBe(404);
    expect(after.body.type).toBe('error.list');
    const again = await get(base, '/companies/scroll');
    expect(again.status).toBe(200);
    expect(again.body.scroll_param).not.toBe(param);
    await drain(again.body.scroll_param);
  });

  it('a second scroll while one is open is 400 "scroll already exists"', async () => {
    const a = await get(base, '/companies/scroll');
    expect(a.status).toBe(200);
    const b = await get(base, '/companies/scroll');
    expect(b.status).toBe(400);
    expect(b.body.type).toBe('error.list');
    expect(b.body.errors[0].message).toBe('scroll already exists');
    await drain(a.body.scroll_param);
  });

  it('expires after scrollIdleSeconds idle: the param then 404s and a new scroll may start', async () => {
    const a = await get(base, '/companies/scroll');
    await sleep(1_200);
    const r = await get(base, `/companies/scroll?scroll_param=${a.body.scroll_param}`);
    expect(r.status).toBe(404);
    expect(r.body.errors[0].code).toBe('not_found');
    const b = await get(base, '/companies/scroll');
    expect(b.status).toBe(200);
    await drain(b.body.scroll_param);
  });

  it('an injected 500 mid-scroll drops the scroll so the client can restart', async () => {
    const a = await get(base, '/companies/scroll');
    fake.setFaults([{ route: 'GET /companies/scroll', kind: 'status', status: 500 }]);
    const r = await get(base, `/companies/scroll?scroll_param=${a.body.scroll_param}`);
    expect(r.status).toBe(500);
    expect(r.body.errors[0].message).toMatch(/restart the scroll/);
    const b = await get(base, '/companies/scroll');
    expect(b.status).toBe(200);
    await drain(b.body.scroll_param);
  });
});

describe('company lists', () => {
  it('GET /companies pages with page/per_page; POST /companies/list skips companies without users', async () => {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const r = await get(base, `/companies?page=${page}&per_page=25`);
      expect(r.status).toBe(200);
      expect(r.body.pages.total_pages).toBe(5);
      if (r.body.data.length === 0) break;
      ids.push(...r.body.data.map((c: J) => c.id));
    }
    expect(ids.length).toBe(120);
    const noUsers = fake.workspace.companies.filter((c) => c.userCount === 0);
    expect(noUsers.length).toBeGreaterThan(0);
    const listed = await post(base, '/companies/list?per_page=60', {});
    const listed2 = await post(base, '/companies/list?per_page=60&page=2', {});
    const lids = [...listed.body.data, ...listed2.body.data].map((c: J) => c.id);
    expect(listed.body.total_count).toBe(120 - noUsers.length);
    for (const c of noUsers) expect(lids).not.toContain(c.id);
  });

  it('GET /companies stops at 10,000 companies', async () => {
    const big = await startFakeIntercom({
      seed: 3,
      now: NOW,
      size: { companies: 10_030, contacts: 10, conversations: 1, tickets: 1 },
    });
    try {
      const last = await get(big.url, '/companies?page=167&per_page=60'); // offsets 9960..10019
      expect(last.body.data.length).toBe(40);
      const beyond = await get(big.url, '/companies?page=168&per_page=60');
      expect(beyond.status).toBe(200);
      expect(beyond.body.data.length).toBe(0);
      expect(beyond.body.total_count).toBe(10_030);
    } finally {
      await big.close();
    }
  });
});
