/** The CLI as a separate process: one JSON line on stdout, flags, control endpoints, clean SIGTERM exit. */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHeaders, get } from '../../test/helpers/fake-intercom.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
let outDir: string;
let cliJs: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  // Compile only the fake (and the stream table its list routes read, with its types), not the
  // connector, so the test does not depend on `npm run build`. rootDir is the repository so that
  // nothing is emitted beside the sources.
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-intercom-cli-'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--outDir',
      outDir,
      '--rootDir',
      root,
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--lib',
      'ES2023',
      '--types',
      'node',
      '--strict',
      '--skipLibCheck',
      path.join(here, 'cli.ts'),
    ],
    { cwd: root, stdio: 'pipe' },
  );
  fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}');
  cliJs = path.join(outDir, 'src', 'fake-intercom', 'cli.js');
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(outDir, { recursive: true, force: true });
});

function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; firstLine: string }> {
  const child = spawn(process.execPath, [cliJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const firstLine = buf.slice(0, nl);
        resolve({ child, url: (JSON.parse(firstLine) as { url: string }).url, firstLine });
      }
    });
    child.on('exit', (code) => reject(new Error(`cli exited early (${code}): ${err}`)));
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

describe('cli', () => {
  it('prints exactly one JSON line with the url, honours flags, exposes control endpoints, exits 0 on SIGTERM', async () => {
    const { child, url, firstLine } = await startCli([
      '--seed',
      '3',
      '--contacts',
      '25',
      '--companies',
      '7',
      '--conversations',
      '9',
      '--tickets',
      '4',
      '--token',
      'tok',
      '--rate-per-10s',
      '1000',
      '--latency-ms',
      '1',
    ]);
    expect(firstLine).toBe(JSON.stringify({ url }));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await get(url, '/me', apiHeaders('tok'));
    expect(me.status).toBe(200);
    expect(me.headers.get('x-ratelimit-limit')).toBe('1000');

    const ids = await fetch(`${url}/__fake/ids`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect((ids['contacts'] as string[]).length).toBe(25);
    expect((ids['companies'] as string[]).length).toBe(7);
    expect((ids['conversations'] as string[]).length).toBe(9);
    expect((ids['tickets'] as string[]).length).toBe(4);
    expect([...(ids['contacts'] as string[])].sort()).toEqual(ids['contacts']);

    const stats = await fetch(`${url}/__fake/stats`).then((r) => r.json() as Promise<{ totalRequests: number }>);
    expect(stats.totalRequests).toBe(1);

    const f = await fetch(`${url}/__fake/faults`, {
      method: 'POST',
      body: JSON.stringify([{ route: 'GET /admins', kind: 'status', status: 503 }]),
    });
    expect(f.status).toBe(200);
    expect((await get(url, '/admins', apiHeaders('tok'))).status).toBe(503);
    expect((await get(url, '/admins', apiHeaders('tok'))).status).toBe(200);

    const m = await fetch(`${url}/__fake/mutate`, {
      method: 'POST',
      body: JSON.stringify({ stream: 'contacts', create: 2 }),
    }).then((r) => r.json() as Promise<{ created: string[] }>);
    expect(m.created.length).toBe(2);
    const ids2 = await fetch(`${url}/__fake/ids`).then((r) => r.json() as Promise<{ contacts: string[] }>);
    expect(ids2.contacts.length).toBe(27);

    expect((await fetch(`${url}/__fake/reset-stats`, { method: 'POST' })).status).toBe(200);
    const s2 = await fetch(`${url}/__fake/stats`).then((r) => r.json() as Promise<{ totalRequests: number }>);
    expect(s2.totalRequests).toBe(0);

    const adv = await fetch(`${url}/__fake/advance-time`, {
      method: 'POST',
      body: JSON.stringify({ seconds: 3600 }),
    }).then((r) => r.json() as Promise<{ now: number }>);
    expect(adv.now).toBeGreaterThan(Date.now() / 1000 + 3500);

    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('same seed and sizes in two processes give the same ids; SIGINT also exits 0', async () => {
    const a = await startCli(['--seed', '12', '--contacts', '30', '--now', '1749988800']);
    const b = await startCli(['--seed', '12', '--contacts', '30', '--now', '1749988800']);
    const ia = await fetch(`${a.url}/__fake/ids`).then((r) => r.text());
    const ib = await fetch(`${b.url}/__fake/ids`).then((r) => r.text());
    expect(ia).toBe(ib);
    a.child.kill('SIGINT');
    b.child.kill('SIGTERM');
    expect(await exitCode(a.child)).toBe(0);
    expect(await exitCode(b.child)).toBe(0);
  });

  it('rejects bad flags with exit code 2', async () => {
    const child = spawn(process.execPath, [cliJs, '--contacts', 'many'], { stdio: 'ignore' });
    expect(await exitCode(child)).toBe(2);
  });
});
