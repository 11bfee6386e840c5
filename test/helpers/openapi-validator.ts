/**
 * Test helper: validates JSON bodies against the component schemas of the official Intercom
 * OpenAPI description (3.0). `nullable: true` becomes a type union (or anyOf with null), $refs
 * point into a single Ajv schema, formats are not checked (timestamps are integers tagged
 * `format: date-time`; urls in embedded lists are relative although tagged `format: uri`).
 *
 * `strict` mode additionally rejects properties the schema does not declare (an object schema
 * with `properties` and no `additionalProperties`/composition gets `additionalProperties:
 * false`), so the fake cannot invent fields. `allowExtra` whitelists documented exceptions
 * (fields that appear in the spec's examples but not in its schemas).
 */
import fs from 'node:fs';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

// ajv is CommonJS with `module.exports.default = Ajv`; under NodeNext the class is `.default`.
const Ajv = AjvModule.default;

export const DEFAULT_OPENAPI_PATH =
  process.env['INTERCOM_OPENAPI_YAML'] ?? join(packageRoot, 'spec', 'intercom-openapi', '2.14', 'api.intercom.io.yaml');

type Schema = Record<string, unknown>;

function isObj(x: unknown): x is Schema {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const SCHEMA_KEYS_WITH_SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);

/** Converts an OpenAPI 3.0 schema node into JSON Schema (draft-07 flavour understood by Ajv). */
function convert(node: unknown, strict: boolean, allowExtra: Record<string, string[]>, name?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, strict, allowExtra));
  if (!isObj(node)) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'example' || k === 'examples' || k.startsWith('x-') || k === 'discriminator' || k === 'xml') continue;
    if (SCHEMA_KEYS_WITH_SUBSCHEMA_MAPS.has(k) && isObj(v)) {
      const m: Schema = {};
      for (const [pk, pv] of Object.entries(v)) m[pk] = convert(pv, strict, allowExtra);
      out[k] = m;
    } else if (k === '$ref' && typeof v === 'string') {
      out[k] = v.replace('#/components/schemas/', '#/definitions/');
    } else {
      out[k] = convert(v, strict, allowExtra);
    }
  }
  const composed = 'allOf' in out || 'anyOf' in out || 'oneOf' in out;
  if (strict && isObj(out['properties']) && !('additionalProperties' in out) && !composed) {
    const props = out['properties'] as Schema;
    for (const extra of (name && allowExtra[name]) || []) if (!(extra in props)) props[extra] = {};
    out['additionalProperties'] = false;
  }
  if (out['nullable'] === true) {
    delete out['nullable'];
    if ('$ref' in out || composed) {
      return { anyOf: [out, { type: 'null' }] };
    }
    if (typeof out['type'] === 'string') {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    }
    // no type at all: null is already accepted
  } else if ('nullable' in out) {
    delete out['nullable'];
  }
  return out;
}

export interface OpenApiValidator {
  /** Returns human-readable errors (empty when valid). */
  validate(schemaName: string, data: unknown): string[];
  /** Validates against an ad-hoc JSON schema that may $ref '#/definitions/<component>'. */
  validateWith(schema: Schema, data: unknown): string[];
  componentNames(): string[];
}

export function loadOpenApiValidator(
  opts: { path?: string; strict?: boolean; allowExtra?: Record<string, string[]> } = {},
): OpenApiValidator {
  const doc = YAML.parse(fs.readFileSync(opts.path ?? DEFAULT_OPENAPI_PATH, 'utf8')) as {
    components: { schemas: Record<string, unknown> };
  };
  const strict = opts.strict ?? false;
  const allowExtra = opts.allowExtra ?? {};
  const definitions: Schema = {};
  for (const [name, s] of Object.entries(doc.components.schemas))
    definitions[name] = convert(s, strict, allowExtra, name);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, allowUnionTypes: true });
  ajv.addSchema({ $id: 'intercom', definitions });
  const cache = new Map<string, ValidateFunction>();
  const fmt = (errs: ErrorObject[] | null | undefined): string[] =>
    (errs ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  const rewrite = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(rewrite);
    if (!isObj(s)) return s;
    const o: Schema = {};
    for (const [k, v] of Object.entries(s))
      o[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/') ? `intercom${v}` : rewrite(v);
    return o;
  };
  return {
    validate(schemaName, data) {
      if (!(schemaName in definitions)) throw new Error(`unknown component schema ${schemaName}`);
      let fn = cache.get(schemaName);
      if (!fn) {
        fn = ajv.compile({ $ref: `intercom#/definitions/${schemaName}` });
        cache.set(schemaName, fn);
      }
      return fn(data) ? [] : fmt(fn.errors);
    },
    validateWith(schema, data) {
      const fn = ajv.compile(rewrite(schema) as Schema);
      return fn(data) ? [] : fmt(fn.errors);
    },
    componentNames() {
      return Object.keys(definitions);
    },
  };
}
