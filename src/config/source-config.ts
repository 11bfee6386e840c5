import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { SourceConfig as SourceConfigDocument } from '../generated/config/index.js';
import { registerSecret } from '../core/redact.js';
import { packageRoot } from '../util/package-root.js';
import { compileSchema, describeErrors } from '../util/schema-validation.js';
import { resolveBaseUrl } from './base-url.js';
import { substituteEnv } from './env.js';

export const SUPPORTED_API_VERSIONS = ['2.14', '2.15'] as const;

/** The source config after validation, defaults and env substitution. */
export interface SourceConfig {
  accessToken: string;
  authType: 'access_token' | 'oauth2.0';
  baseUrl: string;
  apiVersion: string;
  /** Unix seconds; records updated before it are skipped on the first sync. */
  startDate?: number;
  requestTimeoutMs: number;
  maxConcurrency: number;
  maxRequestsPerMinute?: number;
  maxRetries: number;
  maxRateLimitWaitMs: number;
  /** The whole validated config (type generated from schemas/config/source.json), for options owned by individual streams. */
  raw: SourceConfigDocument;
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot, 'schemas', 'config', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

let validator: ReturnType<typeof compileSchema> | undefined;

/** Validates a parsed config document; every problem names the field and what is expected. */
export function parseSourceConfig(input: unknown, env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = () => {}): SourceConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError('The config must be a JSON object, e.g. {"access_token": "..."}.');
  }
  // Register secrets before anything can fail and print them.
  const rawInput = input as Record<string, unknown>;
  registerLiteralSecrets(rawInput);
  const substituted = substituteEnv(rawInput, env) as Record<string, unknown>;
  registerLiteralSecrets(substituted);

  const schema = loadSchema('source');
  validator ??= compileSchema(schema);
  const config = structuredClone(substituted);
  if (!validator(config)) {
    const problems = describeErrors(validator.errors, 'config');
    throw new ConfigError(`Invalid config: ${problems.join('; ')}.`);
  }
  const known = new Set(Object.keys((schema.properties ?? {}) as object));
  for (const key of Object.keys(config)) {
    if (!known.has(key)) warn(`config has an unknown key '${key}'; it is ignored (check the spelling against the spec).`);
  }

  const credentials = config.credentials as { auth_type: 'access_token' | 'oauth2.0'; access_token: string } | undefined;
  const accessToken = (credentials?.access_token ?? config.access_token) as string | undefined;
  if (!accessToken || accessToken.trim() === '') {
    throw new ConfigError('config.access_token is required (or config.credentials.access_token): an Intercom access token with read scopes.');
  }

  let startDate: number | undefined;
  if (typeof config.start_date === 'string') {
    const ms = Date.parse(config.start_date);
    if (Number.isNaN(ms)) throw new ConfigError(`config.start_date must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z (got ${JSON.stringify(config.start_date)}).`);
    startDate = Math.floor(ms / 1000);
  }

  return {
    accessToken,
    authType: credentials?.auth_type ?? 'access_token',
    baseUrl: resolveBaseUrl(config.region as string | undefined, config.base_url as string | undefined),
    apiVersion: config.api_version as string,
    startDate,
    requestTimeoutMs: (config.request_timeout_seconds as number) * 1000,
    maxConcurrency: config.max_concurrency as number,
    maxRequestsPerMinute: config.max_requests_per_minute as number | undefined,
    maxRetries: config.max_retries as number,
    maxRateLimitWaitMs: (config.max_rate_limit_wait_seconds as number) * 1000,
    raw: config as SourceConfigDocument,
  };
}

function registerLiteralSecrets(config: Record<string, unknown>): void {
  if (typeof config.access_token === 'string') registerSecret(config.access_token);
  const credentials = config.credentials;
  if (credentials && typeof credentials === 'object') {
    for (const key of ['access_token', 'client_id', 'client_secret']) {
      const value = (credentials as Record<string, unknown>)[key];
      if (typeof value === 'string') registerSecret(value);
    }
  }
}
