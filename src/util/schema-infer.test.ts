import { describe, expect, it } from 'vitest';
import { inferSchema, inferValueSchema, ValueTracker } from './schema-infer.js';

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
      owner: {
        type: ['null', 'object'],
        additionalProperties: true,
        properties: {
          id: { type: ['null', 'integer'] },
          name: { type: ['null', 'string'] },
          email: { type: ['null', 'string'] },
        },
      },
      maybe: { type: ['null', 'string'] },
      mixed: { type: ['null', 'integer', 'string'] },
      extra: {
        type: ['null', 'array'],
        items: {
          type: ['null', 'object'],
          additionalProperties: true,
          properties: { k: { type: ['null', 'integer'] } },
        },
      },
    });
  });

  it('looks at the first N records only', () => {
    const records = [{ a: 1 }, { b: 'late' }];
    expect(Object.keys(inferSchema(records, 1).properties as object)).toEqual(['a']);
  });

  it('types one value (schema drift)', () => {
    expect(inferValueSchema('x')).toEqual({ type: ['null', 'string'] });
    expect(inferValueSchema(null)).toEqual({ type: ['null', 'string'] });
    expect(inferValueSchema([])).toEqual({ type: ['null', 'array'], items: { type: ['null', 'string'] } });
    expect(inferValueSchema({ a: [1] })).toEqual({
      type: ['null', 'object'],
      additionalProperties: true,
      properties: { a: { type: ['null', 'array'], items: { type: ['null', 'integer'] } } },
    });
  });

  it('follows a drifted field: null first is a nullable string, the first value types it, a new type widens it', () => {
    const tracker = new ValueTracker();
    expect(tracker.observe(null)).toBe(false);
    expect(tracker.schema()).toEqual({ type: ['null', 'string'] });
    expect(tracker.observe(7)).toBe(true);
    expect(tracker.schema()).toEqual({ type: ['null', 'integer'] });
    expect(tracker.observe(8)).toBe(false);
    expect(tracker.observe(null)).toBe(false);
    expect(tracker.observe(1.5)).toBe(true);
    expect(tracker.observe(2)).toBe(false);
    expect(tracker.observe({ a: 'x' })).toBe(true);
    expect(tracker.schema()).toEqual({
      type: ['null', 'number', 'object'],
      additionalProperties: true,
      properties: { a: { type: ['null', 'string'] } },
    });
    expect(tracker.observe({ a: 'y' })).toBe(false);
    expect(tracker.observe({ b: null })).toBe(true);
    expect((tracker.schema().properties as Record<string, unknown>).b).toEqual({ type: ['null', 'string'] });
  });
});
