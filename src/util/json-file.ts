import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/** Reads a JSON file the user gave us; every failure names the file and its role. */
export function readJsonFile(path: string, role: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `Cannot read the ${role} file '${path}'${code === 'ENOENT' ? ': no such file' : code ? `: ${code}` : ''}.`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(
      `The ${role} file '${path}' is not valid JSON: ${(err as Error).message}. Fix the file and run again.`,
    );
  }
}
