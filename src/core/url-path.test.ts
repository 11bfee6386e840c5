import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertMatchesTemplate,
  buildPath,
  checkPathFields,
  identifierProblem,
  PathValueError,
  templateProblem,
} from './url-path.js';

const TEMPLATE = '/contacts/{contact_id}/tags/{tag_id}';
const BASE = 'https://api.intercom.io/';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('identifierProblem', () => {
  it.each([
    ['', /is empty/],
    ['.', /dot segment/],
    ['..', /dot segment/],
    ['%2e%2e', /dot segment/],
    ['%2E.', /dot segment/],
    ['%252e%252e', /dot segment/],
    ['a/b', /contains '\/'/],
    ['%2F', /contains '\/' \(percent-encoded\)/],
    ['%252F', /contains '\/' \(percent-encoded\)/],
    ['a\\b', /contains '\\'/],
    ['%5c', /contains '\\'/],
    ['?x=1', /contains '\?'/],
    ['%3F', /contains '\?'/],
    ['#top', /contains '#'/],
    ['%23', /contains '#'/],
    ['a\nb', /control character \(U\+000A\)/],
    ['a%0Ab', /control character \(U\+000A\)/],
    ['\u0000', /U\+0000/],
    ['\u007f', /U\+007F/],
    ['\u0085', /U\+0085/],
    ['\ud800', /lone surrogate/],
  ])('refuses %j', (value, why) => {
    expect(identifierProblem(value)).toMatch(why);
  });

  it.each(['123', 'abc-DEF_1.2', '5f1c9b0e2a', '...', '.a', 'a..', '100%', '%zz', '%e9', 'é', 'a b', '+', "it's"])(
    'accepts %j',
    (value) => {
      expect(identifierProblem(value)).toBeUndefined();
    },
  );
});

describe('buildPath', () => {
  it('encodes each value as one segment', () => {
    expect(buildPath(TEMPLATE, { contact_id: 'a b', tag_id: 42 })).toBe('/contacts/a%20b/tags/42');
    expect(buildPath('/x/{v}', { v: '100%' })).toBe('/x/100%25');
  });

  it('names the field and never echoes the value; a missing value is missing_value, a bad one invalid_identifier', () => {
    const bad = thrown(() => buildPath(TEMPLATE, { contact_id: 'secret-ish-value/..', tag_id: '1' }));
    expect(bad).toBeInstanceOf(PathValueError);
    expect(bad).toMatchObject({ code: 'invalid_identifier', message: expect.stringContaining('record.contact_id') });
    expect((bad as Error).message).not.toContain('secret-ish-value');
    expect(thrown(() => buildPath(TEMPLATE, { contact_id: '1' }))).toMatchObject({
      code: 'missing_value',
      message: expect.stringContaining('record.tag_id is required'),
    });
    expect(thrown(() => buildPath(TEMPLATE, { contact_id: { id: 1 }, tag_id: '1' }))).toMatchObject({
      code: 'missing_value',
    });
  });

  it('reads own properties only', () => {
    const values = Object.create({ contact_id: 'inherited' }) as Record<string, unknown>;
    values.tag_id = '1';
    expect(thrown(() => buildPath(TEMPLATE, values))).toMatchObject({ code: 'missing_value' });
  });

  it('property: whatever the value, the path either is refused or resolves to exactly the template shape', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.fullUnicodeString(),
          fc.constantFrom('.', '..', '%2e', '%2E%2e', '/', '%2f', '\\', '?', '#', '\n', ''),
        ),
        fc.string({ minLength: 1 }),
        (a, b) => {
          let path: string;
          try {
            path = buildPath(TEMPLATE, { contact_id: a, tag_id: b });
          } catch (err) {
            expect(err).toBeInstanceOf(PathValueError);
            return;
          }
          const resolved = new URL(path.slice(1), BASE).pathname;
          expect(resolved).toBe(path);
          const segments = resolved.split('/');
          expect(segments).toHaveLength(5);
          expect([segments[1], segments[3]]).toEqual(['contacts', 'tags']);
          expect(decodeURIComponent(segments[2]!)).toBe(a);
          expect(decodeURIComponent(segments[4]!)).toBe(b);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('assertMatchesTemplate', () => {
  it('refuses a path whose segments differ from the template', () => {
    expect(() => assertMatchesTemplate(TEMPLATE, '/contacts/1/tags/2')).not.toThrow();
    for (const path of [
      '/contacts/../tags/2',
      '/contacts/1/tags',
      '/contacts/1/x/2',
      '/contacts/1/tags/2/3',
      '/contacts//tags/2',
      '/contacts/%2e%2e/tags/2',
    ]) {
      expect(() => assertMatchesTemplate(TEMPLATE, path), path).toThrow(PathValueError);
    }
  });
});

describe('checkPathFields', () => {
  const routes = [{ operations: ['detach'], template: TEMPLATE }];

  it('checks the fields of the operation only, and leaves missing fields to the writer', () => {
    expect(() => checkPathFields({ contact_id: '..', tag_id: '1' }, routes, 'attach')).not.toThrow();
    expect(() => checkPathFields({ tag_id: '1' }, routes, 'detach')).not.toThrow();
    expect(thrown(() => checkPathFields({ contact_id: '1', tag_id: '' }, routes, 'detach'))).toMatchObject({
      code: 'invalid_identifier',
      message: expect.stringContaining('record.tag_id is empty'),
    });
  });
});

describe('templateProblem (generic mode config)', () => {
  it.each([
    ['contacts/{id}', /start with '\/'/],
    ['/contacts/{id}?x=1', /no '\?'/],
    ['/contacts/{id}#x', /no '\?', '#'/],
    ['/contacts/../{id}', /'\.' or '\.\.' segment/],
    ['/contacts/%2e%2e/{id}', /'\.' or '\.\.' segment/],
    ['/contacts//{id}', /empty segment/],
    ['/contacts/{id}/', /empty segment/],
    ['/contacts/{}', /placeholder/],
    ['/contacts/{id', /placeholder/],
    ['/contacts/a b', /URL resolution/],
  ])('refuses %j', (template, why) => {
    expect(templateProblem(template)).toMatch(why);
  });

  it('accepts plain templates', () => {
    for (const t of ['/contacts/{contact_id}/companies', '/data_attributes', '/x/{a}-{b}.json'])
      expect(templateProblem(t)).toBeUndefined();
  });
});
