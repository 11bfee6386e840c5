import { describe, expect, it } from 'vitest';
import type { ConnectorRunResult } from './connector-run.js';
import type { RunInfo } from './metrics.js';
import { grid, renderSummary, renderTable, type Column } from './table.js';

const T0 = 1_700_000_000_000;

/** A finished run of `wallSec` that sent `requests` under `budget` per 10 s, in full windows. */
function run(over: Partial<ConnectorRunResult> & { requests: number; budget: number }): ConnectorRunResult {
  const { requests, budget, ...rest } = over;
  const wallSec = rest.wallSec ?? 20;
  const windows = [
    { start: T0 / 1000, count: Math.floor(requests / 2) },
    { start: T0 / 1000 + 10, count: Math.ceil(requests / 2) },
  ];
  return {
    label: 'run',
    exitCode: 0,
    signal: null,
    timedOut: false,
    wallSec,
    startedAtMs: T0,
    scan: {
      streams: new Map([['contacts', { records: 1000 }]]),
      totalRecords: 1000,
      bytes: 1e6,
      lines: 1000,
      states: new Map(),
      errors: [],
      warnings: 0,
      rateLimitedTraces: 0,
      unparsable: 0,
    },
    peakRssKb: 100 * 1024,
    peakRssSource: 'test',
    cpuSec: 2,
    cpuSource: 'test',
    fakeStats: {
      totalRequests: requests,
      rateLimited: 0,
      windows,
      byRoute: {},
      latencyMsByRoute: {},
    } as unknown as ConnectorRunResult['fakeStats'],
    windows,
    budgetPer10s: budget,
    stderrTail: '',
    rssTimeline: [],
    ...rest,
  };
}

const latencyInfo = (seconds: number): RunInfo => ({
  scale: 0.1,
  neededRequests: 3000,
  latency: { rounds: seconds * 10, seconds, longest: 'contacts search' },
});

function cellsOf(table: string, label: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(label));
  if (!line) throw new Error(`no row ${label}`);
  return line
    .split(' | ')
    .slice(1)
    .map((c) => c.trim());
}

describe('renderSummary', () => {
  it('marks the bound ratio and budget use met when the run is near the budget bound', () => {
    // 3,200 requests at 166.6/s = 19.2 s of budget; 20 s wall = 1.04×; 3,200 of 3,332 allowed = 96 %.
    const c: Column = { run: run({ requests: 3200, budget: 1666 }), title: 'S1', info: latencyInfo(1) };
    const table = renderSummary([c]);
    expect(cellsOf(table, 'wall / max(bounds)')).toEqual(['1.04× met']);
    expect(cellsOf(table, 'budget use ≥ 95%')).toEqual(['96% met']);
    expect(cellsOf(table, 'peak RSS < 250 MB')).toEqual(['100 met']);
  });

  it('never hides a miss: a slow run is NOT MET, and where latency binds budget use is not judged', () => {
    // 500 requests = 3 s of budget, latency bound 8 s: latency binds; 20 s wall = 2.50×.
    const c: Column = { run: run({ requests: 500, budget: 1666 }), title: 'S3 incr.', info: latencyInfo(8) };
    const table = renderSummary([c]);
    expect(cellsOf(table, 'wall / max(bounds)')).toEqual(['2.50× NOT MET']);
    expect(cellsOf(table, 'budget use ≥ 95%')).toEqual(['15% (latency binds)']);
  });

  it('judges a latency-bound run against the latency its chain drew, and prints both chain bounds', () => {
    // 21 scroll pages: 2.1 s at the mean latency, but this run's pages waited 2,450 ms in all.
    const r = run({ requests: 300, budget: 1666, wallSec: 2.7 });
    r.fakeStats.byRoute = { 'GET /companies/scroll': 21, 'GET /events': 200 };
    r.fakeStats.latencyMsByRoute = { 'GET /companies/scroll': 2_450, 'GET /events': 20_000 };
    const info: RunInfo = {
      latency: { rounds: 21, seconds: 2.1, longest: 'companies scroll', route: 'GET /companies/scroll' },
    };
    const table = renderSummary([{ run: r, title: 'S3 incr.', info }]);
    expect(cellsOf(table, 'latency chain bound (s), mean latency')).toEqual(['2.10']);
    expect(cellsOf(table, '  with the latency the fake drew (s)')).toEqual(['2.45']);
    expect(cellsOf(table, 'wall / max(bounds)')).toEqual(['1.10× met']);
  });

  it('says a failed run failed instead of judging its time', () => {
    const c: Column = { run: run({ requests: 3200, budget: 1666, exitCode: 1 }), title: 'S1', info: latencyInfo(1) };
    expect(cellsOf(renderSummary([c]), 'wall / max(bounds)')).toEqual(['1.04× RUN FAILED']);
  });

  it('judges CPU per record against the floor net of startup, and RSS over 250 MB', () => {
    const info: RunInfo = {
      floor: {
        stream: 'contacts',
        startupCpuSec: 0.5,
        timing: { parseSec: 0.3, stringifySec: 0.2, bodies: 10, bodyBytes: 1, records: 1000, reps: 5 },
        vs: { cpuPerRecordUs: 2000, netCpuPerRecordUs: 1500, floorPerRecordUs: 500, ratio: 4, netRatio: 3 },
      },
    };
    const c: Column = { run: run({ requests: 10, budget: 0, peakRssKb: 300 * 1024 }), title: 'S4 contacts', info };
    const table = renderSummary([c]);
    expect(cellsOf(table, 'CPU / floor')).toEqual(['3.00× (raw 4.00×) NOT MET']);
    expect(cellsOf(table, 'peak RSS < 250 MB')).toEqual(['300 NOT MET']);
    expect(cellsOf(table, 'wall / max(bounds)')).toEqual(['—']);
  });
});

describe('renderTable', () => {
  it('prints both bounds, what sets the latency bound, and the needed requests side by side', () => {
    const a: Column = { run: run({ requests: 3200, budget: 1666 }), title: 'A', info: latencyInfo(1) };
    const b: Column = { run: run({ requests: 500, budget: 1666 }), title: 'B', info: latencyInfo(8) };
    const table = renderTable([a, b]);
    expect(cellsOf(table, 'budget bound (s)')).toEqual(['19.2', '3.0']);
    expect(cellsOf(table, 'latency chain bound (s), mean latency')).toEqual(['1.00', '8.00']);
    // The fake reported no latency drawn: the mean is the bound.
    expect(cellsOf(table, '  with the latency the fake drew (s)')).toEqual(['—', '—']);
    expect(cellsOf(table, '  set by')).toEqual(['10 rounds: contacts search', '80 rounds: contacts search']);
    expect(cellsOf(table, '  the bound that binds')).toEqual(['budget', 'latency']);
    expect(cellsOf(table, 'requests needed')).toEqual(['3,000', '3,000']);
  });
});

describe('grid', () => {
  it('pads every column to its widest cell', () => {
    expect(
      grid(
        ['', 'x'],
        [
          ['a', ['1']],
          ['bb', ['100']],
        ],
      ).split('\n'),
    ).toEqual(['   |   x', '---|----', 'a  |   1', 'bb | 100']);
  });
});
