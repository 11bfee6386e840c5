/**
 * Request paths built from values that come from outside (a record, an id in an answer). A value
 * fills exactly one path segment and can never become structure: `..` would walk up
 * (`DELETE /contacts/../tags/1` is `DELETE /tags/1`, the tag removed from the whole workspace),
 * `/` would add a segment, `?` and `#` would end the path. Such values are refused rather than
 * escaped, because the server may decode an escaped value again.
 */

export const INVALID_IDENTIFIER = 'invalid_identifier';

/**
 * A value that cannot fill a path: `invalid_identifier` (it would change the path) or
 * `missing_value` (absent, or not a string or number). The message names the field, never the value.
 */
export class PathValueError extends Error {
  constructor(
    message: string,
    readonly code: typeof INVALID_IDENTIFIER | 'missing_value',
  ) {
    super(message);
    this.name = 'PathValueError';
  }
}

const PLACEHOLDER = /\{([^{}]+)\}/g;
/** `/`, `\`, `?`, `#`, C0 and C1 control characters and DEL. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const STRUCTURAL = /[/\\?#\u0000-\u001f\u007f-\u009f]/;
/** A lone UTF-16 surrogate cannot be percent-encoded (encodeURIComponent throws). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ASCII_ESCAPE = /%([0-7][0-9a-fA-F])/g;
const VERIFY_BASE = 'http://path.invalid';

/** The placeholder names of a template, in order: `/contacts/{contact_id}/tags/{tag_id}` -> contact_id, tag_id. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Why `value` cannot be one path segment, or undefined when it can. Percent sequences are decoded
 * (repeatedly: `%252F` is `%2F` is `/`) before the checks, so an escaped `..` or `/` is refused too.
 */
export function identifierProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode (a lone surrogate)';
  const decoded = decodeAsciiEscapes(value);
  if (decoded === '.' || decoded === '..') return `is a dot segment ('${decoded}'), which would change the path`;
  const bad = STRUCTURAL.exec(decoded)?.[0];
  if (bad !== undefined)
    return `contains ${describeChar(bad)}${decoded === value ? '' : ' (percent-encoded)'}, which would change the path`;
  return undefined;
}

/** Decodes %XX escapes of ASCII characters until none is left; each round shortens the text, so it ends. */
function decodeAsciiEscapes(value: string): string {
  let current = value;
  for (;;) {
    const next = current.replace(ASCII_ESCAPE, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) return current;
    current = next;
  }
}

function describeChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
    return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `'${char}'`;
}

export interface BuildPathOptions {
  /** How a placeholder is named in an error (default `record.<name>`). */
  describe?: (placeholder: string) => string;
  /** What happens instead of the request, for the error (default: the record was not sent). */
  outcome?: string;
}

/**
 * Fills `{name}` placeholders from `values` (strings or numbers), each percent-encoded as one
 * segment, and checks the result against the template before anything is sent. Throws
 * PathValueError naming the field, never its value (it may be a secret).
 */
export function buildPath(
  template: string,
  values: Readonly<Record<string, unknown>>,
  opts: BuildPathOptions = {},
): string {
  const describe = opts.describe ?? ((name: string) => `record.${name}`);
  const outcome = opts.outcome ?? 'so the record was not sent';
  const path = template.replace(PLACEHOLDER, (_m, name: string) => {
    const raw = Object.hasOwn(values, name) ? values[name] : undefined;
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
      throw new PathValueError(
        `${describe(name)} is required (a string or number) to fill {${name}} of ${template}; not sent`,
        'missing_value',
      );
    }
    const value = String(raw);
    const problem = identifierProblem(value);
    if (problem)
      throw new PathValueError(
        `${describe(name)} ${problem}; it fills {${name}} of ${template}, ${outcome}`,
        INVALID_IDENTIFIER,
      );
    return encodeURIComponent(value);
  });
  assertMatchesTemplate(template, path);
  return path;
}

/**
 * The built path has the template's segments: same count, literal ones unchanged, filled ones not
 * dot segments, and URL resolution (what the HTTP client does) leaves it as it is.
 */
export function assertMatchesTemplate(template: string, path: string): void {
  const want = template.split('/');
  const got = path.split('/');
  const same =
    want.length === got.length &&
    want.every((segment, i) => (segment.includes('{') ? !isDotSegment(got[i]!) && got[i] !== '' : segment === got[i]));
  if (!same || new URL(path, VERIFY_BASE).pathname !== path) {
    throw new PathValueError(
      `the request path built for ${template} does not keep the template's segments; not sent`,
      INVALID_IDENTIFIER,
    );
  }
}

function isDotSegment(segment: string): boolean {
  const decoded = decodeAsciiEscapes(segment);
  return decoded === '.' || decoded === '..';
}

/**
 * Why a generic-mode path template from the config cannot be used, or undefined: it must start
 * with `/`, have no empty or dot segments, no query or fragment, and placeholders with names.
 */
export function templateProblem(template: string): string | undefined {
  if (!template.startsWith('/'))
    return "must start with '/' (a path below the API root, e.g. /contacts/{contact_id}/companies)";
  if (/[?#\\]/.test(template))
    return "must be a plain path: no '?', '#' or '\\' (query parameters are not supported in generic mode)";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\u007f]/.test(template)) return 'contains a control character';
  const literal = template.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(literal)) return 'has an unbalanced or empty {placeholder}';
  const segments = template.split('/').slice(1);
  if (segments.some((s) => s === '')) return "has an empty segment ('//' or a trailing '/')";
  if (segments.some((s) => isDotSegment(s))) return "has a '.' or '..' segment";
  if (new URL(literal, VERIFY_BASE).pathname !== literal)
    return 'is changed by URL resolution; use only plain path characters';
  return undefined;
}

/**
 * Checks every field of `record` that fills a path of `operation`: a value that is given (not
 * null) must be one valid segment. Missing fields are the caller's to judge.
 */
export function checkPathFields(
  record: Readonly<Record<string, unknown>>,
  routes: readonly { operations: readonly string[]; template: string }[],
  operation: string,
): void {
  for (const route of routes) {
    if (!route.operations.includes(operation)) continue;
    for (const name of placeholdersOf(route.template)) {
      const value = Object.hasOwn(record, name) ? record[name] : undefined;
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const problem = identifierProblem(String(value));
      if (problem)
        throw new PathValueError(
          `record.${name} ${problem}; it fills {${name}} of ${route.template}, so the record was not sent`,
          INVALID_IDENTIFIER,
        );
    }
  }
}
