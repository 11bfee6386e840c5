import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { DEFAULTED_OPTIONS, loadSchema, parseSourceConfig } from './source-config.js';

const TOKEN = 'config-test-token-0123456789';

function errorOf(input: unknown, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseSourceConfig(input, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSourceConfig', () => {
  it('applies defaults: US region, version 2.14, timeouts, concurrency', () => {
    const config = parseSourceConfig({ access_token: TOKEN }, {});
    expect(config.baseUrl).toBe('https://api.intercom.io');
    expect(config.apiVersion).toBe('2.14');
    expect(config.requestTimeoutMs).toBe(60_000);
    expect(config.maxConcurrency).toBe(24);
    expect(config.startDate).toBeUndefined();
  });

  it.each([
    ['eu', 'https://api.eu.intercom.io'],
    ['au', 'https://api.au.intercom.io'],
  ])('maps region %s to %s', (region, url) => {
    expect(parseSourceConfig({ access_token: TOKEN, region }, {}).baseUrl).toBe(url);
  });

  it('accepts OAuth credentials instead of access_token', () => {
    const config = parseSourceConfig(
      { credentials: { auth_type: 'oauth2.0', access_token: TOKEN, client_id: 'cid', client_secret: 'csecret' } },
      {},
    );
    expect(config.accessToken).toBe(TOKEN);
    expect(config.authType).toBe('oauth2.0');
  });

  it('takes the top-level access_token of older and Singer configs as the access-token credentials', () => {
    const config = parseSourceConfig({ access_token: TOKEN }, {});
    expect(config.accessToken).toBe(TOKEN);
    expect(config.authType).toBe('access_token');
    expect(config.settings.credentials).toEqual({ auth_type: 'access_token', access_token: TOKEN });
  });

  it('parses start_date to Unix seconds', () => {
    expect(parseSourceConfig({ access_token: TOKEN, start_date: '2024-01-02T00:00:00Z' }, {}).startDate).toBe(
      1704153600,
    );
    expect(parseSourceConfig({ access_token: TOKEN, start_date: '2024-01-02T01:00:00+01:00' }, {}).startDate).toBe(
      1704153600,
    );
  });

  it('reads a plain date as midnight UTC', () => {
    expect(parseSourceConfig({ access_token: TOKEN, start_date: '2024-01-02' }, {}).startDate).toBe(
      Date.UTC(2024, 0, 2) / 1000,
    );
  });

  it.each(['yesterday', '2024-02-30', '2024-01-02T00:00:00', '01/02/2024', '2024-1-2'])(
    'refuses start_date %j with an example of what works',
    (value) => {
      const err = errorOf({ access_token: TOKEN, start_date: value });
      expect(err.message).toContain('config.start_date');
      expect(err.message).toContain('2024-01-01T00:00:00Z');
      expect(err.message).toContain('such as 2024-01-01 ');
      expect(err.failureType).toBe('config_error');
    },
  );

  it('substitutes ${ENV_VAR} in any string value', () => {
    const config = parseSourceConfig(
      { access_token: '${IC_TOKEN}', region: '${IC_REGION}' },
      { IC_TOKEN: TOKEN, IC_REGION: 'eu' },
    );
    expect(config.accessToken).toBe(TOKEN);
    expect(config.baseUrl).toBe('https://api.eu.intercom.io');
  });

  it('names a missing environment variable and the field using it', () => {
    const err = errorOf({ access_token: '${NOT_SET_ANYWHERE}' });
    expect(err.message).toContain('NOT_SET_ANYWHERE');
    expect(err.message).toContain('config.access_token');
  });

  it.each([
    [{}, /config\.credentials is required: \{"auth_type": "access_token", "access_token"/],
    [{ credentials: { auth_type: 'access_token' } }, /config\.credentials\.access_token is required/],
    [
      { credentials: { auth_type: 'oauth2.0', client_id: 'cid' } },
      /config\.credentials\.access_token is required \(auth_type oauth2\.0\)/,
    ],
    [
      { credentials: { auth_type: 'api_key', access_token: TOKEN } },
      /config\.credentials\.auth_type must be "access_token" or "oauth2\.0"/,
    ],
    [{ credentials: { auth_type: 'access_token', access_token: TOKEN, client_id: 'cid' } }, /config\.credentials/],
    [{ access_token: '' }, /access_token/],
    [{ access_token: 42 }, /config\.access_token must be a non-empty string/],
    [{ access_token: TOKEN, region: 'mars' }, /config\.region must be one of "us", "eu", "au"/],
    [{ access_token: TOKEN, api_version: '1.0' }, /config\.api_version must be one of "2\.14", "2\.15"/],
    [{ access_token: TOKEN, max_concurrency: 0 }, /config\.max_concurrency must be >= 1/],
    [
      { access_token: TOKEN, request_timeout_seconds: 'ten' },
      /config\.request_timeout_seconds must be of type integer/,
    ],
    [{ access_token: TOKEN, start_date: 'yesterday' }, /config\.start_date/],
    [{ access_token: TOKEN, base_url: 'http://api.example.com' }, /plain http:\/\/ to a non-loopback host/],
    [{ access_token: TOKEN, base_url: 'not a url' }, /config\.base_url/],
    [[1, 2], /must be a JSON object/],
  ])('refuses %j with a message naming the field', (input, pattern) => {
    const err = errorOf(input);
    expect(err.message).toMatch(pattern);
    expect(err.failureType).toBe('config_error');
  });

  it('allows http:// only to loopback hosts', () => {
    expect(parseSourceConfig({ access_token: TOKEN, base_url: 'http://127.0.0.1:8080/' }, {}).baseUrl).toBe(
      'http://127.0.0.1:8080',
    );
    expect(parseSourceConfig({ access_token: TOKEN, base_url: 'http://localhost:1234' }, {}).baseUrl).toBe(
      'http://localhost:1234',
    );
    expect(parseSourceConfig({ access_token: TOKEN, base_url: 'https://proxy.example.com' }, {}).baseUrl).toBe(
      'https://proxy.example.com',
    );
  });

  it('warns about unknown keys instead of failing', () => {
    const warnings: string[] = [];
    parseSourceConfig({ access_token: TOKEN, acess_tokn: 'typo' }, {}, (m) => warnings.push(m));
    expect(warnings.join('\n')).toContain("unknown key 'acess_tokn'");
  });

  it('registers hash_salt as a secret as soon as the config is read', () => {
    const salt = 'salty-secret-value-987654';
    errorOf({ access_token: TOKEN, hash_salt: salt, max_concurrency: 'many' });
    expect(redact(`the salt is ${salt}`)).toBe('the salt is ***');
  });

  it('never puts the token in an error message', () => {
    const err = errorOf({ access_token: TOKEN, max_concurrency: 'many' });
    expect(err.message).not.toContain(TOKEN);
  });
});

describe('settings', () => {
  it('lists exactly the options whose schema has a default, so settings never miss one', () => {
    const properties = loadSchema('source').properties as Record<string, { default?: unknown }>;
    const withDefault = Object.keys(properties).filter((key) => properties[key]!.default !== undefined);
    expect([...DEFAULTED_OPTIONS].sort()).toEqual(withDefault.sort());
  });

  it('fills every default at load: the minimal config has all of them', () => {
    const { settings } = parseSourceConfig({ access_token: TOKEN }, {});
    for (const key of DEFAULTED_OPTIONS) expect(settings[key], key).toBeDefined();
    expect(settings.checkpoint_every_records).toBe(5000);
    expect(settings.lookback_window_minutes).toBe(30);
  });

  it('registers hash_salt as a secret at load', () => {
    parseSourceConfig({ access_token: TOKEN, hash_salt: 'settings-test-salt-42' }, {});
    expect(redact('salt settings-test-salt-42')).toBe('salt ***');
  });
});
