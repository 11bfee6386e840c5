import { JSONPath } from 'jsonpath-plus';
import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Refuses a path jsonpath-plus cannot parse, naming where it came from. */
export function checkJsonPath(path: string, where: string): void {
  try {
    JSONPath.toPathArray(path);
  } catch (err) {
    throw new ConfigError(
      `${where} is not a valid JSONPath (${err instanceof Error ? err.message : String(err)}); example: $.data[*].`,
    );
  }
  if (!path.startsWith('$'))
    throw new ConfigError(`${where} must start with $ (e.g. $.data[*]); got ${JSON.stringify(path)}.`);
}

/** Every value the path selects in `json` (an empty list when nothing matches). */
export function selectAll(path: string, json: unknown): unknown[] {
  if (json === null || json === undefined) return [];
  // jsonpath-plus types its input loosely; a parsed JSON body is one of the accepted shapes.
  const result: unknown = JSONPath({ path, json: json as object, wrap: true });
  return Array.isArray(result) ? (result as unknown[]) : [];
}

/** The value a metadata path selects: the value itself when one matches, the list when several do. */
export function selectOne(path: string, json: unknown): unknown {
  const values = selectAll(path, json);
  if (values.length === 0) return null;
  return values.length === 1 ? values[0] : values;
}

export interface PathSuggestion {
  path: string;
  /** Elements of the array in the sampled response. */
  records: number;
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function childPath(parent: string, key: string): string {
  return SIMPLE_KEY.test(key) ? `${parent}.${key}` : `${parent}['${key.replace(/'/g, "\\'")}']`;
}

/**
 * Candidate records paths in a response: every array whose elements are objects, reached through
 * objects (not through the records themselves), biggest first. `$.data[*]` is the usual answer.
 */
export function suggestRecordPaths(body: unknown, maxDepth = 6): PathSuggestion[] {
  const found: PathSuggestion[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (Array.isArray(value)) {
      if (value.length > 0 && value.every(isObject)) found.push({ path: `${path}[*]`, records: value.length });
      return;
    }
    if (!isObject(value) || depth >= maxDepth) return;
    for (const [key, sub] of Object.entries(value)) visit(sub, childPath(path, key), depth + 1);
  };
  visit(body, '$', 0);
  return found.sort((a, b) => b.records - a.records || a.path.length - b.path.length);
}
