import * as core from '../core/url-path.js';
import { RecordInvalid } from './writers/types.js';

/**
 * The destination's side of src/core/url-path.ts: the same path rules, with a refused value turned
 * into RecordInvalid so the record is dead-lettered (`invalid_identifier`, or `invalid_record`
 * when the value is missing) and never sent.
 */
export { INVALID_IDENTIFIER, placeholdersOf, templateProblem } from '../core/url-path.js';

export function buildPath(
  template: string,
  values: Readonly<Record<string, unknown>>,
  opts?: core.BuildPathOptions,
): string {
  return asRecordInvalid(() => core.buildPath(template, values, opts));
}

export function checkPathFields(
  record: Readonly<Record<string, unknown>>,
  routes: readonly { operations: readonly string[]; template: string }[],
  operation: string,
): void {
  asRecordInvalid(() => core.checkPathFields(record, routes, operation));
}

function asRecordInvalid<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof core.PathValueError)
      throw new RecordInvalid(
        err.message,
        err.code === core.INVALID_IDENTIFIER ? core.INVALID_IDENTIFIER : 'invalid_record',
      );
    throw err;
  }
}
