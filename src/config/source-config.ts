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

  const startDate = typeof config.start_date === 'string' ? parseStartDate(config.start_date) : undefined;

  return {
    ...connection,
    startDate,
    raw: config as SourceConfigDocument,
  };
}

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A time zone is required: a zone-less time would depend on the machine's TZ.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;

/** start_date as Unix seconds: a plain date is midnight UTC of that day. */
export function parseStartDate(value: string): number {
  const trimmed = value.trim();
  const plain = PLAIN_DATE.exec(trimmed);
  const full = plain ? undefined : DATE_TIME.exec(trimmed);
  const parts = plain ?? full;
  const ms = plain ? Date.parse(`${trimmed}T00:00:00Z`) : full ? Date.parse(trimmed.replace(' ', 'T')) : NaN;
  // Date.parse rolls 2024-02-30 over to March; the calendar date must exist as written.
  const [year, month, day] = parts ? parts.slice(1, 4).map(Number) : [];
  const calendar = parts ? new Date(Date.UTC(year!, month! - 1, day!)) : undefined;
  const exists = !!calendar && calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month! - 1 && calendar.getUTCDate() === day;
  if (Number.isNaN(ms) || !exists) {
    throw new ConfigError(`config.start_date must be a date such as 2024-01-01 (midnight UTC) or an ISO 8601 date-time with a time zone such as 2024-01-01T00:00:00Z (got ${JSON.stringify(value)}).`);
  }
  return Math.floor(ms / 1000);
}
