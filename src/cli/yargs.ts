import { createRequire } from 'node:module';
import type yargsFactory from 'yargs';

/**
 * yargs' CommonJS build. Its help text wraps at word boundaries (cliui with wrap-ansi); the ESM
 * build's cliui wraps by character count and breaks words in the middle ("Airb" / "yte").
 */
export const yargs = createRequire(import.meta.url)('yargs') as typeof yargsFactory;
export type { Argv } from 'yargs';

/** Help width: the terminal's, at most 100 columns, 100 when not on a terminal (logs, pipes). */
export function helpWidth(): number {
  return Math.min(100, process.stdout.columns || 100);
}
