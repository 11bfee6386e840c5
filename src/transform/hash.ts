import { createHash, type Hash } from 'node:crypto';
import type { JsonObject } from '../core/events.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * SHA-256 hex of a value, salted by prefixing `salt`: reproducible in a warehouse as
 * sha256(salt || value). Strings are hashed as they are, anything else as its JSON text.
 */
export class Hasher {
  /** The hash state after the salt: copied per value, so the salt is digested once. */
  private readonly salted: Hash | undefined;

  constructor(salt?: string) {
    this.salted = salt ? createHash('sha256').update(salt, 'utf8') : undefined;
  }

  hash(value: unknown): string {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const hash = this.salted ? this.salted.copy() : createHash('sha256');
    return hash.update(text, 'utf8').digest('hex');
  }
}

/**
 * Hash paths compiled into a tree, so fields that share a parent (author.email, author.name) copy
 * that parent once. A leaf hashes the whole value under it.
 */
export interface HashNode {
  leaf: boolean;
  children: Map<string, HashNode>;
}

export function compileHashPaths(paths: readonly string[]): HashNode {
  const root: HashNode = { leaf: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { leaf: false, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.leaf = true;
  }
  return root;
}

/**
 * Hashes every path of `node` below `record`, in place for the record's own top level (the caller
 * owns it) and copy-on-write below it: nested objects may be shared with the reader, which can
 * still use them after yielding the record.
 */
export function hashRecord(record: JsonObject, node: HashNode, hasher: Hasher): void {
  for (const [key, child] of node.children) {
    const value = record[key];
    if (value !== undefined && value !== null) record[key] = hashValue(value, child, hasher);
  }
}

function hashValue(value: unknown, node: HashNode, hasher: Hasher): unknown {
  if (node.leaf) return hasher.hash(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      copy[i] =
        element === null || element === undefined || typeof element !== 'object'
          ? element
          : hashValue(element, node, hasher);
    }
    return copy;
  }
  if (!isObject(value)) return value;
  const copy: JsonObject = { ...value };
  hashRecord(copy, node, hasher);
  return copy;
}

export const HASHED_SCHEMA: Readonly<JsonObject> = Object.freeze({ type: ['null', 'string'] });

/**
 * The schema after hashing: every hashed field becomes a nullable string. Walks properties and
 * array items; a path into something the schema does not describe as an object is left alone
 * (e.g. a field already written as a JSON string). Mutates `schema`, which the caller owns.
 */
export function hashSchema(schema: JsonObject, node: HashNode, topLevel = true): void {
  let target: JsonObject = schema;
  while (isObject(target.items)) target = target.items;
  let properties = target.properties;
  if (!isObject(properties)) {
    if (!topLevel) return;
    properties = {};
    target.properties = properties;
  }
  for (const [key, child] of node.children) {
    const props = properties as JsonObject;
    if (child.leaf) {
      props[key] = { ...HASHED_SCHEMA };
      continue;
    }
    const sub = props[key];
    if (isObject(sub) && allowsObject(sub)) {
      const copy = structuredClone(sub);
      props[key] = copy;
      hashSchema(copy, child, false);
    }
  }
}

function allowsObject(schema: JsonObject): boolean {
  const type = schema.type;
  const types = Array.isArray(type) ? type : [type];
  return types.includes('object') || types.includes('array') || isObject(schema.properties);
}
