import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { packageRoot } from '../util/package-root.js';
import { describeErrors } from '../util/schema-validation.js';
import { resolveBaseUrl } from './base-url.js';
import { substituteEnv } from './env.js';

/**
 * What every config (source and destination) says about reaching Intercom: the settings the one
 * IntercomClient is built from. Both config parsers share the steps below so the two specs
 * cannot drift apart in how they treat tokens, regions and limits.
 */
export interface ConnectionSettings {
  accessToken: string;
  authType: 'access_token' | 'oauth2.0';
  baseUrl: string;
  apiVersion: string;
  requestTimeoutMs: number;
  maxConcurrency: number;
  maxRequestsPerMinute?: number;
  maxRetries: number;
  maxRateLimitWaitMs: number;
  /** Largest response body read (after decompression); larger ones fail that request. */
  maxResponseBytes: number;
}

/** Default of max_response_bytes: far above any Intercom page, far below what hurts a worker. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Registers the secrets, substitutes `${ENV}` references (registering the substituted secrets
 * too, before anything can fail and print them) and returns a copy safe to mutate.
 */
export function prepareConfigDocument(input: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError('The config must be a JSON object, e.g. {"access_token": "..."}.');
  }
  const rawInput = input as Record<string, unknown>;
  registerLiteralSecrets(rawInput);
  const substituted = substituteEnv(rawInput, env) as Record<string, unknown>;
  registerLiteralSecrets(substituted);
  return structuredClone(substituted);
}

/** Validates (and fills defaults into) a prepared config; warns about top-level keys the schema does not know. */
export function validateConfigDocument(
  config: Record<string, unknown>,
  schema: Record<string, unknown>,
  validate: ValidateFunction,
  warn: (msg: string) => void,
): void {
  if (!validate(config)) {
    const problems = describeErrors(validate.errors, 'config');
    throw new ConfigError(`Invalid config: ${problems.join('; ')}.`);
  }
  const known = new Set(Object.keys((schema.properties ?? {}) as object));
  for (const key of Object.keys(config)) {
    if (!known.has(key))
      warn(`config has an unknown key '${key}'; it is ignored (check the spelling against the spec).`);
  }
}

/** The connection settings of a validated config (defaults already applied by the schema). */
export function connectionSettings(config: Record<string, unknown>, scopes: string): ConnectionSettings {
  const credentials = config.credentials as
    { auth_type: 'access_token' | 'oauth2.0'; access_token: string } | undefined;
  const accessToken = (credentials?.access_token ?? config.access_token) as string | undefined;
  if (!accessToken || accessToken.trim() === '') {
    throw new ConfigError(
      `config.access_token is required (or config.credentials.access_token): an Intercom access token with ${scopes}.`,
    );
  }
  return {
    accessToken,
    authType: credentials?.auth_type ?? 'access_token',
    baseUrl: resolveBaseUrl(config.region as string | undefined, config.base_url as string | undefined),
    apiVersion: config.api_version as string,
    requestTimeoutMs: (config.request_timeout_seconds as number) * 1000,
    maxConcurrency: config.max_concurrency as number,
    maxRequestsPerMinute: config.max_requests_per_minute as number | undefined,
    maxRetries: config.max_retries as number,
    maxRateLimitWaitMs: (config.max_rate_limit_wait_seconds as number) * 1000,
    maxResponseBytes: (config.max_response_bytes as number | undefined) ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

/**
 * Every string under a key the config schemas mark `airbyte_secret`, at any depth (so a secret
 * moved into `credentials` or a `oneOf` branch is still found), registered before anything can fail
 * and print it.
 */
function registerLiteralSecrets(value: unknown, underSecretKey = false): void {
  if (typeof value === 'string') {
    if (underSecretKey) registerSecret(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) registerLiteralSecrets(item, underSecretKey);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) registerLiteralSecrets(child, secretKeys().has(key));
}

let secretKeyNames: Set<string> | undefined;

/** Names of the properties either config schema marks `airbyte_secret: true`. */
export function secretKeys(): Set<string> {
  if (secretKeyNames) return secretKeyNames;
  const names = new Set<string>(['access_token', 'client_secret']);
  for (const file of ['source', 'destination']) {
    const schema = JSON.parse(readFileSync(join(packageRoot, 'schemas', 'config', `${file}.json`), 'utf8')) as unknown;
    collectSecretKeys(schema, names);
  }
  secretKeyNames = names;
  return names;
}

function collectSecretKeys(node: unknown, names: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectSecretKeys(item, names);
    return;
  }
  const properties = (node as { properties?: unknown }).properties;
  if (properties && typeof properties === 'object') {
    for (const [name, def] of Object.entries(properties)) {
      if (def && typeof def === 'object' && (def as { airbyte_secret?: unknown }).airbyte_secret === true)
        names.add(name);
    }
  }
  for (const child of Object.values(node)) collectSecretKeys(child, names);
}

const AUTH_TYPES = ['access_token', 'oauth2.0'];

/**
 * The spec asks for `credentials` (Airbyte's auth-method dropdown); the top-level `access_token`
 * of Singer/Meltano configs and older files still works: it becomes the access-token branch. The
 * checks here name the field and the fix, where the schema's oneOf would list both branches' errors.
 */
export function normalizeCredentials(config: Record<string, unknown>): void {
  const legacy = config.access_token;
  if (config.credentials === undefined) {
    if (legacy === undefined) {
      throw new ConfigError(
        'config.credentials is required: {"auth_type": "access_token", "access_token": "<Intercom access token>"} (the top-level "access_token" key works too).',
      );
    }
    if (typeof legacy !== 'string' || legacy.trim() === '')
      throw new ConfigError('config.access_token must be a non-empty string: an Intercom access token.');
    config.credentials = { auth_type: 'access_token', access_token: legacy };
    return;
  }
  const credentials = config.credentials;
  if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) {
    throw new ConfigError(
      'config.credentials must be an object: {"auth_type": "access_token", "access_token": "..."}.',
    );
  }
  const { auth_type: authType, access_token: token } = credentials as Record<string, unknown>;
  if (typeof authType !== 'string' || !AUTH_TYPES.includes(authType)) {
    throw new ConfigError(
      `config.credentials.auth_type must be "access_token" or "oauth2.0" (got ${JSON.stringify(authType ?? null)}).`,
    );
  }
  if (typeof token !== 'string' || token.trim() === '') {
    throw new ConfigError(
      `config.credentials.access_token is required (auth_type ${authType}): an Intercom access token.`,
    );
  }
}
