/**
 * The fake Intercom as a separate process (dist/src/fake-intercom/cli.js), so its CPU is not the
 * connector's. Talks to it through its control endpoints (/__fake/...).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FakeStats, MutationResult, MutationSpec, WindowCount } from '../src/fake-intercom/types.js';
import { pinned, track } from './processes.js';

export interface FakeServerOptions {
  root: string;
  seed: number;
  token: string;
  latencyMs: number;
  jitterMs: number;
  /** 0 = no budget. */
  ratePer10s: number;
  size: Record<string, number>;
  /** Pin the server to this CPU (taskset). */
  cpu?: number;
  /** Serialize every record before listening (--prerender): the fake then serves from its cache and is not the bottleneck. */
  prerender?: boolean;
  startupTimeoutMs?: number;
}

/** CLI flag per WorkspaceSize key. */
const SIZE_FLAG: Record<string, string> = {
  contacts: 'contacts',
  companies: 'companies',
  conversations: 'conversations',
  tickets: 'tickets',
};

export function fakeArgs(opts: FakeServerOptions): string[] {
  const args = [
    '--port',
    '0',
    '--seed',
    String(opts.seed),
    '--token',
    opts.token,
    '--latency-ms',
    String(opts.latencyMs),
    '--jitter-ms',
    String(opts.jitterMs),
  ];
  if (opts.ratePer10s > 0) args.push('--rate-per-10s', String(opts.ratePer10s));
  if (opts.prerender) args.push('--prerender');
  for (const [key, value] of Object.entries(opts.size)) args.push(`--${SIZE_FLAG[key] ?? key}`, String(value));
  return args;
}

export class FakeServer {
  private stderrTail = '';
  /** Request windows merged across polls (the fake keeps only the last 360). */
  private readonly windows = new Map<number, number>();
  private poller: NodeJS.Timeout | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly startupMs: number,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
  }

  static async start(opts: FakeServerOptions): Promise<FakeServer> {
    const script = join(opts.root, 'dist', 'src', 'fake-intercom', 'cli.js');
    const { command, args } = pinned(opts.cpu, process.execPath, [
      '--max-old-space-size=8192',
      script,
      ...fakeArgs(opts),
    ]);
    const started = Date.now();
    const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => reject(new Error(`fake Intercom did not print its URL within ${opts.startupTimeoutMs ?? 300_000} ms`)),
        opts.startupTimeoutMs ?? 300_000,
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const nl = buffered.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        try {
          resolve((JSON.parse(buffered.slice(0, nl)) as { url: string }).url);
        } catch (e) {
          reject(new Error(`fake Intercom printed ${buffered.slice(0, nl)}: ${String(e)}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fake Intercom exited with ${code} before listening: ${stderr.slice(-2000)}`));
      });
    });
    child.stdout!.resume();
    return new FakeServer(child, url, Date.now() - started);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private async control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fake ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  async stats(): Promise<FakeStats> {
    const stats = await this.control<FakeStats>('GET', '/__fake/stats');
    this.merge(stats.windows);
    return stats;
  }

  /** Zeroes the fake's counters and the merged windows; call right before a connector run. */
  async resetStats(): Promise<void> {
    await this.control('POST', '/__fake/reset-stats', {});
    this.windows.clear();
  }

  mutate(spec: MutationSpec): Promise<MutationResult> {
    return this.control<MutationResult>('POST', '/__fake/mutate', spec);
  }

  /** Polls the stats while a run goes on, so runs longer than the fake's 360-window memory keep every window. */
  startPolling(everyMs = 10_000): void {
    this.stopPolling();
    this.poller = setInterval(() => void this.stats().catch(() => undefined), everyMs);
  }

  stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  private merge(windows: WindowCount[]): void {
    for (const w of windows) this.windows.set(w.start, Math.max(this.windows.get(w.start) ?? 0, w.count));
  }

  /** Every 10-second window since the last reset (start in Unix seconds), oldest first. */
  mergedWindows(): WindowCount[] {
    return [...this.windows.entries()].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count }));
  }

  get diagnostics(): string {
    return this.stderrTail;
  }

  async stop(): Promise<void> {
    this.stopPolling();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
