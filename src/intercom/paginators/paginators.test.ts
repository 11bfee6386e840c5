import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../core/events.js';
import { IntercomClient } from '../client.js';
import { cursorPages, firstSearchPage, numberedPages, searchPages } from '../pagination.js';
import { listStrategy, PaginationStalledError, recordsOf, ScrollProgress, walkPages } from './index.js';

const BASE = 'https://api.intercom.io';
const client = () =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: 'kit-test-token-7',
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 0,
    maxRateLimitWaitMs: 1000,
    retryBaseDelayMs: 2,
  });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function ids(pages: AsyncGenerator<{ records: JsonObject[] }>): Promise<string[]> {
  const out: string[] = [];
  for await (const page of pages) out.push(...page.records.map((r) => String(r.id)));
  return out;
}

const rec = (...list: string[]) => list.map((id) => ({ id }));

describe('GET lists: every documented shape of pages', () => {
  it('follows pages.next as a URL string', async () => {
    nock(BASE)
      .get('/tags')
      .reply(200, { data: rec('1'), pages: { next: `${BASE}/tags?page=2` } });
    nock(BASE)
      .get('/tags')
      .query({ page: '2' })
      .reply(200, { data: rec('2'), pages: { next: null } });
    expect(await ids(cursorPages(client(), { path: '/tags', recordsKey: 'data' }))).toEqual(['1', '2']);
  });

  it('follows pages.next.starting_after, keeping the list parameters', async () => {
    nock(BASE)
      .get('/data_attributes')
      .query({ model: 'contact' })
      .reply(200, { data: rec('1'), pages: { next: { starting_after: 'abc' } } });
    nock(BASE)
      .get('/data_attributes')
      .query({ model: 'contact', starting_after: 'abc' })
      .reply(200, { data: rec('2'), pages: {} });
    expect(
      await ids(cursorPages(client(), { path: '/data_attributes', recordsKey: 'data', params: { model: 'contact' } })),
    ).toEqual(['1', '2']);
  });

  it('asks for the next page number when there is no next but page < total_pages', async () => {
    nock(BASE)
      .get('/admins')
      .reply(200, { admins: rec('1'), pages: { page: 1, per_page: 1, total_pages: 2 } });
    nock(BASE)
      .get('/admins')
      .query({ page: '2', per_page: '1' })
      .reply(200, { admins: rec('2'), pages: { page: 2, per_page: 1, total_pages: 2 } });
    expect(await ids(cursorPages(client(), { path: '/admins', recordsKey: 'admins' }))).toEqual(['1', '2']);
  });

  it('takes records under either documented key and a total_count of null', async () => {
    nock(BASE)
      .get('/contacts/1/companies')
      .reply(200, { companies: rec('a'), total_count: null, pages: { next: `${BASE}/contacts/1/companies?page=2` } });
    nock(BASE)
      .get('/contacts/1/companies')
      .query({ page: '2' })
      .reply(200, { data: rec('b'), total_count: 2 });
    const pages = [];
    for await (const page of cursorPages(client(), {
      path: '/contacts/1/companies',
      recordsKey: ['data', 'companies'],
    }))
      pages.push(page);
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['a'], ['b']]);
    expect(pages.map((p) => p.totalCount)).toEqual([undefined, 2]);
  });

  it('numbered lists stop at total_pages, and at an empty page whatever total_pages claims', async () => {
    nock(BASE)
      .get('/articles')
      .query({ page: '1', per_page: '2' })
      .reply(200, { data: rec('1', '2'), pages: { page: 1, total_pages: 37_000_000 } });
    nock(BASE)
      .get('/articles')
      .query({ page: '2', per_page: '2' })
      .reply(200, { data: [], pages: { page: 2, total_pages: 37_000_000 } });
    expect(await ids(numberedPages(client(), { path: '/articles', recordsKey: 'data', perPage: 2 }))).toEqual([
      '1',
      '2',
    ]);
    expect(nock.isDone()).toBe(true);
  });
});

describe('progress guards', () => {
  const stalled = async (pages: AsyncGenerator<unknown>) => {
    try {
      for await (const _ of pages) void _;
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('a repeated cursor is a typed, transient stall', async () => {
    nock(BASE)
      .get('/tags')
      .reply(200, { data: rec('1'), pages: { next: { starting_after: 'A' } } });
    nock(BASE)
      .get('/tags')
      .query({ starting_after: 'A' })
      .reply(200, { data: rec('2'), pages: { next: { starting_after: 'A' } } });
    const err = await stalled(cursorPages(client(), { path: '/tags', recordsKey: 'data', stream: 'tags' }));
    expect(err).toBeInstanceOf(PaginationStalledError);
    expect((err as PaginationStalledError).reason).toBe('repeated_cursor');
    expect((err as PaginationStalledError).failureType).toBe('transient_error');
    expect((err as Error).message).not.toMatch(/read again/);
  });

  it('more than 5 empty pages in a row with a next link stop the walk after 1 + 6 requests', async () => {
    let n = 0;
    nock(BASE)
      .persist()
      .get('/tags')
      .query(true)
      .reply(() => [200, { data: n++ === 0 ? rec('1') : [], pages: { next: { starting_after: `c${n}` } } }]);
    const err = await stalled(cursorPages(client(), { path: '/tags', recordsKey: 'data' }));
    expect((err as PaginationStalledError).reason).toBe('no_new_records');
    expect(n).toBe(7);
  });

  it('a page number that does not advance is caught on the page after', async () => {
    nock(BASE)
      .persist()
      .get('/articles')
      .query(true)
      .reply(200, { data: rec('1'), pages: { page: 1, total_pages: 9 } });
    const err = await stalled(numberedPages(client(), { path: '/articles', recordsKey: 'data', perPage: 1 }));
    expect((err as PaginationStalledError).reason).toBe('page_not_advancing');
  });

  it('a next link past total_pages is refused', async () => {
    nock(BASE)
      .get('/tags')
      .reply(200, { data: rec('1'), pages: { page: 3, total_pages: 2, next: { starting_after: 'x' } } });
    const err = await stalled(cursorPages(client(), { path: '/tags', recordsKey: 'data' }));
    expect((err as PaginationStalledError).reason).toBe('past_total_pages');
  });

  it('a walk stops at its page bound', async () => {
    let n = 0;
    nock(BASE)
      .persist()
      .get('/tags')
      .query(true)
      .reply(() => [200, { data: rec(`r${n}`), pages: { next: { starting_after: `c${++n}` } } }]);
    const pages = walkPages(client(), listStrategy({ path: '/tags' }), {
      endpoint: 'GET /tags',
      recordsOf: (b) => recordsOf(b, 'data', 'GET /tags'),
      limits: { maxPages: 4 },
    });
    const err = await stalled(pages);
    expect((err as PaginationStalledError).reason).toBe('too_many_pages');
    expect(n).toBe(4);
  });

  it('search pages carry the cursor in the body and stop on a repeated one', async () => {
    const bodies: unknown[] = [];
    nock(BASE)
      .persist()
      .post('/contacts/search', (b: unknown) => (bodies.push(b), true))
      .reply(200, { data: rec('1'), pages: { next: { starting_after: 'same' } } });
    const err = await stalled(
      searchPages(client(), {
        path: '/contacts/search',
        query: { field: 'id', operator: '=', value: '1' },
        recordsKey: 'data',
        perPage: 10,
      }),
    );
    expect((err as PaginationStalledError).reason).toBe('repeated_cursor');
    expect(bodies[1]).toEqual({
      query: { field: 'id', operator: '=', value: '1' },
      pagination: { per_page: 10, starting_after: 'same' },
    });
  });

  it('a search first page asked alone is the same request, and the walk it is handed to does not ask it again', async () => {
    const bodies: unknown[] = [];
    nock(BASE)
      .persist()
      .post('/contacts/search', (b: unknown) => (bodies.push(b), true))
      .reply(200, (_uri, body) =>
        (body as { pagination: { starting_after?: string } }).pagination.starting_after === 'c1'
          ? { data: rec('2'), total_count: 2, pages: {} }
          : { data: rec('1'), total_count: 2, pages: { next: { starting_after: 'c1' } } },
      );
    const opts = { path: '/contacts/search', query: { field: 'id', operator: '=', value: '1' }, recordsKey: 'data' };
    const first = await firstSearchPage(client(), { ...opts, perPage: 150 });
    expect(await ids(searchPages(client(), { ...opts, perPage: 150, firstBody: first }))).toEqual(['1', '2']);
    expect(bodies).toEqual([
      { query: opts.query, pagination: { per_page: 150 } },
      { query: opts.query, pagination: { per_page: 150, starting_after: 'c1' } },
    ]);
  });

  it('a scroll page of companies this scroll already returned is a stall', () => {
    const progress = new ScrollProgress('GET /companies/scroll', 'companies');
    progress.page(rec('a', 'b'), 'p');
    progress.page(rec('b', 'c'), 'p');
    expect(() => progress.page(rec('a', 'c'), 'p')).toThrow(PaginationStalledError);
  });
});
