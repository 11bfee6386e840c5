import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { packageRoot } from '../util/package-root.js';
import { parseDestinationConfig } from './config.js';
import { JsonlFile } from './jsonl-file.js';
import { Ledger } from './ledger.js';
import { StreamRoutes } from './routes.js';

const schema = (name: string) =>
  JSON.parse(readFileSync(join(packageRoot, 'schemas', 'config', `${name}.json`), 'utf8')) as {
    properties: Record<string, Record<string, unknown>>;
  };

describe('destination config', () => {
  it('applies defaults and substitutes ${ENV}; the token is registered as a secret', () => {
    const config = parseDestinationConfig(
      { access_token: '${DEST_TOKEN}', region: 'eu' },
      { DEST_TOKEN: 'dest-secret-token-123' },
    );
    expect(config).toMatchObject({
      accessToken: 'dest-secret-token-123',
      baseUrl: 'https://api.eu.intercom.io',
      apiVersion: '2.14',
      maxConcurrency: 24,
      maxRetries: 6,
      onError: 'dead_letter',
      deadLetterPath: 'dead_letter.jsonl',
      dryRun: false,
      streams: {},
    });
    expect(redact('token dest-secret-token-123')).toBe('token ***');
  });

  it('refuses a bad value naming the field', () => {
    expect(() => parseDestinationConfig({ access_token: 'x'.repeat(10), on_error: 'explode' })).toThrow(
      /config.on_error must be one of "dead_letter", "fail"/,
    );
    expect(() =>
      parseDestinationConfig({ access_token: 'x'.repeat(10), streams: { s: { operation: 'merge' } } }),
    ).toThrow(/config.streams.s.operation must be one of/);
    expect(() => parseDestinationConfig({ access_token: 'x'.repeat(10), base_url: 'http://example.com' })).toThrow(
      /plain http/,
    );
  });

  it('shares the connection settings with the source spec, property for property', () => {
    const source = schema('source').properties;
    const destination = schema('destination').properties;
    for (const key of [
      'credentials',
      'region',
      'api_version',
      'base_url',
      'request_timeout_seconds',
      'max_concurrency',
      'max_requests_per_minute',
      'max_retries',
      'max_rate_limit_wait_seconds',
    ]) {
      expect(destination[key], key).toEqual(source[key]);
    }
    const { description: _d, ...tokenRest } = destination.access_token!;
    const { description: _s, ...sourceTokenRest } = source.access_token!;
    expect(tokenRest).toEqual(sourceTokenRest);
  });

  it('every field, nested stream settings included, has a title, a description and an order', () => {
    const props = schema('destination').properties;
    const streamProps = (props.streams!.additionalProperties as { properties: Record<string, Record<string, unknown>> })
      .properties;
    for (const [name, p] of [...Object.entries(props), ...Object.entries(streamProps)]) {
      expect(p.title, name).toBeTruthy();
      expect(p.description, name).toBeTruthy();
      expect(typeof p.order, name).toBe('number');
    }
  });
});

describe('stream routes', () => {
  it('a stream named after an object needs no config; others name an object or method + path', () => {
    const routes = new StreamRoutes({
      people: { object: 'contacts', operation: 'delete' },
      usage: { method: 'POST', path: '/contacts/{contact_id}/companies' },
    });
    expect(routes.get('companies')).toMatchObject({ operation: 'upsert', writer: { object: 'companies' } });
    expect(routes.get('people')).toMatchObject({ operation: 'delete', writer: { object: 'contacts' } });
    expect(routes.get('usage')).toMatchObject({ writer: { object: 'usage' } });
    expect(routes.get('widgets')).toMatch(/no writer for stream 'widgets'/);
  });

  it('config mistakes fail before any record is read', () => {
    expect(() => new StreamRoutes({ s: { object: 'events', operation: 'delete' } })).toThrow(
      /config.streams.s.operation 'delete' is not available for events/,
    );
    expect(() => new StreamRoutes({ s: { method: 'POST' } })).toThrow(/needs both method and path/);
    expect(() => new StreamRoutes({ s: { method: 'POST', path: '/x/{id}', batch_property: 'items' } })).toThrow(
      /must be fixed/,
    );
    expect(() => new StreamRoutes({ s: { object: 'contacts', path: '/x' } })).toThrow(ConfigError);
    expect(() => new StreamRoutes({}, [{ name: 'widgets' }])).toThrow(/no writer for stream 'widgets'/);
    expect(() => new StreamRoutes({}, [{ name: 'crm', objectName: 'contacts' }])).not.toThrow();
  });

  it('a generic path must be a plain path below the API root', () => {
    expect(() => new StreamRoutes({ s: { method: 'DELETE', path: '/contacts/../tags/{id}' } })).toThrow(
      /config.streams.s.path '\/contacts\/..\/tags\/\{id\}' has a '.' or '..' segment/,
    );
    expect(() => new StreamRoutes({ s: { method: 'POST', path: '/contacts/{id}?force=1' } })).toThrow(/no '\?'/);
    expect(() => new StreamRoutes({ s: { method: 'POST', path: 'contacts/{id}' } })).toThrow(/must start with '\/'/);
  });

  it('with a catalog, a stream outside it is a per-record error', () => {
    const routes = new StreamRoutes({}, [{ name: 'contacts' }]);
    expect(routes.get('companies')).toMatch(/not in the configured catalog/);
  });
});

describe('output files (dead letters, responses, ledger)', () => {
  const dir = (): string => mkdtempSync(join(tmpdir(), 'ic-dest-paths-'));
  const parse = (paths: Record<string, string>) => () =>
    parseDestinationConfig({ access_token: 'x'.repeat(10), ...paths }, {});

  it('accepts a new file in a new folder and an existing regular file', () => {
    const d = dir();
    writeFileSync(join(d, 'dl.jsonl'), '');
    expect(
      parse({
        dead_letter_path: join(d, 'dl.jsonl'),
        ledger_path: join(d, 'new', 'ledger.jsonl'),
        responses_path: join(d, 'r.jsonl'),
      }),
    ).not.toThrow();
  });

  it.each(['dead_letter_path', 'responses_path', 'ledger_path'])(
    '%s: a symbolic link is refused, naming the field (even one pointing to a regular file)',
    (field) => {
      const d = dir();
      writeFileSync(join(d, 'victim.txt'), 'keep me\n');
      symlinkSync(join(d, 'victim.txt'), join(d, 'link.jsonl'));
      symlinkSync(join(d, 'nowhere'), join(d, 'dangling.jsonl'));
      for (const link of ['link.jsonl', 'dangling.jsonl']) {
        const paths = {
          dead_letter_path: join(d, 'dl.jsonl'),
          ledger_path: join(d, 'ledger.jsonl'),
          [field]: join(d, link),
        };
        expect(parse(paths)).toThrow(ConfigError);
        expect(parse(paths)).toThrow(new RegExp(`config.${field} '.*${link}' is a symbolic link`));
      }
      expect(readFileSync(join(d, 'victim.txt'), 'utf8')).toBe('keep me\n');
    },
  );

  it.each([
    [
      'a directory',
      (d: string) => (mkdirSync(join(d, 'folder')), join(d, 'folder')),
      /is a directory, not a regular file/,
    ],
    [
      'a FIFO',
      (d: string) => (execFileSync('mkfifo', [join(d, 'fifo')]), join(d, 'fifo')),
      /is a FIFO \(named pipe\), not a regular file/,
    ],
    ['a device', () => '/dev/null', /is a device, not a regular file/],
    ['a file of /proc', () => '/proc/self/status', /is under \/proc/],
    ['a new file under /proc', () => '/proc/self/new-dead-letters.jsonl', /is under \/proc/],
    ['a file of /sys', () => '/sys/kernel/notes-copy', /is under \/sys/],
  ])('%s is refused with a config error naming the field', (_label, make, why) => {
    const d = dir();
    const target = make(d);
    expect(parse({ dead_letter_path: target, ledger_path: join(d, 'ledger.jsonl') })).toThrow(why);
    expect(parse({ dead_letter_path: target, ledger_path: join(d, 'ledger.jsonl') })).toThrow(
      /config.dead_letter_path/,
    );
    expect(parse({ dead_letter_path: join(d, 'dl.jsonl'), ledger_path: target })).toThrow(/config.ledger_path/);
  });

  it('two outputs naming one file are refused', () => {
    const d = dir();
    expect(parse({ dead_letter_path: join(d, 'same.jsonl'), ledger_path: join(d, '.', 'same.jsonl') })).toThrow(
      /config.ledger_path and config.dead_letter_path name the same file/,
    );
  });

  it('a symlink or FIFO swapped in after the config check is refused at open (O_NOFOLLOW, regular files only), not followed', () => {
    const d = dir();
    writeFileSync(join(d, 'victim.txt'), 'keep me\n');
    symlinkSync(join(d, 'victim.txt'), join(d, 'dl.jsonl'));
    const file = new JsonlFile(join(d, 'dl.jsonl'), 'dead-letter');
    expect(() => file.append({ a: 1 })).toThrow(/Cannot open the dead-letter file .*: it is a symbolic link/);
    expect(readFileSync(join(d, 'victim.txt'), 'utf8')).toBe('keep me\n');
    execFileSync('mkfifo', [join(d, 'ledger.jsonl')]);
    expect(() => new Ledger(join(d, 'ledger.jsonl')).status('k')).toThrow(/ledger file .*FIFO/);
  });
});
