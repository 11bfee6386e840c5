import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordOutput, recordSecretsIn } from './secret-audit.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = {
  airbyte: join(repoRoot, 'dist/bin/intercom-connector.js'),
  tap: join(repoRoot, 'dist/bin/tap-intercom.js'),
  target: join(repoRoot, 'dist/bin/target-intercom.js'),
};

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
  messages: Record<string, unknown>[];
}

export function tempDir(prefix = 'ic-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes each value as a JSON file in a fresh temp dir; returns their paths. */
export function writeJsonFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = tempDir();
  const paths: Record<string, string> = {};
  for (const [name, value] of Object.entries(files)) {
    recordSecretsIn(value);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    paths[name] = path;
  }
  return paths;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Called for each stdout line as it arrives; may kill the child. */
  onLine?: (line: string, child: ChildProcess) => void;
  timeoutMs?: number;
}

/** Runs the built CLI as a real process and collects its output. */
export function runCli(bin: string, args: string[], opts: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, INTERCOM_CONNECTOR_RETRY_BASE_MS: '20', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `CLI timed out: ${args.join(' ')}\nstderr: ${stderr.slice(-2000)}\nstdout tail: ${stdout.slice(-2000)}`,
        ),
      );
    }, opts.timeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!opts.onLine) return;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line) opts.onLine(line, child);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      recordOutput(`${bin} ${args.join(' ')}`, stdout + stderr);
      const lines = stdout.split('\n').filter((l) => l.length > 0);
      const messages = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { __unparsable: l };
        }
      });
      resolve({ code, signal, stdout, stderr, lines, messages });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

export function recordsOf(run: CliRun, stream: string): Record<string, unknown>[] {
  return (
    run.messages
      .filter(
        (m) =>
          m.type === 'RECORD' &&
          ((m.record as { stream?: string } | undefined)?.stream === stream || m.stream === stream),
      )
      // Singer: {stream, record: data}; Airbyte: {record: {stream, data}}.
      .map(
        (m) =>
          (typeof m.stream === 'string' ? m.record : (m.record as { data: unknown }).data) as Record<string, unknown>,
      )
  );
}

/** What Airbyte would pass back as --state: the last STATE message's `state` of each stream. */
export function lastStates(runs: CliRun | CliRun[]): unknown[] {
  const last = new Map<string, unknown>();
  for (const run of Array.isArray(runs) ? runs : [runs]) {
    for (const m of run.messages)
      if (m.type === 'STATE')
        last.set(
          (m.state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name,
          m.state,
        );
  }
  return [...last.values()];
}
