import type { JsonObject } from '../core/events.js';
import type { SchemaDriftMode } from './controls.js';
import { hashRecord, type Hasher, type HashNode } from './hash.js';
import { ATTRIBUTE_FIELDS, type JsonStringMode } from './json-strings.js';
import { inferValueSchema } from './schema-infer.js';

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
  /** Whether every record needs a copy (some control changes every record); else only records that turn out to. */
  private readonly alwaysCopy: boolean;
  private readonly schema: JsonObject;
  private readonly blockedSeen = new Set<string>();
  private pendingNew: string[] | undefined;
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
    this.alwaysCopy = this.excluded.size > 0 || this.hash !== undefined || this.stringifyAll;
    this.schema = opts.schema;
  }

  /**
   * The record with every control applied. `owned`: the reader gave the record away (it keeps no
   * reference), so its top level is rewritten in place instead of copied - one object less per
   * record on the hot path. Nested objects are still copied along hashed paths.
   */
  apply(record: JsonObject, owned = false): JsonObject {
    if (!this.alwaysCopy && !this.mustCopy(record)) {
      if (this.pendingNew) this.widen(record);
      return record;
    }
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
    if (this.pendingNew) this.widen(out);
    return out;
  }

  /** Drift notices (and the widened schema) since the last call. */
  takeChanges(): PlanChanges {
    const changes: PlanChanges = { notices: this.notices, ...(this.schemaChanged ? { schema: this.schema } : {}) };
    this.notices = [];
    this.schemaChanged = false;
    this.changed = false;
    return changes;
  }

  /** The read-only pass: notes new fields (auto) and says whether the record must be rewritten. */
  private mustCopy(record: JsonObject): boolean {
    for (const key in record) {
      if (this.attributes.has(key) && needsString(record[key])) return true;
      if (!this.known.has(key)) {
        if (this.block) return true;
        this.noteNew(key);
      }
    }
    return false;
  }

  private noteNew(key: string): void {
    this.known.add(key);
    (this.pendingNew ??= []).push(key);
    this.changed = true;
  }

  private noteBlocked(key: string): void {
    if (this.blockedSeen.has(key)) return;
    this.blockedSeen.add(key);
    this.notices.push({ field: key, kept: false });
    this.changed = true;
  }

  /** Adds the new fields to the schema, typed from their (transformed) first value, nullable. */
  private widen(record: JsonObject): void {
    const properties = (this.schema.properties ??= {}) as JsonObject;
    for (const key of this.pendingNew ?? []) {
      properties[key] = inferValueSchema(record[key]);
      this.notices.push({ field: key, kept: true });
    }
    this.pendingNew = undefined;
    this.schemaChanged = true;
  }
}
