import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import {
  connectionSettings,
  normalizeCredentials,
  prepareConfigDocument,
  validateConfigDocument,
  type ConnectionSettings,
} from '../config/connection.js';
import { loadSchema } from '../config/source-config.js';
import type { DestinationConfig as DestinationConfigDocument } from '../generated/config/index.js';
import { readJsonFile } from '../util/json-file.js';
import { precompiled } from '../util/schema-validation.js';
import validateDestinationConfig from '../generated/validators/destination.js';
import { checkOutputPath } from './output-path.js';

export type StreamWriteConfig = NonNullable<DestinationConfigDocument['streams']>[string];
export type OnError = 'dead_letter' | 'fail';

/** The destination config after validation, defaults and env substitution. */
export interface DestinationConfig extends ConnectionSettings {
  streams: Record<string, StreamWriteConfig>;
  onError: OnError;
  deadLetterPath: string;
  responsesPath?: string;
  ledgerPath: string;
  dryRun: boolean;
  maxMessageBytes: number;
  raw: DestinationConfigDocument;
}

const validator = precompiled(validateDestinationConfig);

/** Validates a destination config document; every problem names the field and what is expected. */
export function parseDestinationConfig(
  input: unknown,
  env: NodeJS.ProcessEnv = process.env,
  warn: (msg: string) => void = () => {},
): DestinationConfig {
  const config = prepareConfigDocument(input, env);
  normalizeCredentials(config);
  const schema = loadSchema('destination');
  validateConfigDocument(config, schema, validator, warn);
  // The schema's defaults were filled by the validator: these options are always present.
  const raw = config as DestinationConfigDocument &
    Required<
      Pick<DestinationConfigDocument, 'dead_letter_path' | 'ledger_path' | 'on_error' | 'dry_run' | 'max_message_bytes'>
    >;
  const deadLetterPath = raw.dead_letter_path;
  const ledgerPath = raw.ledger_path;
  checkOutputPath('dead_letter_path', deadLetterPath);
  checkOutputPath('responses_path', raw.responses_path);
  checkOutputPath('ledger_path', ledgerPath);
  checkOutputPath('ledger_path', `${ledgerPath}.tmp`);
  refuseSharedPaths({ dead_letter_path: deadLetterPath, responses_path: raw.responses_path, ledger_path: ledgerPath });
  return {
    ...connectionSettings(config, 'the write scopes of the objects you write'),
    streams: raw.streams ?? {},
    onError: raw.on_error,
    deadLetterPath,
    responsesPath: raw.responses_path,
    ledgerPath,
    dryRun: raw.dry_run,
    maxMessageBytes: raw.max_message_bytes,
    raw,
  };
}

/** Two outputs in one file would interleave dead letters with ledger entries (and compaction would erase them). */
function refuseSharedPaths(paths: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [field, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    const other = seen.get(resolve(path));
    if (other)
      throw new ConfigError(
        `config.${field} and config.${other} name the same file ('${path}'); give each its own file.`,
      );
    seen.set(resolve(path), field);
  }
}

export function loadDestinationConfig(
  path: string,
  warn: (msg: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): DestinationConfig {
  return parseDestinationConfig(readJsonFile(path, 'config'), env, warn);
}
