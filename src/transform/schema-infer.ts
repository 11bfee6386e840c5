import type { JsonObject } from '../core/events.js';

/** How many records of a sample are looked at: enough to see optional fields, bounded in cost. */
export const INFER_SAMPLE_SIZE = 100;

/** What was seen at one position of the sample (a field, or the items of an array). */
interface Shape {
  types: Set<string>;
  properties?: Map<string, Shape>;
  items?: Shape;
}

const newShape = (): Shape => ({ types: new Set() });

function observe(shape: Shape, value: unknown, depth: number): void {
  if (value === null || value === undefined) {
    shape.types.add('null');
  } else if (Array.isArray(value)) {
    shape.types.add('array');
    if (depth > 0) {
      shape.items ??= newShape();
      for (const item of value) observe(shape.items, item, depth - 1);
    }
  } else if (typeof value === 'object') {
    shape.types.add('object');
    if (depth > 0) {
      shape.properties ??= new Map();
      for (const [key, sub] of Object.entries(value as JsonObject)) {
        let child = shape.properties.get(key);
        if (!child) shape.properties.set(key, (child = newShape()));
        observe(child, sub, depth - 1);
      }
    }
  } else if (typeof value === 'number') {
    shape.types.add(Number.isInteger(value) ? 'integer' : 'number');
  } else if (typeof value === 'boolean') {
    shape.types.add('boolean');
  } else {
    shape.types.add('string');
  }
}

const TYPE_ORDER = ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];

/** A nullable schema for what was seen; a field only ever seen as null accepts anything (`{}`). */
function toSchema(shape: Shape): JsonObject {
  const types = new Set(shape.types);
  if (types.has('number')) types.delete('integer');
  types.delete('null');
  if (types.size === 0) return {};
  const schema: JsonObject = { type: ['null', ...TYPE_ORDER.filter((t) => types.has(t))] };
  if (types.has('object')) {
    schema.properties = Object.fromEntries([...(shape.properties ?? new Map<string, Shape>())].map(([k, v]) => [k, toSchema(v)]));
    schema.additionalProperties = true;
  }
  if (types.has('array')) schema.items = shape.items ? toSchema(shape.items) : {};
  return schema;
}

/**
 * A JSON Schema for records from the first `sampleSize` of a sample: every field nullable (a
 * sample cannot prove a field is always set), additional properties always allowed.
 */
export function inferSchema(records: readonly unknown[], sampleSize = INFER_SAMPLE_SIZE, maxDepth = 8): JsonObject {
  const root = newShape();
  for (const record of records.slice(0, sampleSize)) observe(root, record, maxDepth);
  const properties = root.properties ? Object.fromEntries([...root.properties].map(([k, v]) => [k, toSchema(v)])) : {};
  return { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true, properties };
}

/** The schema of one value (schema drift: a new field, typed from its first value). */
export function inferValueSchema(value: unknown, maxDepth = 8): JsonObject {
  const shape = newShape();
  observe(shape, value, maxDepth);
  return toSchema(shape);
}
