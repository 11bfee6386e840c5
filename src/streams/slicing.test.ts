import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';
import { contactSliceQuery } from './contacts.js';
import { inclusiveSliceQuery } from './slicing.js';
import { DAY, planSlices, slicedSearch, sliceWorkers, type TimeSlice } from './slicing.js';
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

describe('slicedSearch on a first sync (probed density)', () => {
  // A year of records, evenly spread; the stub search answers like Intercom: total_count, pages of
  // at most per_page, a starting_after cursor.
  const lower = D;
  const upper = D + 365 * DAY;
  const total = 60_000;
  const records = Array.from({ length: total }, (_, i) => ({
    id: `c${i}`,
    updated_at: lower + Math.floor((i * (upper - lower)) / total),
  }));

  function stubClient() {
    const calls = { probes: 0, pages: 0 };
    const client = {
      async request(req: { json: { query: TimeSlice; pagination: { per_page: number; starting_after?: string } } }) {
        const { query, pagination } = req.json;
        const matching = records.filter((r) => r.updated_at >= query.start && (query.last || r.updated_at < query.end));
        if (pagination.per_page === 1) calls.probes++;
        else calls.pages++;
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

  it('reads every record once, in about four slices per worker, so few requests go to part-filled last pages', async () => {
    const { client, calls } = stubClient();
    const infos: string[] = [];
    const ctx: ReadContext = {
      client,
      config: {
        maxConcurrency: 24,
        settings: { lookback_window_minutes: 30 },
        startDate: lower,
      } as unknown as SourceConfig,
      logger: { debug() {}, info: (m: string) => void infos.push(m), warn() {}, error() {} },
      selected: new Set(['contacts']),
      state: undefined,
      syncStartedAt: upper,
    };
    const seen: string[] = [];
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
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const slices = Number(/in (\d+) time slices/.exec(infos.join('\n'))?.[1]);
    // max_concurrency 24 reads 8 slices at once: about 32 slices, not 4 x 24 = 96.
    expect(sliceWorkers(24)).toBe(8);
    expect(slices).toBeGreaterThanOrEqual(16);
    expect(slices).toBeLessThanOrEqual(4 * 8 + 4);
    // Every slice costs at most one part-filled page beyond the full ones.
    expect(calls.pages).toBeLessThanOrEqual(Math.ceil(total / 150) + slices);
    expect(calls.probes).toBe(16);
  });
});
