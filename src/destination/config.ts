import { connectionSettings, normalizeCredentials, prepareConfigDocument, validateConfigDocument, type ConnectionSettings } from '../config/connection.js';
import { loadSchema } from '../config/source-config.js';
import type { DestinationConfig as DestinationConfigDocument } from '../generated/config/index.js';
import { readJsonFile } from '../util/json-file.js';
import { compileSchema } from '../util/schema-validation.js';

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

let validator: ReturnType<typeof compileSchema> | undefined;

/** Validates a destination config document; every problem names the field and what is expected. */
export function parseDestinationConfig(input: unknown, env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = () => {}): DestinationConfig {
  const config = prepareConfigDocument(input, env);
  normalizeCredentials(config);
  const schema = loadSchema('destination');
  validator ??= compileSchema(schema);
  validateConfigDocument(config, schema, validator, warn);
  const raw = config as DestinationConfigDocument;
  return {
    ...connectionSettings(config, 'the write scopes of the objects you write'),
    streams: raw.streams ?? {},
    onError: raw.on_error ?? 'dead_letter',
    deadLetterPath: raw.dead_letter_path ?? 'dead_letter.jsonl',
    responsesPath: raw.responses_path,
    ledgerPath: raw.ledger_path ?? 'intercom_write_ledger.jsonl',
    dryRun: raw.dry_run ?? false,
    maxMessageBytes: raw.max_message_bytes ?? 10 * 1024 * 1024,
    raw,
  };
}

export function loadDestinationConfig(path: string, warn: (msg: string) => void, env: NodeJS.ProcessEnv = process.env): DestinationConfig {
  return parseDestinationConfig(readJsonFile(path, 'config'), env, warn);
}
