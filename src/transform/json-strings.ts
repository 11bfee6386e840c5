import type { JsonObject } from '../core/events.js';

export type JsonStringMode = 'auto' | 'all' | 'none';

/** Fields whose keys differ per workspace: JSON strings by default, so a new attribute never changes a table's shape. */
export const ATTRIBUTE_FIELDS: readonly string[] = ['custom_attributes', 'ticket_attributes'];

const described = (schema: JsonObject, from: unknown): JsonObject => {
  const description = from && typeof from === 'object' ? (from as JsonObject).description : undefined;
  return typeof description === 'string' ? { ...schema, description } : schema;
};
const STRING_SCHEMA = (from: unknown): JsonObject => described({ type: ['null', 'string'] }, from);
const OBJECT_SCHEMA = (from: unknown): JsonObject =>
  described({ type: ['null', 'object'], additionalProperties: true }, from);

function typesOf(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as JsonObject;
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  const variants = [s.anyOf, s.oneOf].find(Array.isArray) as unknown[] | undefined;
  return variants ? variants.flatMap(typesOf) : [];
}

/** Whether a property's schema allows an object or array value (which `all` writes as a JSON string). */
export function isNestedSchema(schema: unknown): boolean {
  const types = typesOf(schema);
  return types.includes('object') || types.includes('array');
}

/** Rewrites the top-level property schemas of a stream schema for the mode. Mutates `schema` (the caller's copy). */
export function jsonStringSchema(schema: JsonObject, mode: JsonStringMode): void {
  const properties = schema.properties;
  if (!properties || typeof properties !== 'object') return;
  const props = properties as JsonObject;
  for (const field of ATTRIBUTE_FIELDS) {
    if (!(field in props)) continue;
    if (mode !== 'none') props[field] = STRING_SCHEMA(props[field]);
    else if (!isNestedSchema(props[field])) props[field] = OBJECT_SCHEMA(props[field]);
  }
  if (mode !== 'all') return;
  for (const [name, sub] of Object.entries(props)) {
    if (isNestedSchema(sub)) props[name] = STRING_SCHEMA(sub);
  }
}
