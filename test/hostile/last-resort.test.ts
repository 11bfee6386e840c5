import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';
import { recordOutput } from '../helpers/secret-audit.js';
import { TOKEN } from './hostile.js';

/** An error nothing caught: a TRACE ERROR (Airbyte) or CRITICAL line (Singer), redacted, exit 1. */
function escape(
  protocol: 'airbyte' | 'singer',
  how: 'throw' | 'reject',
): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  const dist = (p: string) => JSON.stringify(join(repoRoot, 'dist/src', p));
  const script = `
    const { installLastResort } = await import(${dist('cli/last-resort.js')});
    const { registerSecret } = await import(${dist('core/redact.js')});
    registerSecret(${JSON.stringify(TOKEN)});
    installLastResort(${JSON.stringify(protocol)});
    setTimeout(() => {
      const err = new Error('boom with ' + ${JSON.stringify(TOKEN)});
      if (${JSON.stringify(how)} === 'throw') throw err;
      Promise.reject(err);
    }, 10);
    setInterval(() => {}, 1000); // something that would keep the process alive
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  recordOutput(`last resort ${protocol} ${how}`, result.stdout + result.stderr);
  return result as ReturnType<typeof spawnSync> & { stdout: string; stderr: string };
}

describe('last-resort handler', () => {
  it.each(['throw', 'reject'] as const)(
    'Airbyte: an escaped %s becomes one TRACE ERROR on stdout and exit 1',
    (how) => {
      const result = escape('airbyte', how);
      expect(result.status).toBe(1);
      const lines = result.stdout
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              type: string;
              trace: { type: string; error: { message: string; failure_type: string } };
            },
        );
      expect(lines).toHaveLength(1);
      expect(lines[0]!.type).toBe('TRACE');
      expect(lines[0]!.trace.error.failure_type).toBe('system_error');
      expect(lines[0]!.trace.error.message).toMatch(/Unexpected internal error, the run stops: boom with \*\*\*/);
      expect(result.stdout + result.stderr).not.toContain(TOKEN.slice(0, 8));
    },
  );

  it.each(['throw', 'reject'] as const)(
    'Singer: an escaped %s becomes a CRITICAL line on stderr, stdout untouched, exit 1',
    (how) => {
      const result = escape('singer', how);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^CRITICAL Unexpected internal error, the run stops: boom with \*\*\*/m);
      expect(result.stderr).not.toContain(TOKEN.slice(0, 8));
    },
  );
});
