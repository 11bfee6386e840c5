import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../core/events.js';
import { compileHashPaths, Hasher } from './hash.js';
import { RecordPlan, type RecordPlanOptions } from './plan.js';

const hasher = new Hasher('plan-salt');
const plan = (over: Partial<RecordPlanOptions> = {}): RecordPlan =>
  new RecordPlan({ known: ['id', 'name', 'custom_attributes', 'location', 'tags'], excluded: [], hasher, jsonStrings: 'auto', drift: 'auto', schema: { type: 'object', properties: {} }, ...over });

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

  it('rewrites an owned record in place, with the same output as a copy, and still copies hashed nested objects', () => {
    const hashPlan = (): RecordPlan => plan({ excluded: ['location'], hash: compileHashPaths(['custom_attributes.email']) });
    const make = (): JsonObject => ({ id: '1', name: 'A', location: { city: 'X' }, custom_attributes: { email: 'a@b.c' } });
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
    expect(plan({ jsonStrings: 'all' }).apply(record)).toEqual({ id: '1', name: 'A', custom_attributes: '{"a":1}', location: '{"city":"X"}', tags: '["t"]', n: null });
    expect(plan({ jsonStrings: 'none' }).apply(record)).toBe(record);
  });

  it('drops deselected fields (absent from the JSON output)', () => {
    const out = plan({ excluded: ['name', 'location'] }).apply({ id: '1', name: 'A', location: {}, tags: [] });
    expect(JSON.stringify(out)).toBe('{"id":"1","tags":[]}');
  });

  it('hashes nested paths before writing JSON strings, so a path into custom_attributes works', () => {
    const out = plan({ hash: compileHashPaths(['custom_attributes.email', 'name']) }).apply({ id: '1', name: 'A', custom_attributes: { email: 'a@b.c', plan: 'pro' } });
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
    expect(p.takeChanges()).toEqual({ notices: [{ field: 'score', kept: true }], schema: { type: 'object', properties: { score: { type: ['null', 'integer'] } } } });
  });

  it('drift block: drops unknown fields, reports each once, keeps dropping', () => {
    const p = plan({ known: ['id'], drift: 'block' });
    expect(JSON.stringify(p.apply({ id: '1', x: 1, y: 2 }))).toBe('{"id":"1"}');
    expect(p.takeChanges()).toEqual({ notices: [{ field: 'x', kept: false }, { field: 'y', kept: false }] });
    expect(p.apply({ id: '2', x: 1 })).toEqual({ id: '2' });
    expect(p.changed).toBe(false);
    const known = { id: '3' };
    expect(p.apply(known)).toBe(known);
  });
});
