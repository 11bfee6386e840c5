/**
 * `npm run bench [-- options]`: the throughput benchmark. Runs the BUILT connector as a process
 * against the fake Intercom in another process and prints one table. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runConnector, type ConnectorRunResult } from './connector-run.js';
import { formatProfile, summarizeFile } from './cpuprofile.js';
import { FakeServer } from './fake-server.js';
import { figures } from './metrics.js';
import { canPin, cpuCount, isStopping } from './processes.js';
import { estimateRequests, estimateSeconds, scenario, type Scenario } from './scenarios.js';
import { num, renderPhases, renderTable, type Column } from './table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage: npm run bench -- [options]
  --scenario N         run only scenario N (1-4); default: all four
  --scale F            multiply every workspace size by F (default 1)
  --compare A,B        run the scenario (default 4) twice with config overrides A and B,
                       e.g. max_concurrency=4,max_concurrency=16 (several keys: k=v+k2=v2)
  --flat               memory flatness: scenario 4 at scale s and 10×s (s = --scale, default 0.1)
  --slow-reader        backpressure: the scenario (default 4) with a normal and a throttled reader
  --reader-mbps N      throttled reader speed in MB/s (default 2)
  --streams a,b        select only these streams of catalog.sample.json (default: all), e.g.
                       contacts to measure one reader alone
  --set k=v            connector config override for every run (repeatable; value JSON or string)
  --profile            write a CPU profile of each connector run (node --cpu-prof) and summarise it
  --token T            access token of the fake (default fake-token)
  --seed N             workspace seed (default 7)
  --timeout S          per-run limit in seconds (default: from the estimate, at least 900)
  --no-pin             do not pin the connector to one CPU in scenario 4
  --connector PATH     run another build of intercom-connector.js (A/B of a patch in a copy of dist/)
  --json FILE          also write the figures as JSON
  --keep               keep the temporary directory (configs, states, profiles)`;

interface Options {
  scenarios: number[];
  scale: number;
  scaleGiven: boolean;
  compare?: [Record<string, unknown>, Record<string, unknown>, string, string];
  flat: boolean;
  slowReader: boolean;
  readerMbps: number;
  overrides: Record<string, unknown>;
  profile: boolean;
  token: string;
  seed: number;
  timeoutSec?: number;
  pin: boolean;
  json?: string;
  keep: boolean;
  connector?: string;
  /** Only these streams (default: every stream of catalog.sample.json). */
  streams?: string[];
}

function parseOverride(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split('+').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`config override '${part}' must be key=value`);
    const raw = part.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[part.slice(0, eq).trim()] = value;
  }
  return out;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      scale: { type: 'string' },
      compare: { type: 'string' },
      flat: { type: 'boolean', default: false },
      'slow-reader': { type: 'boolean', default: false },
      'reader-mbps': { type: 'string' },
      set: { type: 'string', multiple: true },
      profile: { type: 'boolean', default: false },
      token: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      json: { type: 'string' },
      connector: { type: 'string' },
      keep: { type: 'boolean', default: false },
      streams: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const number = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
    return n;
  };
  const scenarioId = number('scenario', values.scenario);
  if (scenarioId !== undefined && ![1, 2, 3, 4].includes(scenarioId))
    throw new Error('--scenario must be 1, 2, 3 or 4');
  const modes = [values.compare !== undefined, values.flat, values['slow-reader']].filter(Boolean).length;
  if (modes > 1) throw new Error('use one of --compare, --flat, --slow-reader at a time');
  const overrides: Record<string, unknown> = {};
  for (const s of values.set ?? []) Object.assign(overrides, parseOverride(s));
  let compare: Options['compare'];
  if (values.compare !== undefined) {
    const sides = values.compare.split(',');
    if (sides.length !== 2)
      throw new Error(
        '--compare takes two override sets separated by a comma, e.g. max_concurrency=4,max_concurrency=16',
      );
    compare = [parseOverride(sides[0]!), parseOverride(sides[1]!), sides[0]!, sides[1]!];
  }
  const single = compare || values.flat || values['slow-reader'];
  return {
    scenarios: scenarioId !== undefined ? [scenarioId] : single ? [4] : [1, 2, 3, 4],
    scale: number('scale', values.scale) ?? (values.flat ? 0.1 : 1),
    scaleGiven: values.scale !== undefined,
    compare,
    flat: values.flat ?? false,
    slowReader: values['slow-reader'] ?? false,
    readerMbps: number('reader-mbps', values['reader-mbps']) ?? 2,
    overrides,
    profile: values.profile ?? false,
    token: values.token ?? 'fake-token',
    seed: number('seed', values.seed) ?? 7,
    timeoutSec: number('timeout', values.timeout),
    pin: !(values['no-pin'] ?? false),
    json: values.json,
    keep: values.keep ?? false,
    connector: values.connector === undefined ? undefined : resolve(values.connector),
    streams:
      values.streams === undefined
        ? undefined
        : values.streams
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
  };
}

/** Every stream of catalog.sample.json (or the `only` ones), incremental where the stream supports it. */
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
  const path = join(workDir, 'configured_catalog.json');
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
  catalogPath: string;
  streams: Set<string>;
  results: { scenario: number; title: string; run: ConnectorRunResult }[];
}

/** The connector's own default (schemas/config/source.json), stated so the printed config is complete. */
const DEFAULT_CONCURRENCY = 24;

function baseConfig(ctx: Context, fake: FakeServer, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    access_token: ctx.opts.token,
    base_url: fake.url,
    max_concurrency: DEFAULT_CONCURRENCY,
    ...ctx.opts.overrides,
    ...extra,
  };
}

function describe(s: Scenario, ctx: Context, extra: Record<string, unknown>): { timeoutMs: number } {
  const config = { max_concurrency: DEFAULT_CONCURRENCY, ...ctx.opts.overrides, ...extra };
  const concurrency = typeof config.max_concurrency === 'number' ? config.max_concurrency : DEFAULT_CONCURRENCY;
  const est = estimateRequests(s.size, ctx.streams);
  const secs = estimateSeconds(est.requests, s, concurrency);
  const z = s.size;
  process.stderr.write(
    `\n== Scenario ${s.id}: ${s.title}\n` +
      `   workspace: ${num(z.contacts)} contacts, ${num(z.companies)} companies, ${num(z.conversations)} conversations (~10 parts each), ${num(z.tickets)} tickets (+ fake defaults: ~1 note and 3 events per contact, 300 activity logs)\n` +
      `   server: latency ${s.latencyMs} ms ± ${s.jitterMs} ms, budget ${s.ratePer10s ? `${num(s.ratePer10s)} requests per 10 s window (${num(s.ratePer10s * 6)}/min)` : 'none'}\n` +
      `   connector: ${JSON.stringify(config)}, ${ctx.streams.size} streams selected${s.cpuBound ? (ctx.opts.pin && canPin ? ', pinned to CPU 0 (taskset -c 0), fake on CPU 1' : ', NOT pinned (taskset unavailable or --no-pin)') : ''}\n` +
      `   estimate: ≈ ${num(est.requests)} requests (${est.parts.join(', ')})` +
      (secs.budgetSec !== undefined ? `; ≥ ${num(secs.budgetSec)} s at the budget` : '') +
      (s.latencyMs > 0
        ? `; ≥ ${num(secs.latencySec)} s at ${s.latencyMs} ms × requests / ${concurrency} in flight`
        : '') +
      (s.incremental ? '; run twice (full, then incremental)' : '') +
      '\n',
  );
  const bound = Math.max(secs.budgetSec ?? 0, secs.latencySec, est.requests / 500);
  const timeoutSec = ctx.opts.timeoutSec ?? Math.max(900, 4 * bound + 300);
  return { timeoutMs: timeoutSec * 1000 };
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

async function oneRun(
  s: Scenario,
  ctx: Context,
  fake: FakeServer,
  label: string,
  extra: Record<string, unknown>,
  timeoutMs: number,
  more: { state?: unknown[]; readerBytesPerSec?: number } = {},
): Promise<ConnectorRunResult> {
  process.stderr.write(`   running ${label} …\n`);
  const run = await runConnector({
    label,
    root,
    workDir: ctx.workDir,
    fake,
    config: baseConfig(ctx, fake, extra),
    catalogPath: ctx.catalogPath,
    state: more.state,
    cpu: s.cpuBound && ctx.opts.pin ? 0 : undefined,
    readerBytesPerSec: more.readerBytesPerSec,
    cpuProfileDir: ctx.opts.profile ? join(ctx.workDir, 'profiles') : undefined,
    timeoutMs,
    connectorPath: ctx.opts.connector,
    budgetPer10s: s.ratePer10s,
  });
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
  ctx.results.push({ scenario: s.id, title: label, run });
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

async function runScenario(
  id: number,
  ctx: Context,
  scale: number,
  columns: Column[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const s = scenario(id, scale);
  const { timeoutMs } = describe(s, ctx, extra);
  await withFake(s, ctx, async (fake) => {
    const scaleNote = scale === 1 ? '' : ` @${scale}`;
    if (!s.incremental) {
      const run = await oneRun(s, ctx, fake, `S${id}${scaleNote}`, extra, timeoutMs);
      columns.push({ run, title: `S${id}${scaleNote}` });
      return;
    }
    const full = await oneRun(s, ctx, fake, `S3${scaleNote} full`, extra, timeoutMs);
    columns.push({ run: full, title: `S3${scaleNote} full` });
    const state = [...full.scan.states.values()];
    if (full.exitCode !== 0 || state.length === 0) {
      process.stderr.write('   the full run failed or emitted no STATE; skipping the incremental run\n');
      return;
    }
    // The state's cursor is the first run's start; wait so every change is strictly after it.
    await new Promise((r) => setTimeout(r, 1100));
    process.stderr.write(
      `   changed 1%: ${await mutateOnePercent(s, fake)}; incremental run with ${state.length} stream states\n`,
    );
    const incremental = await oneRun(s, ctx, fake, `S3${scaleNote} incr`, extra, timeoutMs, { state });
    columns.push({ run: incremental, title: `S3${scaleNote} incr.` });
  });
}

function printTable(heading: string, columns: Column[], ratios?: [string, number, number][]): void {
  process.stdout.write(`\n${heading}\n${renderTable(columns, { ratios })}\n`);
  for (const c of columns) {
    const phases = renderPhases(c.run);
    if (phases) process.stdout.write(`\n${phases}\n`);
  }
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
  const workDir = mkdtempSync(join(tmpdir(), 'intercom-bench-'));
  const { path: catalogPath, streams } = configuredCatalog(workDir, opts.streams);
  const ctx: Context = { opts, workDir, catalogPath, streams, results: [] };
  const header = machine();
  if (opts.connector) process.stdout.write(`connector build: ${opts.connector}\n`);
  process.stdout.write(
    `${header}\nstreams (${streams.size}${opts.streams ? ', chosen with --streams' : ', all of catalog.sample.json'}): ${[...streams].join(', ')}\n`,
  );
  if (!canPin)
    process.stdout.write(
      'note: taskset is not available; scenario 4 runs unpinned (CPU figures are still per process)\n',
    );

  try {
    if (opts.compare) {
      const [a, b, ta, tb] = opts.compare;
      const id = opts.scenarios[0]!;
      const columns: Column[] = [];
      await runScenario(id, ctx, opts.scale, columns, a);
      const colsB: Column[] = [];
      await runScenario(id, ctx, opts.scale, colsB, b);
      const all = [
        ...columns.map((c) => ({ ...c, title: `${c.title} ${ta}` })),
        ...colsB.map((c) => ({ ...c, title: `${c.title} ${tb}` })),
      ];
      const half = columns.length;
      const ratios: [string, number, number][] = columns.map((_, i) => [
        half > 1 ? `B/A #${i + 1}` : 'B/A',
        i + half,
        i,
      ]);
      printTable(`Compare scenario ${id} (scale ${opts.scale}): A = ${ta}, B = ${tb}`, all, ratios);
    } else if (opts.flat) {
      const s = opts.scale;
      const columns: Column[] = [];
      await runScenario(4, ctx, s, columns);
      await runScenario(4, ctx, s * 10, columns);
      printTable(`Memory flatness: scenario 4 at scale ${s} and ${s * 10}`, columns, [['10×/1×', 1, 0]]);
      const [small, large] = columns;
      if (small && large) {
        const growth = large.run.peakRssKb / small.run.peakRssKb - 1;
        process.stdout.write(
          `\nflat check: peak RSS ${num(small.run.peakRssKb / 1024)} MB → ${num(large.run.peakRssKb / 1024)} MB for 10× the records: ${growth >= 0 ? '+' : ''}${(100 * growth).toFixed(0)}% (target ≤ +20%): ${growth <= 0.2 ? 'PASS' : 'FAIL'}\n`,
        );
      }
    } else if (opts.slowReader) {
      const id = opts.scenarios[0]!;
      const s = scenario(id, opts.scale);
      if (s.incremental) throw new Error('--slow-reader needs a single-run scenario (1, 2 or 4)');
      const { timeoutMs } = describe(s, ctx, {});
      const columns: Column[] = [];
      await withFake(s, ctx, async (fake) => {
        const normal = await oneRun(s, ctx, fake, `S${id} reader unthrottled`, {}, timeoutMs);
        columns.push({ run: normal, title: `S${id} unthrottled` });
        const rate = opts.readerMbps * 1e6;
        const slowTimeout = Math.max(timeoutMs, ((normal.scan.bytes / rate) * 2 + 120) * 1000);
        const slow = await oneRun(s, ctx, fake, `S${id} reader ${opts.readerMbps} MB/s`, {}, slowTimeout, {
          readerBytesPerSec: rate,
        });
        columns.push({ run: slow, title: `S${id} reader ${opts.readerMbps} MB/s` });
      });
      printTable(
        `Backpressure: scenario ${id} (scale ${opts.scale}) read at full speed and at ${opts.readerMbps} MB/s`,
        columns,
        [['slow/normal', 1, 0]],
      );
      const [normal, slow] = columns;
      if (normal && slow) {
        const mbps = slow.run.scan.bytes / 1e6 / slow.run.wallSec;
        process.stdout.write(
          `\nbackpressure: the throttled run took ${slow.run.wallSec.toFixed(1)} s (${mbps.toFixed(2)} MB/s consumed) vs ${normal.run.wallSec.toFixed(1)} s; peak RSS ${num(slow.run.peakRssKb / 1024)} MB vs ${num(normal.run.peakRssKb / 1024)} MB (${((100 * slow.run.peakRssKb) / normal.run.peakRssKb - 100).toFixed(0)}%)\n`,
        );
      }
    } else {
      const columns: Column[] = [];
      for (const id of opts.scenarios) await runScenario(id, ctx, opts.scale, columns);
      printTable(`Results (scale ${opts.scale})`, columns);
    }
  } finally {
    if (opts.json) {
      const data = ctx.results.map(({ scenario: id, title, run }) => ({
        scenario: id,
        title,
        ...figures(run),
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
      writeFileSync(opts.json, JSON.stringify({ machine: header, results: data }, null, 2));
    }
    if (opts.keep || opts.profile) process.stderr.write(`\nkept ${workDir}\n`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

await main().catch((e: unknown) => {
  if (isStopping()) return;
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
