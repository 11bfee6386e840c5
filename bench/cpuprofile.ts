/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self and total time per function, and self time
 * per area (connector source, each npm package, node internals, GC). Also a CLI:
 *   node dist/bench/cpuprofile.js <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  where: string;
  area: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: FunctionTime[];
  areas: { area: string; selfMs: number }[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  let path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) path = path.slice(dist + 1);
  return path;
}

function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program (V8/native, unattributed)';
    return `native ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `npm ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const m = /\/dist\/(src\/[^/]+|bench|test)\//.exec(url);
  return m ? `connector ${m[1]}` : url;
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (f: CallFrame): string => `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`;
  const fns = new Map<string, FunctionTime>();
  const fnOf = (node: ProfileNode): FunctionTime => {
    const key = keyOf(node.callFrame);
    let fn = fns.get(key);
    if (!fn) {
      const f = node.callFrame;
      fn = {
        name: f.functionName || '(anonymous)',
        where: f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '',
        area: areaOf(f),
        selfMs: 0,
        totalMs: 0,
      };
      fns.set(key, fn);
    }
    return fn;
  };
  const areas = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (ms <= 0) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    totalMs += ms;
    const self = fnOf(node);
    self.selfMs += ms;
    areas.set(self.area, (areas.get(self.area) ?? 0) + ms);
    if (self.area === 'idle') idleMs += ms;
    // Total (inclusive) time: every distinct function on the stack, recursion counted once.
    const seen = new Set<FunctionTime>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const fn = fnOf(byId.get(id)!);
      if (seen.has(fn)) continue;
      seen.add(fn);
      fn.totalMs += ms;
    }
  }
  return {
    totalMs,
    idleMs,
    functions: [...fns.values()].filter((f) => f.name !== '(root)').sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function formatProfile(summary: ProfileSummary, top = 25): string {
  const busy = summary.totalMs - summary.idleMs;
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const lines: string[] = [];
  lines.push(
    `CPU profile: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (percentages are of busy time)`,
  );
  lines.push('Self time by area:');
  for (const a of summary.areas.filter((x) => x.area !== 'idle').slice(0, 12))
    lines.push(`  ${pct(a.selfMs)} ${(a.selfMs / 1000).toFixed(2).padStart(7)} s  ${a.area}`);
  lines.push(`Top ${top} functions by self time (total = inclusive):`);
  lines.push(`  ${'self'.padStart(6)} ${'total'.padStart(6)}  function  (file:line)`);
  for (const f of summary.functions.filter((x) => x.area !== 'idle').slice(0, top)) {
    lines.push(`  ${pct(f.selfMs)} ${pct(f.totalMs)}  ${f.name}  ${f.where ? `(${f.where})` : ''}`);
  }
  const own = summary.functions.filter((f) => f.area.startsWith('connector src')).sort((a, b) => b.totalMs - a.totalMs);
  lines.push(`Connector functions by total (inclusive) time:`);
  for (const f of own.slice(0, 15))
    lines.push(`  ${pct(f.totalMs)} total ${pct(f.selfMs)} self  ${f.name}  (${f.where})`);
  return lines.join('\n');
}

export function summarizeFile(path: string): ProfileSummary {
  return summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpuprofile.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(formatProfile(summarizeFile(file), Number(process.argv[3] ?? 25)) + '\n');
}
