import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every secret the tests hand to the connector and every output the connector produced go to a
 * folder set up by test/global-setup.ts; at the end of the run it greps all outputs for all secrets.
 */
const dir = process.env.IC_SECRET_AUDIT_DIR;

export function recordSecret(value: unknown): void {
  if (dir && typeof value === 'string' && value.length >= 8)
    appendFileSync(join(dir, `secrets-${process.pid}.txt`), value + '\n');
}

export function recordOutput(label: string, text: string): void {
  if (dir && text) appendFileSync(join(dir, `outputs-${process.pid}.log`), `### ${label}\n${text}\n`);
}

/** Walks a config-like object and records the values of secret keys. */
export function recordSecretsIn(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (/token|secret|salt|password/i.test(key) && typeof v === 'string') recordSecret(v);
    else recordSecretsIn(v);
  }
}
