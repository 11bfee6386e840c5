import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

/**
 * The install routes the README gives, from what a fresh clone has: no dist/. The tree (committed
 * and new files, as git sees them) is copied into an empty folder, `npm pack` there must build
 * (prepack), and the tarball is installed globally into a temp prefix. Dependencies come from the
 * local npm cache (`--offline`): the test needs no registry.
 */
describe('npm pack + npm install -g --prefix', () => {
  let dir = '';
  let bin = '';
  let files: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ic-pack-'));
    const clone = join(dir, 'clone');
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\0')
      .filter(Boolean);
    for (const path of tracked) {
      if (!existsSync(join(repoRoot, path))) continue; // deleted in the work tree
      mkdirSync(dirname(join(clone, path)), { recursive: true });
      cpSync(join(repoRoot, path), join(clone, path));
    }
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    // The clone's devDependencies (typescript for the prepack build) as `npm ci` would install them.
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: clone,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed[0]!.files.map((f) => f.path);
    const prefix = join(dir, 'prefix');
    execFileSync(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(dir, packed[0]!.filename)],
      { cwd: dir, stdio: 'pipe' },
    );
    bin = join(prefix, 'bin');
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the built commands and what they read, not the tests, the bench or the test-only helpers', () => {
    for (const f of [
      'dist/bin/intercom-connector.js',
      'dist/bin/tap-intercom.js',
      'dist/bin/target-intercom.js',
      'schemas/config/source.json',
      'catalog.quickstart.json',
      'meltano/tap-intercom.yml',
      'dist/src/fake-intercom/server.js',
    ]) {
      expect(files).toContain(f);
    }
    expect(
      files.filter(
        (f) =>
          f.endsWith('.test.js') ||
          f.startsWith('dist/bench/') ||
          f.startsWith('bench/') ||
          f.startsWith('src/') ||
          f.startsWith('spec/'),
      ),
    ).toEqual([]);
    // Test-only modules (test/helpers import devDependencies such as yaml) are not built into the package.
    expect(files.filter((f) => f.startsWith('dist/test/'))).toEqual([]);
  });

  it('puts tap-intercom, target-intercom and intercom-connector on the PATH of the prefix, and they answer', () => {
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const about = JSON.parse(execFileSync('tap-intercom', ['--about'], { env, encoding: 'utf8' })) as {
      name: string;
      settings: object;
    };
    expect(about.name).toBe('tap-intercom');
    const spec = JSON.parse(execFileSync('intercom-connector', ['spec'], { env, encoding: 'utf8' }).trim()) as {
      type: string;
      spec: { connectionSpecification: object };
    };
    expect(spec.type).toBe('SPEC');
    expect(spec.spec.connectionSpecification).toEqual(
      JSON.parse(readFileSync(join(repoRoot, 'schemas/config/source.json'), 'utf8')),
    );
    const target = execFileSync('target-intercom', ['--help'], { env, encoding: 'utf8' });
    expect(target).toContain('target-intercom');
  });

  it('runs the demo from the installed package (fake Intercom shipped, no token)', () => {
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const out = execFileSync('intercom-connector', ['demo'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const records = out.split('\n').filter((l) => l.startsWith('{"type":"RECORD"'));
    expect(records.length).toBeGreaterThan(100);
    const streams = new Set(records.map((l) => (JSON.parse(l) as { record: { stream: string } }).record.stream));
    expect(streams).toContain('contacts');
  }, 120_000);
});
