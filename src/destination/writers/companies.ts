import type { JsonObject } from '../../core/events.js';
import { buildPath } from '../url-path.js';
import { recordValidator, str, type FieldSchemas } from './fields.js';
import type { ObjectWriter, WriteOutcome } from './types.js';

/** Body fields of `create_or_update_company_request` (POST /companies; OpenAPI 2.14). */
export const COMPANY_BODY: FieldSchemas = {
  name: { type: 'string' },
  company_id: { type: 'string' },
  plan: { type: 'string' },
  size: { type: 'integer' },
  website: { type: 'string' },
  industry: { type: 'string' },
  // The spec says string values; Intercom also takes numbers and booleans for typed attributes.
  custom_attributes: {
    type: 'object',
    jsonString: true,
    additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
  },
  remote_created_at: { type: 'integer', timestamp: true },
  monthly_spend: { type: 'integer' },
};
export const COMPANY_OPENAPI = [{ method: 'post', path: '/companies' }] as const;

const COMPANY_PATH = '/companies/{id}';
const upsertValidator = recordValidator({
  body: COMPANY_BODY,
  consumed: { id: { type: 'string' } },
  required: ['company_id'],
});
const deleteValidator = recordValidator({ body: COMPANY_BODY, consumed: { id: { type: 'string' } }, required: ['id'] });

interface CompanyAnswer {
  id?: string;
  created_at?: number;
  updated_at?: number;
}

/**
 * POST /companies creates or updates by company_id, so every write is an upsert (and a re-run
 * repeats it harmlessly). Delete needs Intercom's id (DELETE /companies/{id}).
 */
export const companiesWriter: ObjectWriter = {
  object: 'companies',
  operations: ['upsert', 'create', 'update', 'delete'],
  defaultOperation: 'upsert',
  routes: [{ operations: ['delete'], method: 'DELETE', template: COMPANY_PATH, example: { id: 'co-1' } }],
  prepare(record, operation, dropped) {
    if (operation === 'delete') {
      const id = str(deleteValidator.check(record), 'id')!;
      const path = buildPath(COMPANY_PATH, { id });
      return {
        keys: [`company:id:${id}`],
        plan: [{ method: 'DELETE', path }],
        run: async (ctx): Promise<WriteOutcome> => {
          const answer = await ctx.send<JsonObject>({ method: 'DELETE', path, allow404: true });
          return answer ? { kind: 'deleted', id } : { kind: 'skipped', id, note: `company ${id} was already deleted` };
        },
      };
    }
    const checked = upsertValidator.check(record);
    const body = upsertValidator.body(checked, dropped);
    return {
      keys: [`company:company_id:${String(checked.company_id)}`],
      plan: [{ method: 'POST', path: '/companies', body }],
      run: async (ctx): Promise<WriteOutcome> => {
        const answer = await ctx.send<CompanyAnswer>({ method: 'POST', path: '/companies', json: body });
        // Intercom does not say whether it created or updated; a fresh company has both times equal.
        const fresh = answer?.created_at !== undefined && answer.created_at === answer.updated_at;
        return { kind: fresh ? 'created' : 'updated', id: answer?.id };
      },
    };
  },
};
