/**
 * The results tables: per scenario a row per figure and a column per run (plus ratio columns when
 * comparing), and one summary of every run against the targets.
 */
import { TARGETS, verdict, type Verdict } from './bounds.js';
import type { ConnectorRunResult } from './connector-run.js';
import { figures, phaseUse, streamRates, type RunFigures, type RunInfo } from './metrics.js';

export interface Column {
  run: ConnectorRunResult;
  title: string;
  info?: RunInfo;
}

export const num = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(0)}%`);
const times = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(2)}×`);

type Row = [label: string, cells: string[]];

export interface TableOptions {
  /** Ratio columns: [title, index of numerator column, index of denominator column]. */
  ratios?: [string, number, number][];
}

/** What one row reads from a run: a number (formatted, and usable in ratio columns) or a text. */
interface Figure {
  label: string;
  value?: (r: ConnectorRunResult, f: RunFigures, info: RunInfo) => number | undefined;
  text?: (r: ConnectorRunResult, f: RunFigures, info: RunInfo) => string;
  format?: (n: number | undefined) => string;
  /** Include in ratio columns. */
  ratio?: boolean;
}

function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b <= 0 ? undefined : a / b;
}

const FIGURES: Figure[] = [
  { label: 'wall time (s)', value: (r) => r.wallSec, format: (n) => num(n, 1), ratio: true },
  { label: 'records (all streams)', value: (r) => r.scan.totalRecords, format: (n) => num(n), ratio: true },
  { label: 'records/s (all streams, wall)', value: (_r, f) => f.recordsPerSec, format: (n) => num(n), ratio: true },
  { label: 'stdout MB', value: (r) => r.scan.bytes / 1e6, format: (n) => num(n, 1), ratio: true },
  { label: 'requests sent', value: (_r, f) => f.requests, format: (n) => num(n), ratio: true },
  { label: 'requests needed (bench estimate)', value: (_r, _f, i) => i.neededRequests, format: (n) => num(n) },
  { label: 'requests the budget allowed', value: (_r, f) => f.allowed, format: (n) => num(n) },
  { label: 'sent / allowed', value: (_r, f) => (f.allowed ? f.requests / f.allowed : undefined), format: pct },
  { label: 'budget bound (s) = (sent − 429s) / rate', value: (_r, f) => f.lowerBoundSec, format: (n) => num(n, 1) },
  { label: 'latency chain bound (s), mean latency', value: (_r, f) => f.latencyBoundSec, format: (n) => num(n, 2) },
  {
    label: '  with the latency the fake drew (s)',
    value: (_r, f) => f.drawnLatencyBoundSec,
    format: (n) => num(n, 2),
  },
  {
    label: '  set by',
    text: (_r, _f, i) => (i.latency ? `${i.latency.rounds} rounds: ${i.latency.longest}` : '—'),
  },
  { label: 'wall / max(bounds)', value: (r, f) => ratioOf(r.wallSec, f.boundSec), format: times },
  { label: '  the bound that binds', text: (_r, f) => (!f.boundSec ? '—' : f.budgetBinds ? 'budget' : 'latency') },
  { label: '429s received', value: (_r, f) => f.rateLimited, format: (n) => num(n) },
  { label: 'budget use while work remained', value: (_r, f) => f.budgetUse?.use, format: pct },
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
  { label: 'CPU per record (µs)', value: (_r, _f, i) => i.floor?.vs?.cpuPerRecordUs, format: (n) => num(n, 1) },
  { label: '  floor per record (µs)', value: (_r, _f, i) => i.floor?.vs?.floorPerRecordUs, format: (n) => num(n, 1) },
  { label: '  CPU / floor', value: (_r, _f, i) => i.floor?.vs?.ratio, format: times },
  { label: '  (CPU − startup) / floor', value: (_r, _f, i) => i.floor?.vs?.netRatio, format: times },
];

/** Right-aligned columns under a header, the first column left-aligned. */
export function grid(header: string[], rows: Row[]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(([label, cells]) => (i === 0 ? label.length : (cells[i - 1] ?? '').length))),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const [label, cells] of rows) out.push(line([label, ...header.slice(1).map((_, i) => cells[i] ?? '')]));
  return out.join('\n');
}

function ratioCells(opts: TableOptions, values: (number | undefined)[], use: boolean): string[] {
  return (opts.ratios ?? []).map(([, a, b]) => {
    const x = values[a];
    const y = values[b];
    return use && x !== undefined && y !== undefined && y !== 0 ? `${(x / y).toFixed(2)}×` : '';
  });
}

function figureRow(m: Figure, columns: Column[], figs: RunFigures[], opts: TableOptions): Row {
  if (m.text) return [m.label, columns.map((c, i) => m.text!(c.run, figs[i]!, c.info ?? {}))];
  const values = columns.map((c, i) => m.value?.(c.run, figs[i]!, c.info ?? {}));
  const format = m.format ?? ((n: number | undefined) => num(n));
  return [m.label, [...values.map((v) => format(v)), ...ratioCells(opts, values, m.ratio ?? false)]];
}

function streamRows(columns: Column[], opts: TableOptions): Row[] {
  const streams = new Set<string>();
  for (const c of columns) for (const s of c.run.scan.streams.keys()) streams.add(s);
  const rates = columns.map((c) => streamRates(c.run));
  const rows: Row[] = [["records/s per stream (records, over its reader's run)", []]];
  for (const s of [...streams].sort()) {
    const values = rates.map((r) => r.get(s)?.perSec);
    const cells = rates.map((r) => {
      const x = r.get(s);
      return !x || x.records === 0 ? '0' : `${num(x.perSec)} (${num(x.records)})`;
    });
    rows.push([`  ${s}`, [...cells, ...ratioCells(opts, values, true)]]);
  }
  return rows;
}

export function renderTable(columns: Column[], opts: TableOptions = {}): string {
  const figs = columns.map((c) => figures(c.run, c.info));
  const exit = columns.map((c) => (c.run.timedOut ? 'TIMEOUT' : c.run.signal ? c.run.signal : String(c.run.exitCode)));
  const rows: Row[] = [
    ['scale', columns.map((c) => (c.info?.scale === undefined ? '—' : String(c.info.scale)))],
    ['exit', exit],
    ...FIGURES.map((m) => figureRow(m, columns, figs, opts)),
    ...streamRows(columns, opts),
  ];
  return grid(['', ...columns.map((c) => c.title), ...(opts.ratios ?? []).map(([t]) => t)], rows);
}

/** A run that did not finish: its figures cannot meet a target. */
function failed(run: ConnectorRunResult): boolean {
  return run.timedOut || run.exitCode !== 0;
}

/** A figure and its verdict in one cell, e.g. "1.07× met"; "—" when the target does not apply. */
function judged(text: string, v: Verdict): string {
  return v === '—' ? text : `${text} ${v}`;
}

/** One summary row per target: the figure of every run and whether it meets the target. */
function summaryRows(columns: Column[]): Row[] {
  const figs = columns.map((c) => figures(c.run, c.info));
  const each = (cell: (c: Column, f: RunFigures) => string): string[] => columns.map((c, i) => cell(c, figs[i]!));
  return [
    ['scale', each((c) => (c.info?.scale === undefined ? '—' : String(c.info.scale)))],
    ['exit', each((c) => (c.run.timedOut ? 'TIMEOUT' : String(c.run.exitCode ?? c.run.signal)))],
    ['wall time (s)', each((c) => num(c.run.wallSec, 1))],
    ['requests sent / needed', each((c, f) => `${num(f.requests)} / ${num(c.info?.neededRequests)}`)],
    ['budget bound (s)', each((_c, f) => num(f.lowerBoundSec, 1))],
    ['latency chain bound (s), mean latency', each((_c, f) => num(f.latencyBoundSec, 2))],
    ['  with the latency the fake drew (s)', each((_c, f) => num(f.drawnLatencyBoundSec, 2))],
    [
      `wall / max(bounds) ≤ ${TARGETS.boundRatio}×`,
      each((c, f) => {
        const r = ratioOf(c.run.wallSec, f.boundSec);
        if (failed(c.run)) return `${times(r)} RUN FAILED`;
        return judged(times(r), verdict(r, TARGETS.boundRatio));
      }),
    ],
    [
      `budget use ≥ ${pct(TARGETS.budgetUse)} where the budget binds`,
      each((_c, f) => {
        const use = f.budgetUse?.use;
        if (use === undefined) return '—';
        return f.budgetBinds ? judged(pct(use), verdict(use, TARGETS.budgetUse, true)) : `${pct(use)} (latency binds)`;
      }),
    ],
    ['429s', each((_c, f) => num(f.rateLimited))],
    [
      `CPU / floor ≤ ${TARGETS.cpuFloorRatio}× (net of startup)`,
      each((c) => {
        const vs = c.info?.floor?.vs;
        return vs
          ? judged(`${times(vs.netRatio)} (raw ${times(vs.ratio)})`, verdict(vs.netRatio, TARGETS.cpuFloorRatio))
          : '—';
      }),
    ],
    [
      `peak RSS < ${TARGETS.peakRssMb} MB`,
      each((c) => judged(num(c.run.peakRssKb / 1024), verdict(c.run.peakRssKb / 1024, TARGETS.peakRssMb - 1e-9))),
    ],
  ];
}

/** Every run side by side against the targets; a failed run is said so, never left out. */
export function renderSummary(columns: Column[]): string {
  return grid(['', ...columns.map((c) => c.title)], summaryRows(columns));
}

/** Per reader phase (streams read in one pass): duration, records, peak RSS and budget use. */
export function renderPhases(run: ConnectorRunResult): string {
  const budgeted = run.budgetPer10s > 0;
  const lines = [
    `Reader phases of ${run.label} (by start; readers run side by side, so phases overlap; RSS = max VmRSS sampled in the phase${budgeted ? '; budget use = all requests in the full 10 s windows inside the phase' : ''}):`,
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
