import type { JsonObject } from '../core/events.js';
import type { SchemaDriftMode } from './controls.js';
import { hashRecord, type Hasher, type HashNode } from './hash.js';
import { ATTRIBUTE_FIELDS, type JsonStringMode } from './json-strings.js';
import { NULL_ONLY_SCHEMA, ValueTracker } from '../util/schema-infer.js';

export interface RecordPlanOptions {
  /** Top-level fields the stream's schema has; anything else is schema drift. */
  known: Iterable<string>;
  /** Top-level fields the catalog deselected. */
  excluded: Iterable<string>;
  hash?: HashNode;
  hasher: Hasher;
  jsonStrings: JsonStringMode;
  drift: SchemaDriftMode;
  /** The stream's output schema; drift `auto` widens it with each new field. Owned by the plan. */
  schema: JsonObject;
}

export interface DriftNotice {
  /** The field's path: `utm_campaign`, or `location.county` for a new key inside an object. */
  field: string;
  /** true: kept and added to the schema (auto); false: dropped (block). */
  kept: boolean;
}

export interface PlanChanges {
  notices: DriftNotice[];
  /** Set when the schema was widened: the protocol shell may announce it (Singer SCHEMA). */
  schema?: JsonObject;
}

const NO_FIELDS: ReadonlySet<string> = new Set();
const ATTRIBUTES: ReadonlySet<string> = new Set(ATTRIBUTE_FIELDS);

const needsString = (value: unknown): boolean => value !== undefined && value !== null && typeof value !== 'string';

/**
 * Marks a shipped field whose type nobody documents and whose examples are all null (see
 * scripts/gen-stream-schemas.mjs): declared a nullable string, and followed like a drifted field
 * so that the first value of another kind re-types it instead of failing a target's validation.
 */
export const PROVISIONAL_MARK = 'Only null in the examples';

/** Nesting below which new keys are not looked for: a bound on work per record, not a real depth. */
const MAX_NESTED_DEPTH = 8;

/** The declared keys of one object position of the schema, for nested drift. */
interface ObjectNode {
  /** Where it is (`location`, `tags.data[]`), for drift notices; built once, not per record. */
  path: string;
  keys: Set<string>;
  /** The schema's own `properties` object there: drift `auto` adds to it. */
  props: JsonObject;
  /** Keys added by drift, followed so that a later type widens their schema. */
  trackers: Map<string, ValueTracker>;
  children: Map<string, ValueNode>;
}

/** A schema position whose value (or whose array items) is an object with declared properties. */
interface ValueNode {
  obj?: ObjectNode;
  items?: ValueNode;
}

const isJsonObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function schemaTypes(schema: JsonObject): string[] {
  return typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? (schema.type as string[]) : [];
}

/** The nested positions of a property schema worth checking for new keys (declared properties only). */
function compileNode(schema: unknown, path: string, depth: number): ValueNode | undefined {
  if (!isJsonObject(schema) || depth > MAX_NESTED_DEPTH) return undefined;
  const types = schemaTypes(schema);
  const node: ValueNode = {};
  if (types.includes('object') && isJsonObject(schema.properties) && Object.keys(schema.properties).length > 0) {
    const props = schema.properties;
    const children = new Map<string, ValueNode>();
    for (const [key, sub] of Object.entries(props)) {
      const child = compileNode(sub, `${path}.${key}`, depth + 1);
      if (child) children.set(key, child);
    }
    node.obj = { path, keys: new Set(Object.keys(props)), props, trackers: new Map(), children };
  }
  if (types.includes('array')) node.items = compileNode(schema.items, `${path}[]`, depth + 1);
  return node.obj || node.items ? node : undefined;
}

function compileChildren(schema: JsonObject): Map<string, ValueNode> {
  const children = new Map<string, ValueNode>();
  for (const [key, sub] of Object.entries(isJsonObject(schema.properties) ? schema.properties : {})) {
    const node = compileNode(sub, key, 1);
    if (node) children.set(key, node);
  }
  return children;
}

/**
 * Every data control of one stream, compiled once: field selection, schema drift, hashing and JSON
 * strings, applied per record in that order of effect. The reader's record is not modified unless
 * the reader handed it over (`owned`; a reader may still use it after yielding, e.g. teams for
 * team_admin): otherwise a plan that changes records builds a new top-level object and copies nested objects only along hashed paths. A plan with
 * nothing to change only checks the record's keys against a Set and returns it as is. Dropped
 * fields are `undefined` in the returned object (absent once serialized).
 */
export class RecordPlan {
  /** True after apply() met a field for the first time; the caller then calls takeChanges(). */
  changed = false;
  private readonly known: Set<string>;
  private readonly excluded: ReadonlySet<string>;
  private readonly hash: HashNode | undefined;
  private readonly hasher: Hasher;
  private readonly block: boolean;
  private readonly stringifyAll: boolean;
  /** Attribute fields that become JSON strings (auto); empty otherwise. */
  private readonly attributes: ReadonlySet<string>;
  /** Those of `attributes` the stream has (declared, or met by drift): looked up by name, not each key tested. */
  private readonly attributesPresent: string[];
  /** Whether every record needs a copy (some control changes every record); else only records that turn out to. */
  private readonly alwaysCopy: boolean;
  private readonly schema: JsonObject;
  private readonly blockedSeen = new Set<string>();
  /** Top-level fields added by drift, followed so that a later type widens their schema. */
  private readonly tracked = new Map<string, ValueTracker>();
  /** Top-level fields whose values have declared nested keys (nested drift is looked for there). */
  private readonly nested: Map<string, ValueNode>;
  private notices: DriftNotice[] = [];
  private schemaChanged = false;

  constructor(opts: RecordPlanOptions) {
    this.known = new Set(opts.known);
    this.excluded = new Set(opts.excluded);
    this.hash = opts.hash && opts.hash.children.size > 0 ? opts.hash : undefined;
    this.hasher = opts.hasher;
    this.block = opts.drift === 'block';
    this.stringifyAll = opts.jsonStrings === 'all';
    this.attributes = opts.jsonStrings === 'auto' ? ATTRIBUTES : NO_FIELDS;
    this.attributesPresent = [...this.attributes].filter((field) => this.known.has(field));
    this.alwaysCopy = this.excluded.size > 0 || this.hash !== undefined || this.stringifyAll;
    this.schema = opts.schema;
    this.nested = compileChildren(this.schema);
    for (const [key, sub] of Object.entries(isJsonObject(this.schema.properties) ? this.schema.properties : {})) {
      if (isJsonObject(sub) && typeof sub.description === 'string' && sub.description.includes(PROVISIONAL_MARK))
        this.tracked.set(key, new ValueTracker());
    }
  }

  /**
   * The record with every control applied. `owned`: the reader gave the record away (it keeps no
   * reference), so its top level is rewritten in place instead of copied - one object less per
   * record on the hot path. Nested objects are still copied along hashed paths.
   */
  apply(record: JsonObject, owned = false): JsonObject {
    const out = !this.alwaysCopy && !this.mustCopy(record) ? record : this.transform(record, owned);
    return this.tracked.size > 0 || this.nested.size > 0 ? this.inspect(out, owned || out !== record) : out;
  }

  /** Field selection, top-level drift, hashing and JSON strings: a new object unless `owned`. */
  private transform(record: JsonObject, owned: boolean): JsonObject {
    // A spread is V8's fast clone. Dropped fields become undefined instead of being deleted: JSON
    // output omits them just the same, while delete would turn the object into a dictionary that
    // JSON.stringify serializes at half the speed.
    const out: JsonObject = owned ? record : { ...record };
    for (const field of this.excluded) if (out[field] !== undefined) out[field] = undefined;
    for (const key in out) {
      if (this.known.has(key)) continue;
      if (this.block) {
        this.noteBlocked(key);
        out[key] = undefined;
      } else {
        this.noteNew(key);
      }
    }
    if (this.hash) hashRecord(out, this.hash, this.hasher);
    if (this.stringifyAll) {
      for (const key in out) {
        const value = out[key];
        if (value !== null && typeof value === 'object') out[key] = JSON.stringify(value);
      }
    } else if (this.attributes.size > 0) {
      for (const field of ATTRIBUTE_FIELDS) if (needsString(out[field])) out[field] = JSON.stringify(out[field]);
    }
    return out;
  }

  /**
   * Drift below the top level, and type changes of drifted fields. `writable`: the record may be
   * changed in place (a copy, or owned); nested objects are copied only where a key is dropped.
   */
  private inspect(record: JsonObject, writable: boolean): JsonObject {
    const props = (this.schema.properties ??= {}) as JsonObject;
    for (const [key, tracker] of this.tracked) {
      const value = record[key];
      // A null widens no schema (the tracker only notes it), and most of these fields are null.
      if (value !== undefined && value !== null && tracker.observe(value)) this.retype(props, key, tracker);
    }
    let out = record;
    for (const [key, node] of this.nested) {
      const value = record[key];
      if (value === null || typeof value !== 'object') continue;
      const next = this.inspectValue(value, node);
      if (next === value) continue;
      if (out === record && !writable) out = { ...record };
      out[key] = next;
    }
    return out;
  }

  private inspectValue(value: unknown, node: ValueNode): unknown {
    if (Array.isArray(value)) {
      if (!node.items) return value;
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = this.inspectValue(value[i], node.items);
        if (next !== value[i]) (copy ??= value.slice())[i] = next;
      }
      return copy ?? value;
    }
    return node.obj && isJsonObject(value) ? this.inspectObject(value, node.obj) : value;
  }

  private inspectObject(obj: JsonObject, node: ObjectNode): JsonObject {
    let out = obj;
    for (const key in obj) {
      if (!node.keys.has(key)) {
        if (this.block) {
          this.noteBlocked(`${node.path}.${key}`);
          if (out === obj) out = { ...obj };
          out[key] = undefined;
          continue;
        }
        this.declare(node.props, node.keys, node.trackers, key, `${node.path}.${key}`);
      }
      const tracker = node.trackers.size > 0 ? node.trackers.get(key) : undefined;
      if (tracker) {
        if (tracker.observe(obj[key])) this.retype(node.props, key, tracker);
        continue;
      }
      const child = node.children.get(key);
      const value = obj[key];
      if (!child || value === null || typeof value !== 'object') continue;
      const next = this.inspectValue(value, child);
      if (next === value) continue;
      if (out === obj) out = { ...obj };
      out[key] = next as JsonObject[string];
    }
    return out;
  }

  /** A drifted field enters the schema as a nullable string until a non-null value types it. */
  private declare(
    props: JsonObject,
    keys: Set<string>,
    trackers: Map<string, ValueTracker>,
    key: string,
    field: string,
  ): void {
    keys.add(key);
    trackers.set(key, new ValueTracker());
    props[key] = { ...NULL_ONLY_SCHEMA };
    this.notices.push({ field, kept: true });
    this.schemaChanged = true;
    this.changed = true;
  }

  private retype(props: JsonObject, key: string, tracker: ValueTracker): void {
    const current = isJsonObject(props[key]) ? props[key] : {};
    const { description, ...types } = current;
    const next = tracker.schema();
    if (JSON.stringify(types) === JSON.stringify(next)) return;
    props[key] = typeof description === 'string' ? { ...next, description } : next;
    this.schemaChanged = true;
    this.changed = true;
  }

  /** Drift notices (and the widened schema) since the last call. */
  takeChanges(): PlanChanges {
    const changes: PlanChanges = { notices: this.notices, ...(this.schemaChanged ? { schema: this.schema } : {}) };
    this.notices = [];
    this.schemaChanged = false;
    this.changed = false;
    return changes;
  }

  /**
   * The read-only pass: notes new fields (auto) and says whether the record must be rewritten.
   * Attribute fields the stream has are read by name (contacts: found at once), so the key scan
   * costs one Set lookup per key; a record that is rewritten has its new fields noted by transform().
   */
  private mustCopy(record: JsonObject): boolean {
    for (const field of this.attributesPresent) if (needsString(record[field])) return true;
    for (const key in record) {
      if (this.known.has(key)) continue;
      if (this.attributes.has(key) && needsString(record[key])) return true;
      if (this.block) return true;
      this.noteNew(key);
    }
    return false;
  }

  private noteNew(key: string): void {
    this.declare((this.schema.properties ??= {}) as JsonObject, this.known, this.tracked, key, key);
    if (this.attributes.has(key)) this.attributesPresent.push(key);
  }

  private noteBlocked(key: string): void {
    if (this.blockedSeen.has(key)) return;
    this.blockedSeen.add(key);
    this.notices.push({ field: key, kept: false });
    this.changed = true;
  }
}
