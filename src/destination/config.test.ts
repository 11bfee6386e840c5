import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { packageRoot } from '../util/package-root.js';
import { parseDestinationConfig } from './config.js';
import { StreamRoutes } from './routes.js';

const schema = (name: string) => JSON.parse(readFileSync(join(packageRoot, 'schemas', 'config', `${name}.json`), 'utf8')) as { properties: Record<string, Record<string, unknown>> };

describe('destination config', () => {
  it('applies defaults and substitutes ${ENV}; the token is registered as a secret', () => {
    const config = parseDestinationConfig({ access_token: '${DEST_TOKEN}', region: 'eu' }, { DEST_TOKEN: 'dest-secret-token-123' });
    expect(config).toMatchObject({ accessToken: 'dest-secret-token-123', baseUrl: 'https://api.eu.intercom.io', apiVersion: '2.14', maxConcurrency: 24, maxRetries: 6, onError: 'dead_letter', deadLetterPath: 'dead_letter.jsonl', dryRun: false, streams: {} });
    expect(redact('token dest-secret-token-123')).toBe('token ***');
  });

  it('refuses a bad value naming the field', () => {
    expect(() => parseDestinationConfig({ access_token: 'x'.repeat(10), on_error: 'explode' })).toThrow(/config.on_error must be one of "dead_letter", "fail"/);
    expect(() => parseDestinationConfig({ access_token: 'x'.repeat(10), streams: { s: { operation: 'merge' } } })).toThrow(/config.streams.s.operation must be one of/);
    expect(() => parseDestinationConfig({ access_token: 'x'.repeat(10), base_url: 'http://example.com' })).toThrow(/plain http/);
  });

  it('shares the connection settings with the source spec, property for property', () => {
    const source = schema('source').properties;
    const destination = schema('destination').properties;
    for (const key of ['credentials', 'region', 'api_version', 'base_url', 'request_timeout_seconds', 'max_concurrency', 'max_requests_per_minute', 'max_retries', 'max_rate_limit_wait_seconds']) {
      expect(destination[key], key).toEqual(source[key]);
    }
    const { description: _d, ...tokenRest } = destination.access_token!;
    const { description: _s, ...sourceTokenRest } = source.access_token!;
    expect(tokenRest).toEqual(sourceTokenRest);
  });

  it('every field, nested stream settings included, has a title, a description and an order', () => {
    const props = schema('destination').properties;
    const streamProps = (props.streams!.additionalProperties as { properties: Record<string, Record<string, unknown>> }).properties;
    for (const [name, p] of [...Object.entries(props), ...Object.entries(streamProps)]) {
      expect(p.title, name).toBeTruthy();
      expect(p.description, name).toBeTruthy();
      expect(typeof p.order, name).toBe('number');
    }
  });
});

describe('stream routes', () => {
  it('a stream named after an object needs no config; others name an object or method + path', () => {
    const routes = new StreamRoutes({ people: { object: 'contacts', operation: 'delete' }, usage: { method: 'POST', path: '/contacts/{contact_id}/companies' } });
    expect(routes.get('companies')).toMatchObject({ operation: 'upsert', writer: { object: 'companies' } });
    expect(routes.get('people')).toMatchObject({ operation: 'delete', writer: { object: 'contacts' } });
    expect(routes.get('usage')).toMatchObject({ writer: { object: 'usage' } });
    expect(routes.get('widgets')).toMatch(/no writer for stream 'widgets'/);
  });

  it('config mistakes fail before any record is read', () => {
    expect(() => new StreamRoutes({ s: { object: 'events', operation: 'delete' } })).toThrow(/config.streams.s.operation 'delete' is not available for events/);
    expect(() => new StreamRoutes({ s: { method: 'POST' } })).toThrow(/needs both method and path/);
    expect(() => new StreamRoutes({ s: { method: 'POST', path: '/x/{id}', batch_property: 'items' } })).toThrow(/must be fixed/);
    expect(() => new StreamRoutes({ s: { object: 'contacts', path: '/x' } })).toThrow(ConfigError);
    expect(() => new StreamRoutes({}, [{ name: 'widgets' }])).toThrow(/no writer for stream 'widgets'/);
    expect(() => new StreamRoutes({}, [{ name: 'crm', objectName: 'contacts' }])).not.toThrow();
  });

  it('with a catalog, a stream outside it is a per-record error', () => {
    const routes = new StreamRoutes({}, [{ name: 'contacts' }]);
    expect(routes.get('companies')).toMatch(/not in the configured catalog/);
  });
});
