/**
 * One run of the BUILT connector (`intercom-connector read`) as its own process against the fake
 * server: stdout is counted while it streams (optionally through a throttled reader), memory and CPU
 * come from a preloaded probe (resourceUsage at exit) and /proc polling, request figures from the
 * fake's stats.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FakeStats, WindowCount } from '../src/fake-intercom/types.js';
import type { FakeServer } from './fake-server.js';
import { OutputScanner, type ScanResult } from './output-scanner.js';
import { cpuSecondsOf, pinned, sampleProc, track } from './processes.js';

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
  /** Another build of the CLI to run (A/B of a patch); default dist/src/cli/intercom-connector.js. */
  connectorPath?: string;
  /** Requests per 10-second window the fake allows (0 = none). */
  budgetPer10s: number;
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

export async function runConnector(opts: ConnectorRunOptions): Promise<ConnectorRunResult> {
  const n = ++runCounter;
  const configPath = join(opts.workDir, `config-${n}.json`);
  writeFileSync(configPath, JSON.stringify(opts.config, null, 2));
  const probePath = join(opts.workDir, `probe-${n}.json`);
  const cli = opts.connectorPath ?? join(opts.root, 'dist', 'src', 'cli', 'intercom-connector.js');
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

  await opts.fake.resetStats();
  opts.fake.startPolling();
  const { command, args } = pinned(opts.cpu, process.execPath, [...nodeArgs, cli, ...cliArgs]);
  const fakeCpuBefore = cpuSecondsOf(opts.fake.pid);
  const startedAtMs = Date.now();
  const started = performance.now();
  const child = track(
    spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BENCH_PROBE_FILE: probePath } }),
  );
  const stopSampling = sampleProc(child.pid!);
  const scanner = new OutputScanner(started);

  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });

  const stdout = child.stdout!;
  if (opts.readerBytesPerSec && opts.readerBytesPerSec > 0) {
    // A slow consumer: pause the pipe whenever we are ahead of the allowed rate, so the connector
    // sees a full pipe (write() returning false) exactly as behind a slow destination.
    const rate = opts.readerBytesPerSec;
    let consumed = 0;
    stdout.on('data', (chunk: Buffer) => {
      scanner.push(chunk);
      consumed += chunk.length;
      const aheadMs = (consumed / rate) * 1000 - (performance.now() - started);
      if (aheadMs > 1) {
        stdout.pause();
        setTimeout(() => stdout.resume(), aheadMs);
      }
    });
  } else {
    stdout.on('data', (chunk: Buffer) => scanner.push(chunk));
  }

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

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    // 'close' waits for stdout to be fully read, so every record is counted.
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  const wallSec = (performance.now() - started) / 1000;
  clearTimeout(killTimer);
  clearInterval(progress);
  scanner.end();
  const sampled = stopSampling();
  const fakeCpuAfter = cpuSecondsOf(opts.fake.pid);
  opts.fake.stopPolling();
  const fakeStats = await opts.fake.stats();

  let probeOut: ProbeOutput | undefined;
  try {
    probeOut = JSON.parse(readFileSync(probePath, 'utf8')) as ProbeOutput;
  } catch {
    probeOut = undefined;
  }

  let cpuProfile: string | undefined;
  if (opts.cpuProfileDir) {
    const fresh = readdirSync(opts.cpuProfileDir).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
    if (fresh.length) cpuProfile = join(opts.cpuProfileDir, fresh[fresh.length - 1]!);
  }

  return {
    label: opts.label,
    exitCode,
    signal,
    timedOut,
    wallSec,
    startedAtMs,
    scan: scanner.result,
    peakRssKb: probeOut?.maxRssKb ?? Math.max(sampled.hwmKb, sampled.maxRssKb),
    peakRssSource: probeOut ? 'resourceUsage().maxRSS at exit' : `/proc VmHWM (${sampled.samples} polls)`,
    cpuSec: probeOut ? (probeOut.userCpuUs + probeOut.systemCpuUs) / 1e6 : sampled.cpuSec,
    cpuSource: probeOut ? 'resourceUsage() at exit' : '/proc stat utime+stime',
    fakeStats,
    windows: opts.fake.mergedWindows(),
    budgetPer10s: opts.budgetPer10s,
    stderrTail,
    cpuProfile,
    pinnedCpu: opts.cpu,
    fakeCpuSec: fakeCpuBefore !== undefined && fakeCpuAfter !== undefined ? fakeCpuAfter - fakeCpuBefore : undefined,
    rssTimeline: sampled.timeline,
  };
}
