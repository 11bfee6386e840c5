import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import validateDestination from '../generated/validators/destination.js';
import validateSource from '../generated/validators/source.js';
import { AJV_OPTIONS, precompiled } from '../util/schema-validation.js';
import { loadSchema } from './source-config.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** A validator compiled now, with the options the connector used to compile at start-up. */
function compiledNow(name: string) {
  const ajv = new Ajv({ ...AJV_OPTIONS });
  addFormats(ajv);
  return ajv.compile(loadSchema(name));
}

const token = { auth_type: 'access_token', access_token: 'tok-not-secret' };

/** Documents that reach every kind of keyword of the schemas: valid, defaults, and each way to fail. */
const SOURCE_CASES: unknown[] = [
  { credentials: token },
  { credentials: token, start_date: '2024-01-01T00:00:00Z', region: 'eu', max_concurrency: 8 },
  { credentials: token, start_date: 'yesterday' },
  { credentials: token, region: 'mars' },
  { credentials: token, max_concurrency: 0 },
  { credentials: token, max_concurrency: '8' },
  { credentials: token, lookback_window_minutes: -1, slice_days: 1.5 },
  { credentials: token, stream_aliases: { contacts: 'people' }, stream_prefix: 'ic_' },
  { credentials: token, reporting_datasets: [] },
  { credentials: token, reporting_datasets: 'conversation' },
  { credentials: token, hash_fields: ['contacts.email'], hash_pii: true, hash_salt: 'x' },
  { credentials: token, custom_streams: [{ name: 'x' }] },
  { credentials: { auth_type: 'oauth2.0', access_token: 't' } },
  { credentials: { auth_type: 'access_token' } },
  { credentials: { auth_type: 'access_token', access_token: '' } },
  { credentials: { ...token, extra: 1 } },
  { access_token: 'legacy-flat-token' },
  {},
  { credentials: token, base_url: 'not a url', api_version: 3 },
  { credentials: token, schema_drift: 'explode', json_string_fields: [1] },
  [],
  'config',
  null,
];

const DESTINATION_CASES: unknown[] = [
  { credentials: token },
  { credentials: token, on_error: 'dead_letter', dead_letter_path: '/tmp/dl.jsonl', dry_run: true },
  { credentials: token, on_error: 'shrug' },
  { credentials: token, streams: { contacts: { action: 'upsert' } } },
  { credentials: token, streams: { contacts: { action: 'explode' } } },
  { credentials: token, max_message_bytes: -5 },
  { credentials: { auth_type: 'access_token' } },
  {},
  null,
];

function outcome(validate: (doc: unknown) => boolean, errors: () => unknown, input: unknown) {
  const doc = structuredClone(input);
  const valid = validate(doc);
  return { valid, errors: errors() ?? null, doc };
}

describe('config validators compiled ahead of time (src/generated/validators)', () => {
  it.each([
    ['source', validateSource, SOURCE_CASES],
    ['destination', validateDestination, DESTINATION_CASES],
  ] as const)(
    '%s: same verdict, same errors and the same defaults filled in as a compile of the schema now',
    (name, generated, cases) => {
      const ahead = precompiled(generated);
      const now = compiledNow(name);
      let invalid = 0;
      for (const input of cases) {
        const a = outcome(ahead, () => ahead.errors, input);
        const b = outcome(now, () => now.errors, input);
        expect(a, JSON.stringify(input)).toEqual(b);
        if (!a.valid) invalid++;
      }
      // The corpus reaches both verdicts, and defaults are really filled in.
      expect(invalid).toBeGreaterThan(3);
      expect(invalid).toBeLessThan(cases.length);
      const filled = outcome(ahead, () => ahead.errors, { credentials: token }).doc as Record<string, unknown>;
      expect(Object.keys(filled).length).toBeGreaterThan(5);
    },
  );
});
