import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Sets up the secret audit (see test/helpers/secret-audit.ts) and fails the run if any output leaked a secret. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ic-secret-audit-'));
  process.env.IC_SECRET_AUDIT_DIR = dir;
  return () => {
    const files = readdirSync(dir);
    const secrets = new Set(
      files
        .filter((f) => f.startsWith('secrets-'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)),
    );
    const leaks: string[] = [];
    let bytes = 0;
    for (const f of files.filter((name) => name.startsWith('outputs-'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      bytes += text.length;
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${secret.slice(0, 4)}… found in ${f}`);
    }
    rmSync(dir, { recursive: true, force: true });
    if (leaks.length)
      throw new Error(`Secret audit failed: a secret appeared in the connector's output:\n${leaks.join('\n')}`);
    console.info(
      `secret audit: ${secrets.size} secrets checked against ${(bytes / 1e6).toFixed(1)} MB of connector output: none found`,
    );
  };
}
