import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../core/events.js';
import { compileHashPaths, Hasher, hashRecord, hashSchema } from './hash.js';

const sha256 = /^[0-9a-f]{64}$/;

describe('Hasher', () => {
  it('is SHA-256 hex of salt + value, reproducible in a warehouse', () => {
    // printf 'ada@example.com' | sha256sum ; printf 'pepper-1ada@example.com' | sha256sum
    expect(new Hasher().hash('ada@example.com')).toBe(
      'b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72',
    );
    expect(new Hasher('pepper-1').hash('ada@example.com')).toBe(new Hasher().hash('pepper-1ada@example.com'));
  });

  it('hashes non-strings as their JSON text', () => {
    const hasher = new Hasher('s4lt-s4lt');
    expect(hasher.hash(42)).toBe(hasher.hash('42'));
    expect(hasher.hash({ city: 'Paris' })).toBe(hasher.hash('{"city":"Paris"}'));
    expect(hasher.hash([1, 2])).toBe(hasher.hash('[1,2]'));
  });
});

describe('hashRecord', () => {
  const hasher = new Hasher('salt-salt');

  it('hashes top-level and nested paths, through arrays, leaving null and missing values alone', () => {
    const record: JsonObject = {
      email: 'a@b.c',
      phone: null,
      location: { city: 'Paris', country: 'France' },
      source: { body: '<p>hi</p>', author: { email: 'x@y.z', name: 'X' } },
      headers: [{ email_address: 'p@q.r', type: 'to' }, null, { type: 'cc' }],
    };
    hashRecord(
      record,
      compileHashPaths([
        'email',
        'phone',
        'missing',
        'location.city',
        'source.body',
        'source.author.email',
        'headers.email_address',
      ]),
      hasher,
    );
    expect(record.email).toBe(hasher.hash('a@b.c'));
    expect(record.phone).toBeNull();
    expect('missing' in record).toBe(false);
    expect(record.location).toEqual({ city: hasher.hash('Paris'), country: 'France' });
    expect(record.source).toEqual({
      body: hasher.hash('<p>hi</p>'),
      author: { email: hasher.hash('x@y.z'), name: 'X' },
    });
    expect(record.headers).toEqual([{ email_address: hasher.hash('p@q.r'), type: 'to' }, null, { type: 'cc' }]);
  });

  it('copies nested objects instead of changing them (the reader may still use them)', () => {
    const author = { email: 'x@y.z' };
    const list = [{ email: 'e@f.g' }];
    const record: JsonObject = { author, list };
    hashRecord(record, compileHashPaths(['author.email', 'list.email']), hasher);
    expect(author.email).toBe('x@y.z');
    expect(list[0]!.email).toBe('e@f.g');
    expect((record.author as JsonObject).email).toMatch(sha256);
  });

  it('a whole-field path wins over a nested one', () => {
    const record: JsonObject = { location: { city: 'Paris' } };
    hashRecord(record, compileHashPaths(['location.city', 'location']), hasher);
    expect(record.location).toBe(hasher.hash({ city: 'Paris' }));
  });

  it('property: never leaks a clear value, deterministic per salt, different across salts', () => {
    const clear = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `pii:${s}`);
    const value = fc.oneof(clear, fc.array(clear, { minLength: 1, maxLength: 3 }), fc.record({ inner: clear }));
    fc.assert(
      fc.property(
        value,
        clear,
        fc.string({ minLength: 8, maxLength: 20 }),
        fc.string({ minLength: 8, maxLength: 20 }),
        (v, nested, salt1, salt2) => {
          const make = (): JsonObject => ({
            id: 'id-1',
            field: structuredClone(v),
            deep: { list: [{ secret: nested }, { secret: nested }] },
          });
          const paths = compileHashPaths(['field', 'deep.list.secret']);
          const a = make();
          const b = make();
          hashRecord(a, paths, new Hasher(salt1));
          hashRecord(b, paths, new Hasher(salt1));
          const text = JSON.stringify(a);
          expect(text).not.toContain('pii:');
          expect(a).toEqual(b);
          expect(a.field).toMatch(sha256);
          if (salt1 !== salt2) {
            const c = make();
            hashRecord(c, paths, new Hasher(salt2));
            expect(c.field).not.toBe(a.field);
          }
          expect(a.id).toBe('id-1');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('hashSchema', () => {
  it('makes hashed fields nullable strings at any depth, adding missing leaves', () => {
    const schema: JsonObject = {
      type: 'object',
      properties: {
        email: { type: ['null', 'string'], format: 'email' },
        count: { type: 'integer' },
        location: {
          type: ['null', 'object'],
          properties: { city: { type: ['null', 'string'] }, lat: { type: 'number' } },
        },
        headers: {
          type: ['null', 'array'],
          items: { type: 'object', properties: { email_address: { type: 'string' } } },
        },
        custom_attributes: { type: ['null', 'string'] },
      },
    };
    const location = (schema.properties as Record<string, JsonObject>).location!;
    hashSchema(
      schema,
      compileHashPaths([
        'email',
        'count',
        'location.lat',
        'headers.email_address',
        'custom_attributes.plan',
        'brand_new',
      ]),
    );
    const p = schema.properties as Record<string, JsonObject>;
    expect(p.email).toEqual({ type: ['null', 'string'] });
    expect(p.count).toEqual({ type: ['null', 'string'] });
    expect((p.location!.properties as Record<string, unknown>).lat).toEqual({ type: ['null', 'string'] });
    expect((p.location!.properties as Record<string, unknown>).city).toEqual({ type: ['null', 'string'] });
    expect(((p.headers!.items as JsonObject).properties as Record<string, unknown>).email_address).toEqual({
      type: ['null', 'string'],
    });
    // Hashed inside a JSON string: the string schema stays.
    expect(p.custom_attributes).toEqual({ type: ['null', 'string'] });
    expect(p.brand_new).toEqual({ type: ['null', 'string'] });
    // Nested schemas were copied, not edited in place.
    expect((location.properties as Record<string, unknown>).lat).toEqual({ type: 'number' });
  });
});
