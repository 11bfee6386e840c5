import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';
import { contactSliceQuery } from './contacts.js';
import { inclusiveSliceQuery } from './slicing.js';
import {
  DAY,
  ONE_WALK_PAGES,
  SEARCH_PER_PAGE,
  planSlices,
  readAhead,
  slicedSearch,
  sliceWorkers,
  type TimeSlice,
} from './slicing.js';
import type { ReadContext } from './types.js';

const D = Date.UTC(2024, 0, 10) / 1000; // a UTC midnight

describe('planSlices', () => {
  it('covers [lower, upper) exactly, with day-aligned inner boundaries and an open last slice', () => {
    const lower = D + 3600;
    const upper = D + 10 * DAY + 500;
    const slices = planSlices(lower, upper, { sliceDays: 3, workers: 1 });
    expect(slices[0]!.start).toBe(lower);
    expect(slices.at(-1)!.end).toBe(upper);
    expect(slices.at(-1)!.last).toBe(true);
    for (let i = 1; i < slices.length; i++) {
      expect(slices[i]!.start).toBe(slices[i - 1]!.end);
      expect(slices[i]!.start % DAY).toBe(0);
      expect(slices[i - 1]!.last).toBe(false);
    }
  });

  it('makes about four slices per worker when no width is set', () => {
    expect(planSlices(D, D + 80 * DAY, { workers: 5 })).toHaveLength(20);
  });

  it('makes one slice for a window inside one day', () => {
    const slices = planSlices(D + 10, D + 20, { workers: 8 });
    expect(slices).toEqual([{ index: 0, start: D + 10, end: D + 20, last: true }]);
  });
});

describe('contactSliceQuery (contact search compares dates by calendar day)', () => {
  it('asks for the whole first day as OR[= day, > day] and ends with < the day after the end, all groups homogeneous', () => {
    const query = contactSliceQuery({ index: 0, start: D + 7200, end: D + 3 * DAY, last: false }) as {
      operator: string;
      value: { operator: string; value: unknown[] }[];
    };
    expect(query).toEqual({
      operator: 'AND',
      value: [
        {
          operator: 'OR',
          value: [
            { field: 'updated_at', operator: '=', value: D },
            { field: 'updated_at', operator: '>', value: D },
          ],
        },
        // One day past the end: `<` is by day in the workspace timezone, which may lag UTC.
        { operator: 'OR', value: [{ field: 'updated_at', operator: '<', value: D + 4 * DAY }] },
      ],
    });
  });

  it('leaves the last slice open-ended', () => {
    expect(contactSliceQuery({ index: 2, start: D + 5 * DAY, end: D + 5 * DAY + 99, last: true })).toEqual({
      operator: 'OR',
      value: [
        { field: 'updated_at', operator: '=', value: D + 5 * DAY },
        { field: 'updated_at', operator: '>', value: D + 5 * DAY },
      ],
    });
  });
});

describe('inclusiveSliceQuery (conversation and ticket search)', () => {
  it('asks one second wider on each side', () => {
    expect(inclusiveSliceQuery({ index: 0, start: 100, end: 200, last: false })).toEqual({
      operator: 'AND',
      value: [
        { field: 'updated_at', operator: '>', value: 99 },
        { field: 'updated_at', operator: '<', value: 200 },
      ],
    });
  });
});

describe('slicedSearch plans from the first page', () => {
  // Records evenly spread over [from, to); the stub search answers like Intercom: total_count,
  // pages of at most per_page, no `next` on the last page, in an order that is not time (2.14 has
  // no sort), and a starting_after cursor that means something only for the query it came from.
  function stubClient(list: { id: string; updated_at: number }[]) {
    const scramble = (id: string) => (Number(id.slice(1)) * 2_654_435_761) % 4_294_967_296;
    const records = [...list].sort((a, b) => scramble(a.id) - scramble(b.id));
    const calls = { requests: 0, asked: [] as string[] };
    const client = {
      async request(req: { json: { query: TimeSlice; pagination: { per_page: number; starting_after?: string } } }) {
        const { query, pagination } = req.json;
        calls.requests++;
        calls.asked.push(JSON.stringify(req.json));
        const matching = records.filter((r) => r.updated_at >= query.start && (query.last || r.updated_at < query.end));
        const from = pagination.starting_after ? Number(pagination.starting_after) : 0;
        const data = matching.slice(from, from + pagination.per_page);
        const next = from + data.length < matching.length ? { starting_after: String(from + data.length) } : undefined;
        return {
          type: 'list',
          data,
          total_count: matching.length,
          pages: { type: 'pages', ...(next ? { next } : {}) },
        };
      },
    };
    return { client: client as unknown as IntercomClient, calls };
  }

  const spread = (count: number, from: number, to: number) =>
    Array.from({ length: count }, (_, i) => ({
      id: `c${i}`,
      updated_at: from + Math.floor((i * (to - from)) / count),
    }));

  async function read(opts: {
    records: { id: string; updated_at: number }[];
    lower: number;
    upper: number;
    sliceDays?: number;
  }) {
    const { client, calls } = stubClient(opts.records);
    const infos: string[] = [];
    const ctx: ReadContext = {
      client,
      config: {
        maxConcurrency: 24,
        settings: { lookback_window_minutes: 30, ...(opts.sliceDays ? { slice_days: opts.sliceDays } : {}) },
        startDate: opts.lower,
      } as unknown as SourceConfig,
      logger: { debug() {}, info: (m: string) => void infos.push(m), warn() {}, error() {} },
      selected: new Set(['contacts']),
      state: undefined,
      syncStartedAt: opts.upper,
    };
    const seen: string[] = [];
    const checkpoints: number[] = [];
    for await (const item of slicedSearch({
      ctx,
      stream: 'contacts',
      cursorField: 'updated_at',
      path: '/contacts/search',
      recordsKey: 'data',
      query: (slice) => slice,
      async *processPage(page: JsonObject[]) {
        yield { kind: 'records', stream: 'contacts', records: page };
      },
    })) {
      if (item.kind === 'records') for (const r of item.records) seen.push(String(r.id));
      if (item.kind === 'checkpoint') checkpoints.push(item.state.updated_at as number);
    }
    expect(seen).toHaveLength(opts.records.length);
    expect(new Set(seen).size).toBe(opts.records.length);
    expect(checkpoints.at(-1)).toBe(opts.upper);
    // No request is asked twice: a page whose answer is known is not asked again.
    expect(new Set(calls.asked).size).toBe(calls.asked.length);
    const slices = Number(/in (\d+) time slices/.exec(infos.join('\n'))?.[1] ?? 1);
    return { calls, slices };
  }

  it('a year of 60,000 records: about four slices per worker, one page of the whole window, 16 probes that are first pages', async () => {
    const total = 60_000;
    const { calls, slices } = await read({ records: spread(total, D, D + 365 * DAY), lower: D, upper: D + 365 * DAY });
    // max_concurrency 24 reads 8 slices at once: about 32 slices, not 4 x 24 = 96.
    expect(sliceWorkers(24)).toBe(8);
    expect(slices).toBeGreaterThanOrEqual(16);
    expect(slices).toBeLessThanOrEqual(4 * 8 + 4);
    // Full pages, at most one part-filled page per slice, the whole window's first page, and at
    // most one wasted probe per bucket (a probe that stays its slice's first page costs nothing more).
    expect(calls.requests).toBeLessThanOrEqual(Math.ceil(total / SEARCH_PER_PAGE) + slices + 1 + 16);
  });

  it(`a year of ${ONE_WALK_PAGES * SEARCH_PER_PAGE} records (a small first sync): one walk of exactly ceil(N / 150) pages`, async () => {
    const total = ONE_WALK_PAGES * SEARCH_PER_PAGE;
    const { calls } = await read({ records: spread(total, D, D + 365 * DAY), lower: D, upper: D + 365 * DAY });
    expect(calls.requests).toBe(Math.ceil(total / SEARCH_PER_PAGE));
  });

  it('a window of 40 records within an hour: one request', async () => {
    const { calls } = await read({ records: spread(40, D + 3600, D + 7200), lower: D + 3600, upper: D + 7200 });
    expect(calls.requests).toBe(1);
  });

  it('an empty window: one request', async () => {
    const { calls } = await read({ records: [], lower: D, upper: D + 3 * DAY });
    expect(calls.requests).toBe(1);
  });

  it('a busy week (too many records for one walk): day slices after one page of the whole window', async () => {
    const total = 2 * ONE_WALK_PAGES * SEARCH_PER_PAGE;
    const { calls } = await read({ records: spread(total, D, D + 7 * DAY), lower: D, upper: D + 7 * DAY });
    // Seven day slices of total / 7 records each.
    expect(calls.requests).toBe(1 + 7 * Math.ceil(total / 7 / SEARCH_PER_PAGE));
  });

  it('slice_days set: the fixed day slices as asked, without a first page of the whole window', async () => {
    const { calls } = await read({ records: spread(300, D, D + 6 * DAY), lower: D, upper: D + 6 * DAY, sliceDays: 2 });
    expect(calls.requests).toBe(3 * Math.ceil(100 / SEARCH_PER_PAGE));
  });
});

describe('readAhead', () => {
  it('asks for the next page while the current one is handled, and surfaces its failure only after', async () => {
    const asked: number[] = [];
    async function* pages(): AsyncGenerator<number> {
      asked.push(1);
      yield 1;
      asked.push(2);
      yield 2;
      asked.push(3);
      throw new Error('page 3 failed');
    }
    const handled: number[] = [];
    const failure = await (async () => {
      for await (const page of readAhead(pages())) {
        // The page ahead is already asked while this one is handled.
        await new Promise((r) => setTimeout(r, 1));
        expect(asked).toContain(page + 1);
        handled.push(page);
      }
    })().catch((err: Error) => err.message);
    expect(handled).toEqual([1, 2]);
    expect(failure).toBe('page 3 failed');
  });

  it('stops the source when the consumer stops', async () => {
    let finished = false;
    async function* pages(): AsyncGenerator<number> {
      try {
        for (let i = 0; i < 100; i++) yield i;
      } finally {
        finished = true;
      }
    }
    for await (const page of readAhead(pages())) if (page === 3) break;
    await new Promise((r) => setTimeout(r, 1));
    expect(finished).toBe(true);
  });
});
