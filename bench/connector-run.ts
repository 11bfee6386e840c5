/**
 * One run of the BUILT connector (`intercom-connector read`) as its own process against the fake
 * server: stdout is counted while it streams (optionally through a throttled reader), memory and CPU
 * come from a preloaded probe (resourceUsage at exit) and /proc polling, request figures from the
 * fake's stats.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { FakeStats, WindowCount } from '../src/fake-intercom/types.js';
import type { FakeServer } from './fake-server.js';
import { OutputScanner, type ScanResult } from './output-scanner.js';
import { cpuSecondsOf, pinned, sampleProc, track, type ProcSample } from './processes.js';

export interface ConnectorRunOptions {
  label: string;
  root: string;
  workDir: string;
  fake: FakeServer;
  config: Record<string, unknown>;
  catalogPath: string;
  /** Airbyte state input: a JSON array of the STATE messages' `state` objects. */
  state?: unknown[];
  /** Pin the connector to this CPU (taskset). */
  cpu?: number;
  /** Consume stdout at most this fast (backpressure check). */
  readerBytesPerSec?: number;
  /** Write a V8 CPU profile of the connector into this directory. */
  cpuProfileDir?: string;
  timeoutMs: number;
  /** Another build of the CLI to run (A/B of a patch); default dist/bin/intercom-connector.js. */
  connectorPath?: string;
  /** Requests per 10-second window the fake allows (0 = none). */
  budgetPer10s: number;
  /** Also copy the connector's stdout to this file (the CPU-floor sub-runs time its records). */
  stdoutFile?: string;
}

export interface ConnectorRunResult {
  label: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallSec: number;
  /** Unix ms at spawn. */
  startedAtMs: number;
  scan: ScanResult;
  peakRssKb: number;
  peakRssSource: string;
  cpuSec: number;
  cpuSource: string;
  fakeStats: FakeStats;
  windows: WindowCount[];
  budgetPer10s: number;
  stderrTail: string;
  cpuProfile?: string;
  pinnedCpu?: number;
  /** CPU seconds the fake server used during the run (is the fake the bottleneck?). */
  fakeCpuSec?: number;
  /** [ms since spawn, VmRSS kB] samples every 100 ms. */
  rssTimeline: [number, number][];
}

interface ProbeOutput {
  maxRssKb: number;
  userCpuUs: number;
  systemCpuUs: number;
}

let runCounter = 0;

interface Launch {
  command: string;
  args: string[];
  probePath: string;
  profilesBefore: Set<string>;
}

/** Writes the config (and state) files and builds the command line of run number `n`. */
function prepareLaunch(opts: ConnectorRunOptions, n: number): Launch {
  const configPath = join(opts.workDir, `config-${n}.json`);
  writeFileSync(configPath, JSON.stringify(opts.config, null, 2));
  const probePath = join(opts.workDir, `probe-${n}.json`);
  const cli = opts.connectorPath ?? join(opts.root, 'dist', 'bin', 'intercom-connector.js');
  const probe = pathToFileURL(join(opts.root, 'dist', 'bench', 'probe.js')).href;
  const nodeArgs = ['--import', probe];
  if (opts.cpuProfileDir) {
    mkdirSync(opts.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`);
  }
  const cliArgs = ['read', '--config', configPath, '--catalog', opts.catalogPath];
  if (opts.state) {
    const statePath = join(opts.workDir, `state-${n}.json`);
    writeFileSync(statePath, JSON.stringify(opts.state));
    cliArgs.push('--state', statePath);
  }
  const profilesBefore = new Set(opts.cpuProfileDir ? readdirSync(opts.cpuProfileDir) : []);
  return { ...pinned(opts.cpu, process.execPath, [...nodeArgs, cli, ...cliArgs]), probePath, profilesBefore };
}

/**
 * Counts stdout as it streams, copies it to `opts.stdoutFile` when asked, and, for a throttled
 * reader, pauses the pipe whenever the bench is ahead of the allowed rate so the connector sees a
 * full pipe (write() returning false) exactly as behind a slow destination.
 */
function consumeStdout(
  stdout: Readable,
  scanner: OutputScanner,
  opts: ConnectorRunOptions,
  started: number,
): Promise<void> {
  const copy = opts.stdoutFile ? createWriteStream(opts.stdoutFile) : undefined;
  const copied = new Promise<void>((resolve, reject) => {
    if (!copy) return resolve();
    copy.once('finish', resolve).once('error', reject);
    stdout.once('end', () => copy.end());
  });
  const rate = opts.readerBytesPerSec ?? 0;
  let consumed = 0;
  stdout.on('data', (chunk: Buffer) => {
    scanner.push(chunk);
    copy?.write(chunk);
    if (rate <= 0) return;
    consumed += chunk.length;
    const aheadMs = (consumed / rate) * 1000 - (performance.now() - started);
    if (aheadMs > 1) {
      stdout.pause();
      setTimeout(() => stdout.resume(), aheadMs);
    }
  });
  return copied;
}

/** The time limit (SIGTERM, then SIGKILL) and a progress line every 30 s; returns their stop. */
function watch(
  child: ChildProcess,
  opts: ConnectorRunOptions,
  scanner: OutputScanner,
  started: number,
): () => { timedOut: boolean } {
  let timedOut = false;
  const killTimer = setTimeout(() => {
    timedOut = true;
    process.stderr.write(`bench: ${opts.label} exceeded ${Math.round(opts.timeoutMs / 1000)} s; sending SIGTERM\n`);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  }, opts.timeoutMs);
  const progress = setInterval(() => {
    const secs = (performance.now() - started) / 1000;
    process.stderr.write(
      `  … ${opts.label}: ${secs.toFixed(0)} s, ${scanner.result.totalRecords} records, ${(scanner.result.bytes / 1e6).toFixed(0)} MB\n`,
    );
  }, 30_000);
  return () => {
    clearTimeout(killTimer);
    clearInterval(progress);
    return { timedOut };
  };
}

function readProbe(path: string): ProbeOutput | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProbeOutput;
  } catch {
    return undefined;
  }
}

function newProfile(dir: string | undefined, before: Set<string>): string | undefined {
  if (!dir) return undefined;
  const fresh = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  return fresh.length ? join(dir, fresh[fresh.length - 1]!) : undefined;
}

/** Memory and CPU: the probe's exact figures when it wrote them, else what /proc polling saw. */
function usageFigures(
  probe: ProbeOutput | undefined,
  sampled: ProcSample,
): Pick<ConnectorRunResult, 'peakRssKb' | 'peakRssSource' | 'cpuSec' | 'cpuSource'> {
  return {
    peakRssKb: probe?.maxRssKb ?? Math.max(sampled.hwmKb, sampled.maxRssKb),
    peakRssSource: probe ? 'resourceUsage().maxRSS at exit' : `/proc VmHWM (${sampled.samples} polls)`,
    cpuSec: probe ? (probe.userCpuUs + probe.systemCpuUs) / 1e6 : sampled.cpuSec,
    cpuSource: probe ? 'resourceUsage() at exit' : '/proc stat utime+stime',
  };
}

export async function runConnector(opts: ConnectorRunOptions): Promise<ConnectorRunResult> {
  const launch = prepareLaunch(opts, ++runCounter);
  await opts.fake.resetStats();
  opts.fake.startPolling();
  const fakeCpuBefore = cpuSecondsOf(opts.fake.pid);
  const startedAtMs = Date.now();
  const started = performance.now();
  const child = track(
    spawn(launch.command, launch.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_PROBE_FILE: launch.probePath },
    }),
  );
  const stopSampling = sampleProc(child.pid!);
  const scanner = new OutputScanner(started);
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });
  const copied = consumeStdout(child.stdout!, scanner, opts, started);
  const stopWatching = watch(child, opts, scanner, started);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    // 'close' waits for stdout to be fully read, so every record is counted.
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  const wallSec = (performance.now() - started) / 1000;
  const { timedOut } = stopWatching();
  scanner.end();
  await copied;
  const sampled = stopSampling();
  const fakeCpuAfter = cpuSecondsOf(opts.fake.pid);
  opts.fake.stopPolling();
  const fakeStats = await opts.fake.stats();
  return {
    label: opts.label,
    exitCode,
    signal,
    timedOut,
    wallSec,
    startedAtMs,
    scan: scanner.result,
    ...usageFigures(readProbe(launch.probePath), sampled),
    fakeStats,
    windows: opts.fake.mergedWindows(),
    budgetPer10s: opts.budgetPer10s,
    stderrTail,
    cpuProfile: newProfile(opts.cpuProfileDir, launch.profilesBefore),
    pinnedCpu: opts.cpu,
    fakeCpuSec: fakeCpuBefore !== undefined && fakeCpuAfter !== undefined ? fakeCpuAfter - fakeCpuBefore : undefined,
    rssTimeline: sampled.timeline,
  };
}
