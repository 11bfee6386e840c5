import type { JsonObject } from '../core/events.js';

/** How many records of a sample are looked at: enough to see optional fields, bounded in cost. */
export const INFER_SAMPLE_SIZE = 100;

/**
 * The type of a field seen only as null (or of the items of lists seen only empty): a nullable
 * string. SQL targets make no column for a property without a type, and a string column is one
 * every target can create; the first non-null value replaces it with the real type.
 */
export const NULL_ONLY_SCHEMA: Readonly<JsonObject> = Object.freeze({ type: ['null', 'string'] });

/** What was seen at one position of the sample (a field, or the items of an array). */
interface Shape {
  types: Set<string>;
  properties?: Map<string, Shape>;
  items?: Shape;
}

const newShape = (): Shape => ({ types: new Set() });

const jsonType = (value: unknown): string => {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value === 'boolean' ? 'boolean' : 'string';
};

/** Records `value` in `shape`; returns true when something new was seen (a type, a key, items). */
function observe(shape: Shape, value: unknown, depth: number): boolean {
  const type = jsonType(value);
  // null and an integer among numbers change no schema: not worth a re-sent SCHEMA.
  let changed = !shape.types.has(type) && type !== 'null' && !(type === 'integer' && shape.types.has('number'));
  shape.types.add(type);
  if (depth <= 0) return changed;
  if (type === 'array') {
    shape.items ??= newShape();
    for (const item of value as unknown[]) if (observe(shape.items, item, depth - 1)) changed = true;
  } else if (type === 'object') {
    shape.properties ??= new Map();
    for (const [key, sub] of Object.entries(value as JsonObject)) {
      let child = shape.properties.get(key);
      if (!child) {
        shape.properties.set(key, (child = newShape()));
        changed = true;
      }
      if (observe(child, sub, depth - 1)) changed = true;
    }
  }
  return changed;
}

const TYPE_ORDER = ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];

/**
 * A nullable schema for what was seen. A position seen only as null is a nullable string
 * (NULL_ONLY_SCHEMA); several types make a multi-type (`["null","string","object"]`), never `{}`.
 */
function toSchema(shape: Shape): JsonObject {
  const types = new Set(shape.types);
  if (types.has('number')) types.delete('integer');
  types.delete('null');
  if (types.size === 0) return { ...NULL_ONLY_SCHEMA };
  const schema: JsonObject = { type: ['null', ...TYPE_ORDER.filter((t) => types.has(t))] };
  if (types.has('object')) {
    schema.properties = Object.fromEntries(
      [...(shape.properties ?? new Map<string, Shape>())].map(([k, v]) => [k, toSchema(v)]),
    );
    schema.additionalProperties = true;
  }
  if (types.has('array'))
    schema.items = shape.items && shape.items.types.size > 0 ? toSchema(shape.items) : { ...NULL_ONLY_SCHEMA };
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

/**
 * Follows one drifted field across records: its schema starts from the first value and changes
 * only when a value brings something new (a non-null value after nulls, another type, a new key
 * inside). Types only ever widen, so records already sent still match.
 */
export class ValueTracker {
  private readonly shape = newShape();

  constructor(private readonly maxDepth = 8) {}

  /** Notes a value; true when the schema changed. */
  observe(value: unknown): boolean {
    return observe(this.shape, value, this.maxDepth);
  }

  schema(): JsonObject {
    return toSchema(this.shape);
  }
}
