import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { SourceConfig as SourceConfigDocument } from '../generated/config/index.js';
import { packageRoot } from '../util/package-root.js';
import { compileSchema } from '../util/schema-validation.js';
import { connectionSettings, normalizeCredentials, prepareConfigDocument, validateConfigDocument, type ConnectionSettings } from './connection.js';

export const SUPPORTED_API_VERSIONS = ['2.14', '2.15'] as const;

/** The source config after validation, defaults and env substitution. */
export interface SourceConfig extends ConnectionSettings {
  /** Unix seconds; records updated before it are skipped on the first sync. */
  startDate?: number;
  /** The whole validated config (type generated from schemas/config/source.json), for options owned by individual streams. */
  raw: SourceConfigDocument;
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot, 'schemas', 'config', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

let validator: ReturnType<typeof compileSchema> | undefined;

/** Validates a parsed config document; every problem names the field and what is expected. */
export function parseSourceConfig(input: unknown, env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = () => {}): SourceConfig {
  const config = prepareConfigDocument(input, env);
  normalizeCredentials(config);
  const schema = loadSchema('source');
  validator ??= compileSchema(schema);
  validateConfigDocument(config, schema, validator, warn);
  const connection = connectionSettings(config, 'read scopes');

  let startDate: number | undefined;
  if (typeof config.start_date === 'string') {
    const ms = Date.parse(config.start_date);
    if (Number.isNaN(ms)) throw new ConfigError(`config.start_date must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z (got ${JSON.stringify(config.start_date)}).`);
    startDate = Math.floor(ms / 1000);
  }

  return {
    ...connection,
    startDate,
    raw: config as SourceConfigDocument,
  };
}
