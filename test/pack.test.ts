import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

/** `npx intercom-connector ...` from the packed tarball: catches files missing from package.json `files`. */
describe('npm pack', () => {
  it('installs from the tarball and its bins answer spec, --about and discover', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-pack-'));
    try {
      const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
      const files = packed[0]!.files.map((f) => f.path);
      expect(files).toContain('dist/src/cli/intercom-connector.js');
      expect(files.some((f) => f.endsWith('.test.js'))).toBe(false);
      const app = join(dir, 'app');
      execFileSync('mkdir', ['-p', app]);
      writeFileSync(join(app, 'package.json'), '{"name":"pack-check","private":true}');
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', join(dir, packed[0]!.filename)], { cwd: app, stdio: 'pipe' });
      const spec = execFileSync('npx', ['--no-install', 'intercom-connector', 'spec'], { cwd: app, encoding: 'utf8' });
      expect(JSON.parse(spec.trim()).type).toBe('SPEC');
      const about = JSON.parse(execFileSync('npx', ['--no-install', 'tap-intercom', '--about'], { cwd: app, encoding: 'utf8' })) as { name: string };
      expect(about.name).toBe('tap-intercom');
      writeFileSync(join(app, 'config.json'), JSON.stringify({ access_token: 'pack-test-token-000000' }));
      const catalog = execFileSync('npx', ['--no-install', 'intercom-connector', 'discover', '--config', 'config.json'], { cwd: app, encoding: 'utf8' });
      expect(JSON.parse(catalog.trim()).catalog.streams.length).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
