import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * The options the config validators are compiled with. scripts/gen-types.mjs compiles the config
 * schemas with them ahead of time (src/generated/validators), so a command neither loads Ajv nor
 * spends ~40 ms compiling them at start-up; src/config/validators.test.ts checks the two agree.
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, useDefaults: true, allowUnionTypes: true } as const;

/** A validator of src/generated/validators (Ajv standalone code, untyped) as Ajv's own type. */
export function precompiled(validate: unknown): ValidateFunction {
  return validate as ValidateFunction;
}

/** Turns Ajv errors into one line per problem that names the field and what is expected. */
export function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string[] {
  if (!errors) return [];
  return errors.map((e) => {
    const path = root + e.instancePath.replace(/\//g, '.');
    switch (e.keyword) {
      case 'required':
        return `${path}.${(e.params as { missingProperty: string }).missingProperty} is required`;
      case 'enum':
        return `${path} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      case 'type':
        return `${path} must be of type ${(e.params as { type: string }).type}`;
      case 'additionalProperties':
        return `${path} has an unknown key '${(e.params as { additionalProperty: string }).additionalProperty}'`;
      default:
        return `${path} ${e.message ?? 'is invalid'}`;
    }
  });
}
