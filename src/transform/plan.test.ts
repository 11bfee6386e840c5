import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../core/events.js';
import { compileHashPaths, Hasher } from './hash.js';
import { PROVISIONAL_MARK, RecordPlan, type RecordPlanOptions } from './plan.js';

const hasher = new Hasher('plan-salt');
const plan = (over: Partial<RecordPlanOptions> = {}): RecordPlan =>
  new RecordPlan({
    known: ['id', 'name', 'custom_attributes', 'location', 'tags'],
    excluded: [],
    hasher,
    jsonStrings: 'auto',
    drift: 'auto',
    schema: { type: 'object', properties: {} },
    ...over,
  });

describe('RecordPlan', () => {
  it('returns the record itself when nothing applies', () => {
    const p = plan();
    const record = { id: '1', name: 'A', location: { city: 'X' } };
    expect(p.apply(record)).toBe(record);
    expect(p.changed).toBe(false);
  });

  it('writes custom_attributes as a JSON string (auto), without touching the reader record', () => {
    const record = { id: '1', custom_attributes: { plan: 'pro' } };
    const out = plan().apply(record);
    expect(out).toEqual({ id: '1', custom_attributes: '{"plan":"pro"}' });
    expect(record.custom_attributes).toEqual({ plan: 'pro' });
    expect(plan().apply({ id: '1', custom_attributes: '{}' })).toEqual({ id: '1', custom_attributes: '{}' });
  });

  it('writes an attribute field the schema lacks as a JSON string too, also after drift has declared it', () => {
    const p = plan({ known: ['id'] });
    expect(p.apply({ id: '1', ticket_attributes: null })).toEqual({ id: '1', ticket_attributes: null });
    expect(p.takeChanges().notices).toEqual([{ field: 'ticket_attributes', kept: true }]);
    expect(p.apply({ id: '2', ticket_attributes: { a: 1 } })).toEqual({ id: '2', ticket_attributes: '{"a":1}' });
    expect(p.apply({ id: '3', ticket_attributes: { b: 2 }, custom_attributes: { c: 3 } })).toEqual({
      id: '3',
      ticket_attributes: '{"b":2}',
      custom_attributes: '{"c":3}',
    });
  });

  it('rewrites an owned record in place, with the same output as a copy, and still copies hashed nested objects', () => {
    const hashPlan = (): RecordPlan =>
      plan({ excluded: ['location'], hash: compileHashPaths(['custom_attributes.email']) });
    const make = (): JsonObject => ({
      id: '1',
      name: 'A',
      location: { city: 'X' },
      custom_attributes: { email: 'a@b.c' },
    });
    const copied = hashPlan().apply(make());
    const record = make();
    const nested = record.custom_attributes;
    const owned = hashPlan().apply(record, true);
    expect(owned).toBe(record);
    expect(JSON.stringify(owned)).toBe(JSON.stringify(copied));
    expect(nested).toEqual({ email: 'a@b.c' });
  });

  it('all: every nested value is a JSON string; none: attributes stay objects', () => {
    const record = { id: '1', name: 'A', custom_attributes: { a: 1 }, location: { city: 'X' }, tags: ['t'], n: null };
    expect(plan({ jsonStrings: 'all' }).apply(record)).toEqual({
      id: '1',
      name: 'A',
      custom_attributes: '{"a":1}',
      location: '{"city":"X"}',
      tags: '["t"]',
      n: null,
    });
    expect(plan({ jsonStrings: 'none' }).apply(record)).toBe(record);
  });

  it('drops deselected fields (absent from the JSON output)', () => {
    const out = plan({ excluded: ['name', 'location'] }).apply({ id: '1', name: 'A', location: {}, tags: [] });
    expect(JSON.stringify(out)).toBe('{"id":"1","tags":[]}');
  });

  it('hashes nested paths before writing JSON strings, so a path into custom_attributes works', () => {
    const out = plan({ hash: compileHashPaths(['custom_attributes.email', 'name']) }).apply({
      id: '1',
      name: 'A',
      custom_attributes: { email: 'a@b.c', plan: 'pro' },
    });
    expect(out.name).toBe(hasher.hash('A'));
    expect(JSON.parse(out.custom_attributes as string)).toEqual({ email: hasher.hash('a@b.c'), plan: 'pro' });
  });

  it('drift auto: keeps a new field, widens the schema from its (transformed) value, reports it once', () => {
    const schema: JsonObject = { type: 'object', properties: { id: { type: 'string' } } };
    const p = plan({ known: ['id'], schema, jsonStrings: 'all' });
    const out = p.apply({ id: '1', fresh: { a: 1 } });
    expect(out).toEqual({ id: '1', fresh: '{"a":1}' });
    expect(p.changed).toBe(true);
    const changes = p.takeChanges();
    expect(changes.notices).toEqual([{ field: 'fresh', kept: true }]);
    expect((changes.schema!.properties as JsonObject).fresh).toEqual({ type: ['null', 'string'] });
    p.apply({ id: '2', fresh: { a: 2 } });
    expect(p.changed).toBe(false);
  });

  it('drift auto without any copy: the record is returned as is and the field reported', () => {
    const p = plan({ known: ['id'] });
    const record = { id: '1', score: 3 };
    expect(p.apply(record)).toBe(record);
    expect(p.takeChanges()).toEqual({
      notices: [{ field: 'score', kept: true }],
      schema: { type: 'object', properties: { score: { type: ['null', 'integer'] } } },
    });
  });

  it('drift block: drops unknown fields, reports each once, keeps dropping', () => {
    const p = plan({ known: ['id'], drift: 'block' });
    expect(JSON.stringify(p.apply({ id: '1', x: 1, y: 2 }))).toBe('{"id":"1"}');
    expect(p.takeChanges()).toEqual({
      notices: [
        { field: 'x', kept: false },
        { field: 'y', kept: false },
      ],
    });
    expect(p.apply({ id: '2', x: 1 })).toEqual({ id: '2' });
    expect(p.changed).toBe(false);
    const known = { id: '3' };
    expect(p.apply(known)).toBe(known);
  });

  it('drift auto: a field first seen as null is a nullable string, then typed by its first value, then widened', () => {
    const schema: JsonObject = { type: 'object', properties: { id: { type: 'string' } } };
    const p = plan({ known: ['id'], schema });
    p.apply({ id: '1', utm_campaign: null });
    expect(p.takeChanges()).toEqual({ notices: [{ field: 'utm_campaign', kept: true }], schema });
    expect((schema.properties as JsonObject).utm_campaign).toEqual({ type: ['null', 'string'] });
    p.apply({ id: '2', utm_campaign: null });
    expect(p.changed).toBe(false);
    p.apply({ id: '3', utm_campaign: 42 });
    expect(p.changed).toBe(true);
    expect(p.takeChanges()).toEqual({ notices: [], schema });
    expect((schema.properties as JsonObject).utm_campaign).toEqual({ type: ['null', 'integer'] });
    p.apply({ id: '4', utm_campaign: 'spring' });
    expect(p.takeChanges().schema).toBe(schema);
    expect((schema.properties as JsonObject).utm_campaign).toEqual({ type: ['null', 'integer', 'string'] });
    p.apply({ id: '5', utm_campaign: 'autumn' });
    expect(p.changed).toBe(false);
  });

  const nestedSchema = (): JsonObject => ({
    type: 'object',
    properties: {
      id: { type: 'string' },
      location: {
        type: ['null', 'object'],
        additionalProperties: true,
        properties: { city: { type: ['null', 'string'] } },
      },
      tags: {
        type: ['null', 'object'],
        additionalProperties: true,
        properties: {
          data: {
            type: ['null', 'array'],
            items: { type: 'object', additionalProperties: true, properties: { id: { type: 'string' } } },
          },
        },
      },
    },
  });

  it('nested drift auto: a new key inside a declared object is declared, typed and reported with its path', () => {
    const schema = nestedSchema();
    const p = plan({ known: ['id', 'location', 'tags'], schema });
    const record = { id: '1', location: { city: 'X', county: null }, tags: { data: [{ id: 't', colour: 'red' }] } };
    expect(p.apply(record)).toBe(record);
    expect(p.takeChanges()).toEqual({
      notices: [
        { field: 'location.county', kept: true },
        { field: 'tags.data[].colour', kept: true },
      ],
      schema,
    });
    const location = (schema.properties as JsonObject).location as JsonObject;
    expect((location.properties as JsonObject).county).toEqual({ type: ['null', 'string'] });
    const items = ((((schema.properties as JsonObject).tags as JsonObject).properties as JsonObject).data as JsonObject)
      .items as JsonObject;
    expect((items.properties as JsonObject).colour).toEqual({ type: ['null', 'string'] });
    p.apply({ id: '2', location: { city: 'Y', county: { name: 'Kent' } } });
    expect(p.takeChanges().schema).toBe(schema);
    expect((location.properties as JsonObject).county).toEqual({
      type: ['null', 'object'],
      additionalProperties: true,
      properties: { name: { type: ['null', 'string'] } },
    });
    p.apply({ id: '3', location: { city: 'Z', county: { name: 'Fife' } } });
    expect(p.changed).toBe(false);
  });

  it('nested drift block: the new key is dropped from a copy (the reader record is untouched), reported once', () => {
    const p = plan({ known: ['id', 'location', 'tags'], schema: nestedSchema(), drift: 'block' });
    const record = {
      id: '1',
      location: { city: 'X', county: 'K' },
      tags: { data: [{ id: 'a' }, { id: 'b', colour: 'red' }] },
    };
    const out = p.apply(record);
    expect(JSON.parse(JSON.stringify(out))).toEqual({
      id: '1',
      location: { city: 'X' },
      tags: { data: [{ id: 'a' }, { id: 'b' }] },
    });
    expect(record.location).toEqual({ city: 'X', county: 'K' });
    expect(record.tags.data[1]).toEqual({ id: 'b', colour: 'red' });
    expect(out.tags === record.tags).toBe(false);
    expect(p.takeChanges()).toEqual({
      notices: [
        { field: 'location.county', kept: false },
        { field: 'tags.data[].colour', kept: false },
      ],
    });
    expect(JSON.parse(JSON.stringify(p.apply({ id: '2', location: { city: 'Y', county: 'L' } })))).toEqual({
      id: '2',
      location: { city: 'Y' },
    });
    expect(p.changed).toBe(false);
    const clean = { id: '3', location: { city: 'Z' } };
    expect(p.apply(clean)).toBe(clean);
  });

  it('a shipped field typed only from null examples is re-typed by its first real value (a new SCHEMA), its description kept', () => {
    const schema: JsonObject = {
      type: 'object',
      properties: {
        id: { type: 'string' },
        ticket: {
          type: ['null', 'string'],
          description: `Seen in examples. ${PROVISIONAL_MARK}: typed as a nullable string.`,
        },
      },
    };
    const p = plan({ known: ['id', 'ticket'], schema });
    p.apply({ id: '1', ticket: null });
    p.apply({ id: '2', ticket: 'T-1' });
    expect(p.changed).toBe(false);
    p.apply({ id: '3', ticket: { id: '9', state: 'open' } });
    expect(p.takeChanges()).toEqual({ notices: [], schema });
    expect((schema.properties as JsonObject).ticket).toMatchObject({
      type: ['null', 'string', 'object'],
      properties: { id: { type: ['null', 'string'] } },
      description: expect.stringContaining(PROVISIONAL_MARK),
    });
  });
});
