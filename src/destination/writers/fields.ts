import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonObject } from '../../core/events.js';
import { RecordInvalid, type DropReporter } from './types.js';

/**
 * A field of a record: a JSON Schema fragment plus two input conveniences.
 * - `timestamp`: Unix seconds; an ISO 8601 string is converted (warehouses hold dates as text).
 * - `jsonString`: an object that may arrive as a JSON string (the source emits custom_attributes so).
 */
export type FieldSchema = Record<string, unknown> & {
  type?: string | string[];
  timestamp?: boolean;
  jsonString?: boolean;
};
export type FieldSchemas = Record<string, FieldSchema>;

export interface RecordSchemaSpec {
  /** Fields that go to the request body (the accepted fields of the OpenAPI request body). */
  body: FieldSchemas;
  /** Fields consumed otherwise (path parameters, match keys); validated, never sent as body fields. */
  consumed?: FieldSchemas;
  required?: string[];
  /** Alternatives of required fields, e.g. [["external_id"], ["email"]]. */
  requiredOneOf?: string[][];
}

/**
 * Coercion is on: ids that arrive as numbers become strings (Intercom wants strings) and numeric
 * strings become integers. A value that cannot be coerced losslessly fails validation.
 */
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, allowUnionTypes: true });

export interface RecordValidator {
  readonly spec: RecordSchemaSpec;
  /** Normalizes, coerces and validates a copy of the record; throws RecordInvalid naming every problem. */
  check(record: JsonObject): JsonObject;
  /** The body fields of a checked record; fields the API does not accept are reported and left out. */
  body(record: JsonObject, dropped: DropReporter, exclude?: readonly string[]): JsonObject;
}

export function recordValidator(spec: RecordSchemaSpec): RecordValidator {
  const fields: FieldSchemas = { ...spec.body, ...(spec.consumed ?? {}) };
  const schema: Record<string, unknown> = {
    type: 'object',
    properties: Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, withoutConveniences(f)])),
    ...(spec.required?.length ? { required: spec.required } : {}),
    ...(spec.requiredOneOf?.length ? { anyOf: spec.requiredOneOf.map((req) => ({ required: req })) } : {}),
  };
  // Compiled on first use: writers are module-level, and a source run must not pay for them.
  let validate: ValidateFunction | undefined;
  const consumed = new Set(Object.keys(spec.consumed ?? {}));
  return {
    spec,
    check(record) {
      const copy = normalize(record, fields);
      validate ??= ajv.compile(schema);
      if (!validate(copy)) throw new RecordInvalid(describe(validate.errors, spec));
      return copy;
    },
    body(record, dropped, exclude = []) {
      const out: JsonObject = {};
      for (const [key, value] of Object.entries(record)) {
        if (exclude.includes(key) || consumed.has(key)) continue;
        // Own keys only: `constructor` or `toString` are on every object's prototype, not in the allow-list.
        if (!Object.hasOwn(spec.body, key)) {
          dropped(key);
          continue;
        }
        if (value !== undefined) out[key] = value;
      }
      return out;
    },
  };
}

function withoutConveniences(field: FieldSchema): Record<string, unknown> {
  const { timestamp: _t, jsonString: _j, ...rest } = field;
  return rest;
}

function allowsNull(field: FieldSchema): boolean {
  const t = field.type;
  return t === 'null' || (Array.isArray(t) && t.includes('null'));
}

/** SQL NULL for a field Intercom does not accept null for means "not given"; ISO dates and JSON strings are converted. */
function normalize(record: JsonObject, fields: FieldSchemas): JsonObject {
  const copy: JsonObject = { ...record };
  for (const [name, field] of Object.entries(fields)) {
    const value = copy[name];
    if (value === undefined) continue;
    if (value === null) {
      if (!allowsNull(field)) delete copy[name];
      continue;
    }
    if (field.jsonString && typeof value === 'string') {
      const parsed = parseJson(value);
      if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) copy[name] = parsed;
    }
    if (field.timestamp && typeof value === 'string' && !/^\s*-?\d+\s*$/.test(value)) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) copy[name] = Math.floor(ms / 1000);
    }
  }
  return copy;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(errors: ErrorObject[] | null | undefined, spec: RecordSchemaSpec): string {
  const problems = new Set<string>();
  let missingAlternatives = false;
  for (const e of errors ?? []) {
    const path = `record${e.instancePath.replace(/\//g, '.')}`;
    if (e.keyword === 'required' && e.schemaPath.startsWith('#/anyOf')) {
      missingAlternatives = true;
      continue;
    }
    if (e.keyword === 'anyOf' && e.schemaPath === '#/anyOf') continue;
    switch (e.keyword) {
      case 'required':
        problems.add(`${path}.${(e.params as { missingProperty: string }).missingProperty} is required`);
        break;
      case 'type':
        problems.add(`${path} must be of type ${(e.params as { type: string }).type}`);
        break;
      case 'enum':
        problems.add(
          `${path} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
        );
        break;
      default:
        problems.add(`${path} ${e.message ?? 'is invalid'}`);
    }
  }
  if (missingAlternatives && spec.requiredOneOf) {
    problems.add(`record needs one of ${spec.requiredOneOf.map((alt) => alt.join(' + ')).join(', ')}`);
  }
  return [...problems].join('; ');
}

/** Reads a string field of a checked record (ids are coerced to strings by validation). */
export function str(record: JsonObject, field: string): string | undefined {
  const v = record[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
