/**
 * The processes of a CPU-floor sub-run: a recording proxy between the connector and the fake
 * (pinned to the fake's CPU), and the floor timing of what it recorded in a fresh process pinned
 * to the connector's CPU, so both sides of the ratio ran on the same core.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FloorTiming } from './floor.js';
import { pinned, track } from './processes.js';

export interface RecordingProxy {
  url: string;
  stop(): Promise<void>;
}

/** Starts dist/bench/recording-proxy.js in front of `target`; resolves once it listens. */
export async function startRecordingProxy(
  root: string,
  target: string,
  bodiesPath: string,
  cpu: number | undefined,
): Promise<RecordingProxy> {
  const script = join(root, 'dist', 'bench', 'recording-proxy.js');
  const { command, args } = pinned(cpu, process.execPath, [script, target, bodiesPath]);
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] }));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('recording proxy did not start within 30 s')), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve((JSON.parse(buffered.slice(0, nl)) as { url: string }).url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`recording proxy exited with ${code} before listening`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs dist/bench/floor-cli.js on the recorded bodies and the captured stdout; its FloorTiming. */
export async function measureFloor(
  root: string,
  files: { bodies: string; stdout: string },
  stream: string,
  cpu: number | undefined,
  reps: number,
): Promise<FloorTiming> {
  const script = join(root, 'dist', 'bench', 'floor-cli.js');
  const { command, args } = pinned(cpu, process.execPath, [
    // A full-size run records hundreds of MB of bodies and records; the default heap limit is too small.
    '--max-old-space-size=8192',
    script,
    files.bodies,
    files.stdout,
    stream,
    String(reps),
  ]);
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`floor timing exited with ${code}: ${err.slice(-1000)}`);
  return JSON.parse(out) as FloorTiming;
}
