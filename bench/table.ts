/** The one results table: a row per figure, a column per run (plus ratio columns when comparing). */
import type { ConnectorRunResult } from './connector-run.js';
import { figures, phaseUse, streamRates, type RunFigures } from './metrics.js';

export interface Column {
  run: ConnectorRunResult;
  title: string;
}

export const num = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(0)}%`);

type Row = [label: string, cells: string[]];

export interface TableOptions {
  /** Ratio columns: [title, index of numerator column, index of denominator column]. */
  ratios?: [string, number, number][];
}

interface Numeric {
  label: string;
  value: (r: ConnectorRunResult, f: RunFigures) => number | undefined;
  format: (n: number | undefined) => string;
  /** Include in ratio columns. */
  ratio?: boolean;
}

const NUMERIC: Numeric[] = [
  { label: 'wall time (s)', value: (r) => r.wallSec, format: (n) => num(n, 1), ratio: true },
  { label: 'records (all streams)', value: (r) => r.scan.totalRecords, format: (n) => num(n), ratio: true },
  { label: 'records/s (all streams, wall)', value: (_r, f) => f.recordsPerSec, format: (n) => num(n), ratio: true },
  { label: 'stdout MB', value: (r) => r.scan.bytes / 1e6, format: (n) => num(n, 1), ratio: true },
  { label: 'requests sent', value: (_r, f) => f.requests, format: (n) => num(n), ratio: true },
  { label: 'requests the budget allowed', value: (_r, f) => f.allowed, format: (n) => num(n) },
  { label: 'sent / allowed', value: (_r, f) => (f.allowed ? f.requests / f.allowed : undefined), format: pct },
  { label: 'lower bound (s) = needed / budget', value: (_r, f) => f.lowerBoundSec, format: (n) => num(n, 1) },
  {
    label: 'wall / lower bound',
    value: (r, f) => (f.lowerBoundSec ? r.wallSec / f.lowerBoundSec : undefined),
    format: (n) => (n === undefined ? '—' : `${n.toFixed(2)}×`),
  },
  { label: '429s received', value: (_r, f) => f.rateLimited, format: (n) => num(n), ratio: false },
  { label: 'budget use while work remained', value: (_r, f) => f.use?.mean, format: pct },
  { label: '  windows ≥ 90% / full windows', value: (_r, f) => f.use?.atLeast90, format: pct },
  { label: 'peak RSS (MB)', value: (r) => r.peakRssKb / 1024, format: (n) => num(n, 0), ratio: true },
  { label: 'CPU (s, user+sys)', value: (r) => r.cpuSec, format: (n) => num(n, 1), ratio: true },
  { label: 'CPU / wall', value: (_r, f) => f.cpuShare, format: pct },
  {
    label: 'records per CPU-second',
    value: (r) => (r.cpuSec > 0 ? r.scan.totalRecords / r.cpuSec : undefined),
    format: (n) => num(n),
    ratio: true,
  },
  {
    label: 'fake server CPU / wall',
    value: (r) => (r.fakeCpuSec === undefined ? undefined : r.fakeCpuSec / r.wallSec),
    format: pct,
  },
  { label: 'max requests in flight (fake)', value: (r) => r.fakeStats.maxInFlight, format: (n) => num(n) },
];

export function renderTable(columns: Column[], opts: TableOptions = {}): string {
  const figs = columns.map((c) => figures(c.run));
  const rows: Row[] = [];
  const ratioCells = (values: (number | undefined)[], use: boolean): string[] =>
    (opts.ratios ?? []).map(([, a, b]) => {
      const x = values[a];
      const y = values[b];
      return use && x !== undefined && y !== undefined && y !== 0 ? `${(x / y).toFixed(2)}×` : '';
    });

  rows.push([
    'exit',
    [
      ...columns.map((c) => (c.run.timedOut ? 'TIMEOUT' : c.run.signal ? c.run.signal : String(c.run.exitCode))),
      ...(opts.ratios ?? []).map(() => ''),
    ],
  ]);
  for (const m of NUMERIC) {
    const values = columns.map((c, i) => m.value(c.run, figs[i]!));
    rows.push([m.label, [...values.map((v) => m.format(v)), ...ratioCells(values, m.ratio ?? false)]]);
  }
  const streams = new Set<string>();
  for (const c of columns) for (const s of c.run.scan.streams.keys()) streams.add(s);
  const rates = columns.map((c) => streamRates(c.run));
  rows.push(["records/s per stream (records, over its reader's run)", []]);
  for (const s of [...streams].sort()) {
    const values = rates.map((r) => r.get(s)?.perSec);
    const cells = rates.map((r) => {
      const x = r.get(s);
      if (!x || x.records === 0) return '0';
      return `${num(x.perSec)} (${num(x.records)})`;
    });
    rows.push([`  ${s}`, [...cells, ...ratioCells(values, true)]]);
  }

  const header = ['', ...columns.map((c) => c.title), ...(opts.ratios ?? []).map(([t]) => t)];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(([label, cells]) => (i === 0 ? label.length : (cells[i - 1] ?? '').length))),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const [label, cells] of rows) out.push(line([label, ...header.slice(1).map((_, i) => cells[i] ?? '')]));
  return out.join('\n');
}

/** Per reader phase (streams read in one pass): duration, records, peak RSS and budget use. */
export function renderPhases(run: ConnectorRunResult): string {
  const budgeted = run.budgetPer10s > 0;
  const lines = [
    `Reader phases of ${run.label} (in sync order; companies runs alongside the readers after it; RSS = max VmRSS sampled in the phase${budgeted ? '; budget use = all requests in the full 10 s windows inside the phase' : ''}):`,
  ];
  for (const p of phaseUse(run)) {
    const name = p.streams.length > 2 ? `${p.streams[0]} (+${p.streams.length - 1})` : p.streams.join(', ');
    const use = budgeted
      ? `  budget use ${p.use ? `${(100 * p.use.mean).toFixed(0)}% (${p.use.windows} windows)` : '— (< 1 full window)'}`
      : '';
    lines.push(
      `  ${name.padEnd(30)} ${num(p.seconds, 1).padStart(8)} s ${num(p.records).padStart(10)} records ${num(p.seconds > 0 ? p.records / p.seconds : undefined).padStart(8)}/s  RSS ${num(p.maxRssKb === undefined ? undefined : p.maxRssKb / 1024).padStart(5)} MB${use}`,
    );
  }
  return lines.join('\n');
}
