import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { SourceConfig as SourceConfigDocument } from '../generated/config/index.js';
import { packageRoot } from '../util/package-root.js';
import { precompiled } from '../util/schema-validation.js';
import validateSourceConfig from '../generated/validators/source.js';
import { parseCustomStreams, type CustomStreamDef } from './custom-streams.js';
import {
  connectionSettings,
  normalizeCredentials,
  prepareConfigDocument,
  validateConfigDocument,
  type ConnectionSettings,
} from './connection.js';

export const SUPPORTED_API_VERSIONS = ['2.14', '2.15'] as const;

/**
 * Options whose schema has a default. The validator fills those defaults at config load, so in
 * the settings they are never missing and no reader repeats a fallback. A test checks this list
 * against the schema.
 */
export const DEFAULTED_OPTIONS = [
  'region',
  'api_version',
  'request_timeout_seconds',
  'max_concurrency',
  'max_parallel_readers',
  'max_retries',
  'max_rate_limit_wait_seconds',
  'max_response_bytes',
  'lookback_window_minutes',
  'conversation_parts_display_as',
  'segments_include_count',
  'scroll_busy_wait_seconds',
  'checkpoint_every_records',
  'checkpoint_every_seconds',
  'activity_logs_window_days',
  'fail_on_missing_permission',
  'hash_pii',
  'schema_drift',
  'json_string_fields',
  'macro_time_unit',
  'macro_date_format',
  'reporting_datasets',
  'reporting_window_days',
  'reporting_lookback_days',
  'reporting_retention_days',
  'reporting_poll_max_seconds',
  'reporting_job_timeout_minutes',
  'engagement_window_days',
  'engagement_lookback_days',
] as const satisfies readonly (keyof SourceConfigDocument)[];

/** The validated config document with every schema default applied (type generated from schemas/config/source.json). */
export type SourceSettings = SourceConfigDocument &
  Required<Pick<SourceConfigDocument, (typeof DEFAULTED_OPTIONS)[number]>>;

/** The source config after validation, defaults and env substitution: built once, at config load. */
export interface SourceConfig extends ConnectionSettings {
  /** Unix seconds; records updated before it are skipped on the first sync. */
  startDate?: number;
  /** Every option, defaults applied: streams and the engine read their options here. */
  settings: SourceSettings;
  /** The config's custom streams, validated and with their defaults. */
  customStreams: readonly CustomStreamDef[];
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot, 'schemas', 'config', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

const validator = precompiled(validateSourceConfig);

/** Validates a parsed config document; every problem names the field and what is expected. */
export function parseSourceConfig(
  input: unknown,
  env: NodeJS.ProcessEnv = process.env,
  warn: (msg: string) => void = () => {},
): SourceConfig {
  const config = prepareConfigDocument(input, env);
  normalizeCredentials(config);
  const schema = loadSchema('source');
  validateConfigDocument(config, schema, validator, warn);
  const connection = connectionSettings(config, 'read scopes');

  const startDate = typeof config.start_date === 'string' ? parseStartDate(config.start_date) : undefined;

  const settings = withDefaults(config as SourceConfigDocument);
  return { ...connection, startDate, settings, customStreams: parseCustomStreams(settings) };
}

/** Narrows the validated document to SourceSettings; a missing default is a bug in the schema, not in the user's config. */
function withDefaults(doc: SourceConfigDocument): SourceSettings {
  const missing = DEFAULTED_OPTIONS.filter((key) => doc[key] === undefined);
  if (missing.length > 0) throw new Error(`schemas/config/source.json lost the default of ${missing.join(', ')}`);
  return doc as SourceSettings;
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
  const exists =
    !!calendar &&
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month! - 1 &&
    calendar.getUTCDate() === day;
  if (Number.isNaN(ms) || !exists) {
    throw new ConfigError(
      `config.start_date must be a date such as 2024-01-01 (midnight UTC) or an ISO 8601 date-time with a time zone such as 2024-01-01T00:00:00Z (got ${JSON.stringify(value)}).`,
    );
  }
  return Math.floor(ms / 1000);
}
