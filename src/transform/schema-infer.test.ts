import { describe, expect, it } from 'vitest';
import { inferSchema, inferValueSchema } from './schema-infer.js';

describe('schema inference', () => {
  it('types every field from the sample, nullable, merging integer and number, allowing more properties', () => {
    const schema = inferSchema([
      { id: '1', n: 1, ratio: 1, ok: true, tags: ['a'], owner: { id: 7, name: 'A' }, maybe: null, mixed: 'x' },
      { id: '2', n: 2, ratio: 1.5, ok: false, tags: [], owner: { id: 8, email: 'e' }, mixed: 3, extra: [{ k: 1 }] },
    ]);
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(true);
    expect(schema.properties).toEqual({
      id: { type: ['null', 'string'] },
      n: { type: ['null', 'integer'] },
      ratio: { type: ['null', 'number'] },
      ok: { type: ['null', 'boolean'] },
      tags: { type: ['null', 'array'], items: { type: ['null', 'string'] } },
      owner: { type: ['null', 'object'], additionalProperties: true, properties: { id: { type: ['null', 'integer'] }, name: { type: ['null', 'string'] }, email: { type: ['null', 'string'] } } },
      maybe: {},
      mixed: { type: ['null', 'integer', 'string'] },
      extra: { type: ['null', 'array'], items: { type: ['null', 'object'], additionalProperties: true, properties: { k: { type: ['null', 'integer'] } } } },
    });
  });

  it('looks at the first N records only', () => {
    const records = [{ a: 1 }, { b: 'late' }];
    expect(Object.keys(inferSchema(records, 1).properties as object)).toEqual(['a']);
  });

  it('types one value (schema drift)', () => {
    expect(inferValueSchema('x')).toEqual({ type: ['null', 'string'] });
    expect(inferValueSchema(null)).toEqual({});
    expect(inferValueSchema({ a: [1] })).toEqual({ type: ['null', 'object'], additionalProperties: true, properties: { a: { type: ['null', 'array'], items: { type: ['null', 'integer'] } } } });
  });
});
