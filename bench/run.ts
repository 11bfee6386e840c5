/**
 * `npm run bench [-- options]`: the throughput benchmark. Runs the BUILT connector as a process
 * against the fake Intercom in another process and prints a table per scenario, then every run
 * against the targets (both lower bounds, budget use, CPU per record / floor, peak RSS). See
 * bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConnector, type ConnectorRunResult } from './connector-run.js';
import { formatProfile, summarizeFile } from './cpuprofile.js';
import { FakeServer } from './fake-server.js';
import { latencyBound, WINDOW_MS, workspaceWalks } from './bounds.js';
import { cpuVersusFloor } from './floor.js';
import { measureFloor, startRecordingProxy } from './floor-runs.js';
import { figures, type RunInfo } from './metrics.js';
import { parseOptions, scaleFor, USAGE, type Options } from './options.js';
import { canPin, cpuCount, isStopping } from './processes.js';
import { estimateRequests, estimateSeconds, scenario, type Scenario } from './scenarios.js';
import { num, renderPhases, renderSummary, renderTable, type Column } from './table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A configured catalog of catalog.sample.json's streams (all, or the `only` ones), incremental
 * where the stream supports it, written to its own file per selection.
 */
function configuredCatalog(workDir: string, only?: string[]): { path: string; streams: Set<string> } {
  const sample = JSON.parse(readFileSync(join(root, 'catalog.sample.json'), 'utf8')) as {
    streams: { stream: { name: string; supported_sync_modes?: string[] }; sync_mode?: string }[];
  };
  const unknown = (only ?? []).filter((name) => !sample.streams.some((s) => s.stream.name === name));
  if (unknown.length)
    throw new Error(
      `--streams: ${unknown.join(', ')} not in catalog.sample.json (streams: ${sample.streams.map((s) => s.stream.name).join(', ')})`,
    );
  const streams = sample.streams
    .filter((s) => !only || only.includes(s.stream.name))
    .map((s) => ({
      ...s,
      sync_mode: s.stream.supported_sync_modes?.includes('incremental') ? 'incremental' : 'full_refresh',
    }));
  const path = join(workDir, `configured_catalog${only ? `-${only.join('+')}` : ''}.json`);
  writeFileSync(path, JSON.stringify({ streams }));
  return { path, streams: new Set(streams.map((s) => s.stream.name)) };
}

function machine(): string {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = git(['status', '--porcelain']).split('\n').filter(Boolean).length;
  return `machine: ${cpuCount()} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, ${new Date().toISOString()}, git ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ` + ${dirty} uncommitted paths` : ''}`;
}

interface Context {
  opts: Options;
  workDir: string;
  results: { scenario: number; title: string; run: ConnectorRunResult; info: RunInfo }[];
  /** CPU of a read of one small list (admins): node, module loading, config and catalog checks. */
  startupCpuSec?: number;
}

/** The connector's own default (schemas/config/source.json), stated so the printed config is complete. */
const DEFAULT_CONCURRENCY = 24;

/** A scenario as it runs: its scale, catalog, concurrency and time limit. */
interface Plan {
  s: Scenario;
  scale: number;
  catalogPath: string;
  streams: Set<string>;
  concurrency: number;
  timeoutMs: number;
  extra: Record<string, unknown>;
}

function baseConfig(ctx: Context, fake: FakeServer, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    access_token: ctx.opts.token,
    base_url: fake.url,
    max_concurrency: DEFAULT_CONCURRENCY,
    ...ctx.opts.overrides,
    ...extra,
  };
}

/** What the bench knows about a run of `streams` before it starts: needed requests and the latency bound. */
function runInfo(plan: Plan, streams: Set<string>, incremental: boolean): RunInfo {
  const { s } = plan;
  return {
    scale: plan.scale,
    neededRequests: estimateRequests(s.size, streams, incremental).requests,
    latency: latencyBound(workspaceWalks(s.size, streams, incremental), plan.concurrency, s.latencyMs),
  };
}

function planScenario(id: number, ctx: Context, scale: number, extra: Record<string, unknown>): Plan {
  const s = scenario(id, scale);
  const { path, streams } = configuredCatalog(ctx.workDir, ctx.opts.streams ?? s.streams);
  const config = { max_concurrency: DEFAULT_CONCURRENCY, ...ctx.opts.overrides, ...extra };
  const concurrency = typeof config.max_concurrency === 'number' ? config.max_concurrency : DEFAULT_CONCURRENCY;
  const est = estimateRequests(s.size, streams);
  const secs = estimateSeconds(est.requests, s, concurrency);
  const bound = Math.max(secs.budgetSec ?? 0, secs.latencySec, est.requests / 500);
  const timeoutSec = ctx.opts.timeoutSec ?? Math.max(900, 4 * bound + 300);
  const plan = { s, scale, catalogPath: path, streams, concurrency, timeoutMs: timeoutSec * 1000, extra };
  describe(plan, ctx, config);
  return plan;
}

function boundsLine(plan: Plan, incremental: boolean): string {
  const info = runInfo(plan, plan.streams, incremental);
  const rate = plan.s.ratePer10s / 10;
  return (
    `≈ ${num(info.neededRequests)} requests needed` +
    (rate > 0 ? `, budget bound ≥ ${num(info.neededRequests! / rate, 1)} s` : '') +
    `, latency chain bound ${num(info.latency!.seconds, 2)} s (${info.latency!.rounds} rounds: ${info.latency!.longest})`
  );
}

function describe(plan: Plan, ctx: Context, config: Record<string, unknown>): void {
  const { s } = plan;
  const z = s.size;
  const est = estimateRequests(z, plan.streams);
  process.stderr.write(
    `\n== Scenario ${s.id}: ${s.title} (scale ${plan.scale})\n` +
      `   workspace: ${num(z.contacts)} contacts, ${num(z.companies)} companies, ${num(z.conversations)} conversations (~10 parts each), ${num(z.tickets)} tickets (+ fake defaults: ~1 note and 3 events per contact, 300 activity logs)\n` +
      `   server: latency ${s.latencyMs} ms ± ${s.jitterMs} ms, budget ${s.ratePer10s ? `${num(s.ratePer10s)} requests per 10 s window (${num(s.ratePer10s * 6)}/min)` : 'none'}\n` +
      `   connector: ${JSON.stringify(config)}, ${plan.streams.size} streams: ${[...plan.streams].join(', ')}${s.cpuBound ? (ctx.opts.pin && canPin ? '; pinned to CPU 0 (taskset -c 0), fake on CPU 1' : '; NOT pinned (taskset unavailable or --no-pin)') : ''}\n` +
      `   needed: ${est.parts.join(', ')}\n` +
      `   ${s.incremental ? 'full sync: ' : ''}${boundsLine(plan, false)}\n` +
      (s.incremental ? `   incremental sync: ${boundsLine(plan, true)}\n` : ''),
  );
}

async function withFake<T>(s: Scenario, ctx: Context, body: (fake: FakeServer) => Promise<T>): Promise<T> {
  const twoCpus = cpuCount() >= 2;
  const fake = await FakeServer.start({
    root,
    seed: ctx.opts.seed,
    token: ctx.opts.token,
    latencyMs: s.latencyMs,
    jitterMs: s.jitterMs,
    ratePer10s: s.ratePer10s,
    size: { ...s.size },
    cpu: s.cpuBound && ctx.opts.pin && twoCpus ? 1 : undefined,
    // CPU-bound runs measure the connector: the fake serves pre-serialized records so that it is not the limit.
    prerender: s.cpuBound,
  });
  process.stderr.write(
    `   fake Intercom at ${fake.url} (pid ${fake.pid}, generated in ${(fake.startupMs / 1000).toFixed(1)} s)\n`,
  );
  try {
    return await body(fake);
  } finally {
    await fake.stop();
  }
}

interface RunMore {
  state?: unknown[];
  readerBytesPerSec?: number;
  /** Another catalog than the plan's (a sub-run of one stream). */
  catalogPath?: string;
  stdoutFile?: string;
  extra?: Record<string, unknown>;
}

function reportRun(label: string, run: ConnectorRunResult): void {
  const f = figures(run);
  process.stderr.write(
    `   ${label}: exit ${run.timedOut ? 'TIMEOUT' : (run.exitCode ?? run.signal)}, ${run.wallSec.toFixed(1)} s, ${num(run.scan.totalRecords)} records, ${num(f.requests)} requests, ${f.rateLimited} × 429, peak RSS ${num(run.peakRssKb / 1024)} MB\n`,
  );
  if (run.exitCode !== 0) {
    for (const e of run.scan.errors.slice(0, 5)) process.stderr.write(`     error: ${e.slice(0, 400)}\n`);
    if (run.stderrTail.trim()) process.stderr.write(`     stderr: ${run.stderrTail.trim().slice(-1500)}\n`);
  }
  if (run.cpuProfile) {
    process.stderr.write(`   CPU profile: ${run.cpuProfile}\n`);
    process.stdout.write(`\n${label} — ${formatProfile(summarizeFile(run.cpuProfile))}\n`);
  }
}

async function oneRun(
  plan: Plan,
  ctx: Context,
  fake: FakeServer,
  label: string,
  info: RunInfo,
  more: RunMore = {},
): Promise<ConnectorRunResult> {
  process.stderr.write(`   running ${label} …\n`);
  const run = await runConnector({
    label,
    root,
    workDir: ctx.workDir,
    fake,
    config: baseConfig(ctx, fake, { ...plan.extra, ...more.extra }),
    catalogPath: more.catalogPath ?? plan.catalogPath,
    state: more.state,
    cpu: plan.s.cpuBound && ctx.opts.pin ? 0 : undefined,
    readerBytesPerSec: more.readerBytesPerSec,
    cpuProfileDir: ctx.opts.profile ? join(ctx.workDir, 'profiles') : undefined,
    timeoutMs: plan.timeoutMs,
    connectorPath: ctx.opts.connector,
    budgetPer10s: plan.s.ratePer10s,
    stdoutFile: more.stdoutFile,
  });
  reportRun(label, run);
  ctx.results.push({ scenario: plan.s.id, title: label, run, info });
  return run;
}

/** Scenario 3's second run: 1 % of contacts, companies, conversations and tickets changed. */
async function mutateOnePercent(s: Scenario, fake: FakeServer): Promise<string> {
  const done: string[] = [];
  for (const stream of ['contacts', 'companies', 'conversations', 'tickets'] as const) {
    const update = Math.max(1, Math.round(s.size[stream] * 0.01));
    const result = await fake.mutate({ stream, update });
    done.push(`${stream} ${result.updated.length}`);
  }
  return done.join(', ');
}

/** Scenario 3: a full sync, 1 % changed, then an incremental sync from the full sync's STATE. */
async function fullThenIncremental(plan: Plan, ctx: Context, fake: FakeServer, columns: Column[]): Promise<void> {
  const title = `S3 @${plan.scale}`;
  const fullInfo = runInfo(plan, plan.streams, false);
  const full = await oneRun(plan, ctx, fake, `${title} full`, fullInfo);
  columns.push({ run: full, title: `${title} full`, info: fullInfo });
  const state = [...full.scan.states.values()];
  if (full.exitCode !== 0 || state.length === 0) {
    process.stderr.write('   the full run failed or emitted no STATE; skipping the incremental run\n');
    return;
  }
  // The state's cursor is the first run's start; wait so every change is strictly after it.
  await new Promise((r) => setTimeout(r, 1100));
  process.stderr.write(`   changed 1%: ${await mutateOnePercent(plan.s, fake)}\n`);
  // An incremental sync runs minutes after the last one, in a rate window of its own: here the full
  // sync has just spent the current 10 s window (the fake's windows end at multiples of 10 s).
  const freshWindowInMs = WINDOW_MS - (Date.now() % WINDOW_MS) + 50;
  process.stderr.write(
    `   waiting ${(freshWindowInMs / 1000).toFixed(1)} s for a fresh rate window; incremental run with ${state.length} stream states\n`,
  );
  await new Promise((r) => setTimeout(r, freshWindowInMs));
  const incrInfo = runInfo(plan, plan.streams, true);
  const incremental = await oneRun(plan, ctx, fake, `${title} incr`, incrInfo, { state });
  columns.push({ run: incremental, title: `${title} incr.`, info: incrInfo });
}

/** The streams whose CPU per record scenario 4 measures against the floor, each in a run of its own. */
const FLOOR_STREAMS = ['contacts', 'conversation_parts'];

/** CPU of a read of admins alone (one request): what every run costs before its first record. */
async function startupCpu(plan: Plan, ctx: Context, fake: FakeServer): Promise<number> {
  if (ctx.startupCpuSec !== undefined) return ctx.startupCpuSec;
  const run = await runConnector({
    label: 'startup (admins alone)',
    root,
    workDir: ctx.workDir,
    fake,
    config: baseConfig(ctx, fake, plan.extra),
    catalogPath: configuredCatalog(ctx.workDir, ['admins']).path,
    cpu: ctx.opts.pin ? 0 : undefined,
    timeoutMs: 120_000,
    connectorPath: ctx.opts.connector,
    budgetPer10s: 0,
  });
  ctx.startupCpuSec = run.cpuSec;
  process.stderr.write(`   startup CPU (a read of admins alone): ${run.cpuSec.toFixed(2)} s\n`);
  return run.cpuSec;
}

/**
 * One stream read alone through a recording proxy, then the floor timed on the bodies the proxy
 * passed on and the records the connector wrote (bench/README.md, "CPU per record").
 */
async function floorSubRun(plan: Plan, ctx: Context, fake: FakeServer, stream: string): Promise<Column> {
  const catalog = configuredCatalog(ctx.workDir, [stream]);
  const files = { bodies: join(ctx.workDir, `bodies-${stream}.bin`), stdout: join(ctx.workDir, `stdout-${stream}`) };
  const pin = ctx.opts.pin && canPin;
  const proxy = await startRecordingProxy(root, fake.url, files.bodies, pin ? 1 : undefined);
  const info = runInfo(plan, catalog.streams, false);
  const title = `S4 @${plan.scale} ${stream} alone`;
  let run: ConnectorRunResult;
  try {
    const more = { catalogPath: catalog.path, stdoutFile: files.stdout, extra: { base_url: proxy.url } };
    run = await oneRun(plan, ctx, fake, title, info, more);
  } finally {
    await proxy.stop();
  }
  const timing = await measureFloor(root, files, stream, pin ? 0 : undefined, ctx.opts.floorReps);
  const startup = await startupCpu(plan, ctx, fake);
  const records = run.scan.streams.get(stream)?.records ?? 0;
  info.floor = { stream, timing, vs: cpuVersusFloor(run.cpuSec, startup, timing, records), startupCpuSec: startup };
  process.stderr.write(
    `   floor of ${stream}: JSON.parse of ${num(timing.bodies)} bodies (${num(timing.bodyBytes / 1e6, 1)} MB) ${timing.parseSec.toFixed(3)} s + JSON.stringify of ${num(timing.records)} records ${timing.stringifySec.toFixed(3)} s (median of ${timing.reps})\n`,
  );
  if (!ctx.opts.keep) for (const f of Object.values(files)) rmSync(f, { force: true });
  return { run, title, info };
}

async function runScenario(
  id: number,
  ctx: Context,
  scale: number,
  columns: Column[],
  extra: Record<string, unknown> = {},
  withFloor = false,
): Promise<void> {
  const plan = planScenario(id, ctx, scale, extra);
  await withFake(plan.s, ctx, async (fake) => {
    if (plan.s.incremental) return fullThenIncremental(plan, ctx, fake, columns);
    const info = runInfo(plan, plan.streams, false);
    const run = await oneRun(plan, ctx, fake, `S${id} @${scale}`, info);
    columns.push({ run, title: `S${id} @${scale}`, info });
    if (withFloor && plan.s.cpuBound)
      for (const stream of FLOOR_STREAMS) columns.push(await floorSubRun(plan, ctx, fake, stream));
  });
}

function printTable(heading: string, columns: Column[], ratios?: [string, number, number][]): void {
  process.stdout.write(`\n${heading}\n${renderTable(columns, { ratios })}\n`);
  for (const c of columns) {
    const phases = renderPhases(c.run);
    if (phases) process.stdout.write(`\n${phases}\n`);
  }
}

async function runCompare(ctx: Context): Promise<void> {
  const [a, b, ta, tb] = ctx.opts.compare!;
  const id = ctx.opts.scenarios[0]!;
  const scale = scaleFor(ctx.opts, id);
  const columns: Column[] = [];
  await runScenario(id, ctx, scale, columns, a);
  const colsB: Column[] = [];
  await runScenario(id, ctx, scale, colsB, b);
  const all = [
    ...columns.map((c) => ({ ...c, title: `${c.title} ${ta}` })),
    ...colsB.map((c) => ({ ...c, title: `${c.title} ${tb}` })),
  ];
  const half = columns.length;
  const ratios: [string, number, number][] = columns.map((_, i) => [half > 1 ? `B/A #${i + 1}` : 'B/A', i + half, i]);
  printTable(`Compare scenario ${id} (scale ${scale}): A = ${ta}, B = ${tb}`, all, ratios);
}

async function runFlat(ctx: Context): Promise<void> {
  const s = ctx.opts.scale ?? 0.1;
  const columns: Column[] = [];
  await runScenario(4, ctx, s, columns);
  await runScenario(4, ctx, s * 10, columns);
  printTable(`Memory flatness: scenario 4 at scale ${s} and ${s * 10}`, columns, [['10×/1×', 1, 0]]);
  const [small, large] = columns;
  if (!small || !large) return;
  const growth = large.run.peakRssKb / small.run.peakRssKb - 1;
  process.stdout.write(
    `\nflat check: peak RSS ${num(small.run.peakRssKb / 1024)} MB → ${num(large.run.peakRssKb / 1024)} MB for 10× the records: ${growth >= 0 ? '+' : ''}${(100 * growth).toFixed(0)}% (target ≤ +20%): ${growth <= 0.2 ? 'PASS' : 'FAIL'}\n`,
  );
}

async function runSlowReader(ctx: Context): Promise<void> {
  const id = ctx.opts.scenarios[0]!;
  const plan = planScenario(id, ctx, scaleFor(ctx.opts, id), {});
  if (plan.s.incremental) throw new Error('--slow-reader needs a single-run scenario (1, 2, 4 or 5)');
  const info = runInfo(plan, plan.streams, false);
  const mbps = ctx.opts.readerMbps;
  const columns: Column[] = [];
  await withFake(plan.s, ctx, async (fake) => {
    const normal = await oneRun(plan, ctx, fake, `S${id} reader unthrottled`, info);
    columns.push({ run: normal, title: `S${id} unthrottled`, info });
    const rate = mbps * 1e6;
    const slowPlan = { ...plan, timeoutMs: Math.max(plan.timeoutMs, ((normal.scan.bytes / rate) * 2 + 120) * 1000) };
    const slow = await oneRun(slowPlan, ctx, fake, `S${id} reader ${mbps} MB/s`, info, { readerBytesPerSec: rate });
    columns.push({ run: slow, title: `S${id} reader ${mbps} MB/s`, info });
  });
  printTable(`Backpressure: scenario ${id} (scale ${plan.scale}) read at full speed and at ${mbps} MB/s`, columns, [
    ['slow/normal', 1, 0],
  ]);
  const [normal, slow] = columns;
  if (!normal || !slow) return;
  const consumed = slow.run.scan.bytes / 1e6 / slow.run.wallSec;
  process.stdout.write(
    `\nbackpressure: the throttled run took ${slow.run.wallSec.toFixed(1)} s (${consumed.toFixed(2)} MB/s consumed) vs ${normal.run.wallSec.toFixed(1)} s; peak RSS ${num(slow.run.peakRssKb / 1024)} MB vs ${num(normal.run.peakRssKb / 1024)} MB (${((100 * slow.run.peakRssKb) / normal.run.peakRssKb - 100).toFixed(0)}%)\n`,
  );
}

/** Every chosen scenario: a table per scenario as it ends, then every run against the targets. */
async function runAll(ctx: Context): Promise<void> {
  const all: Column[] = [];
  try {
    for (const id of ctx.opts.scenarios) {
      const columns: Column[] = [];
      const scale = scaleFor(ctx.opts, id);
      try {
        await runScenario(id, ctx, scale, columns, {}, ctx.opts.floor);
      } finally {
        if (columns.length) printTable(`Scenario ${id} (scale ${scale}): ${scenario(id, scale).title}`, columns);
        all.push(...columns);
      }
    }
  } finally {
    if (all.length)
      process.stdout.write(`\nSummary: every run against the targets (scale per column)\n${renderSummary(all)}\n`);
  }
}

function writeJson(path: string, header: string, ctx: Context): void {
  const data = ctx.results.map(({ scenario: id, title, run, info }) => ({
    scenario: id,
    title,
    ...figures(run, info),
    info,
    wallSec: run.wallSec,
    exitCode: run.exitCode,
    timedOut: run.timedOut,
    peakRssMb: run.peakRssKb / 1024,
    peakRssSource: run.peakRssSource,
    cpuSec: run.cpuSec,
    cpuSource: run.cpuSource,
    stdoutBytes: run.scan.bytes,
    records: Object.fromEntries([...run.scan.streams].map(([k, v]) => [k, v.records])),
    windows: run.windows,
    byRoute: run.fakeStats.byRoute,
    cpuProfile: run.cpuProfile,
  }));
  writeFileSync(path, JSON.stringify({ machine: header, results: data }, null, 2));
}

function printHeader(opts: Options): string {
  const header = machine();
  if (opts.connector) process.stdout.write(`connector build: ${opts.connector}\n`);
  const scales = opts.scenarios.map((id) => `S${id} ${scaleFor(opts, id)}`).join(', ');
  process.stdout.write(
    `${header}\nscale: ${scales}${opts.streams ? `\nstreams (chosen with --streams): ${opts.streams.join(', ')}` : ''}\n`,
  );
  if (!canPin)
    process.stdout.write(
      'note: taskset is not available; scenario 4 runs unpinned (CPU figures are still per process)\n',
    );
  return header;
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const ctx: Context = { opts, workDir: mkdtempSync(join(tmpdir(), 'intercom-bench-')), results: [] };
  const header = printHeader(opts);
  try {
    if (opts.compare) await runCompare(ctx);
    else if (opts.flat) await runFlat(ctx);
    else if (opts.slowReader) await runSlowReader(ctx);
    else await runAll(ctx);
  } finally {
    if (opts.json) writeJson(opts.json, header, ctx);
    if (opts.keep || opts.profile) process.stderr.write(`\nkept ${ctx.workDir}\n`);
    else rmSync(ctx.workDir, { recursive: true, force: true });
  }
}

await main().catch((e: unknown) => {
  if (isStopping()) return;
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
