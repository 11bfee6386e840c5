import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { excerpt, redact } from '../core/redact.js';
import { parseSourceConfig } from './source-config.js';
import { DEFAULT_MAX_RESPONSE_BYTES, secretKeys } from './connection.js';

const TOKEN = 'connection-test-token-0123456789';

function configError(input: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseSourceConfig({ access_token: TOKEN, ...input }, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('base_url: one origin, nothing else', () => {
  it('refuses credentials in base_url without printing them', () => {
    const err = configError({ base_url: 'https://admin:pa55word-in-url@api.intercom.io' });
    expect(err.message).toMatch(/config\.base_url must not contain a user name or password/);
    expect(err.message).not.toContain('pa55word-in-url');
  });

  it.each([
    ['https://api.intercom.io/?x=1', /query string/],
    ['https://api.intercom.io/?', /query string/],
    ['https://api.intercom.io/#top', /fragment/],
    ['https://api.intercom.io#', /fragment/],
  ])('refuses %s naming base_url', (url, problem) => {
    const err = configError({ base_url: url });
    expect(err.message).toMatch(/config\.base_url/);
    expect(err.message).toMatch(problem);
  });

  it('keeps scheme, host, port and path', () => {
    expect(parseSourceConfig({ access_token: TOKEN, base_url: 'http://127.0.0.1:8080/api/' }, {}).baseUrl).toBe(
      'http://127.0.0.1:8080/api',
    );
  });
});

describe('max_response_bytes', () => {
  it('defaults to 64 MiB and takes the configured value', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * 1024 * 1024);
    expect(parseSourceConfig({ access_token: TOKEN }, {}).maxResponseBytes).toBe(DEFAULT_MAX_RESPONSE_BYTES);
    expect(parseSourceConfig({ access_token: TOKEN, max_response_bytes: 100_000 }, {}).maxResponseBytes).toBe(100_000);
    expect(configError({ max_response_bytes: 10 }).message).toMatch(/max_response_bytes/);
  });
});

describe('secrets of the config', () => {
  it('registers every airbyte_secret field of both schemas, wherever it sits', () => {
    expect([...secretKeys()]).toEqual(expect.arrayContaining(['access_token', 'client_secret', 'hash_salt']));
    parseSourceConfig({ access_token: TOKEN, hash_pii: true, hash_salt: 'salt-value-for-hashing' }, {});
    expect(redact('salt=salt-value-for-hashing')).toBe('salt=***');
  });

  it('registers values substituted from ${ENV}, so a path or header kept in the environment is never printed', () => {
    parseSourceConfig(
      { access_token: '${IC_TEST_TOKEN}', base_url: '${IC_TEST_BASE}' },
      { IC_TEST_TOKEN: 'env-token-abcdef-123456', IC_TEST_BASE: 'https://api.intercom.io' },
    );
    expect(redact('got env-token-abcdef-123456')).toBe('got ***');
  });

  it('redacts a secret holding a quote or backslash in its JSON-escaped forms too', () => {
    const odd = 'tok"en\\with-quote-1234';
    parseSourceConfig({ access_token: odd }, {});
    const once = JSON.stringify({ message: `failed with ${odd}` });
    const twice = JSON.stringify({ internal: once });
    expect(redact(once)).not.toContain('with-quote');
    expect(redact(twice)).not.toContain('with-quote');
  });

  it('an excerpt never ends in a run of 8+ characters of a secret', () => {
    parseSourceConfig({ access_token: TOKEN }, {});
    // A body holding the whole token, cut in the middle of it.
    const text = `{"echo":"${TOKEN}","more":"${'x'.repeat(300)}"}`;
    for (let n = 5; n < 60; n++) {
      const cut = excerpt(text, n);
      for (let i = 0; i + 8 <= TOKEN.length; i++) expect(cut).not.toContain(TOKEN.slice(i, i + 8));
    }
    // A body holding only the beginning of the token (redaction cannot see it whole).
    const partial = excerpt(`{"echo":"${TOKEN.slice(0, 20)}`, 29);
    for (let i = 0; i + 8 <= 20; i++) expect(partial).not.toContain(TOKEN.slice(i, i + 8));
  });
});
