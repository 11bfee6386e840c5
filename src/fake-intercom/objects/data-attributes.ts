/** Data attributes: the built-in and custom attributes of each model, and their rendering. */
import { DAY } from '../clock.js';
import { ApiError } from '../http.js';
import type { AdminCore, DataAttributeDef, Json } from '../model.js';
import { rngFor } from '../rng.js';
import type { WorkspaceState } from '../state.js';
import { PLANS } from '../vocabulary.js';

type Model = DataAttributeDef['model'];
type DataType = DataAttributeDef['data_type'];

/** Built-in attributes: model, name, full_name, label, data type (no id: the spec says ids are for custom ones). */
const BUILT_IN: ReadonlyArray<[Model, string, string, string, DataType]> = [
  ['contact', 'name', 'name', 'Name', 'string'],
  ['contact', 'email', 'email', 'Email', 'string'],
  ['contact', 'phone', 'phone', 'Phone', 'string'],
  ['contact', 'external_id', 'external_id', 'User ID', 'string'],
  ['contact', 'last_seen_at', 'last_seen_at', 'Last seen', 'date'],
  ['contact', 'city_name', 'location_data.city_name', 'City', 'string'],
  ['company', 'name', 'name', 'Company name', 'string'],
  ['company', 'company_id', 'company_id', 'Company ID', 'string'],
  ['company', 'monthly_spend', 'monthly_spend', 'Monthly spend', 'float'],
  ['company', 'size', 'size', 'Company size', 'integer'],
];

/** Custom attributes: model, name, data type, archived, options. */
const CUSTOM: ReadonlyArray<[Model, string, DataType, boolean, string[]?]> = [
  ['contact', 'plan', 'string', false, PLANS],
  ['contact', 'seats', 'integer', false],
  ['contact', 'vip', 'boolean', false],
  ['contact', 'last_order_at', 'date', false],
  ['contact', 'legacy_score', 'float', true],
  ['company', 'tier', 'string', false, ['bronze', 'silver', 'gold']],
  ['company', 'region', 'string', false],
  ['conversation', 'issue_type', 'string', false, ['billing', 'bug', 'question']],
  ['conversation', 'csat_score', 'integer', false],
];

function builtIn([model, name, full_name, label, data_type]: (typeof BUILT_IN)[number]): DataAttributeDef {
  return {
    model,
    name,
    full_name,
    label,
    description: `${label} (standard attribute)`,
    data_type,
    custom: false,
    archived: false,
  };
}

/** Contact attributes, then company, then conversation ones, built-in before custom (the order served). */
export function generateDataAttributes(ws: WorkspaceState): void {
  const r = rngFor(ws.seed, 'data-attributes');
  let nextId = 12_000;
  for (const model of ['contact', 'company', 'conversation'] as const) {
    for (const b of BUILT_IN) if (b[0] === model) ws.dataAttributes.push(builtIn(b));
    for (const [, name, data_type, archived, options] of CUSTOM.filter((x) => x[0] === model)) {
      const created = ws.genNow - r.int(100, 700) * DAY;
      const def: DataAttributeDef = {
        model,
        name,
        full_name: `custom_attributes.${name}`,
        label: name.replace(/_/g, ' '),
        description: `Custom ${model} attribute ${name}`,
        data_type,
        custom: true,
        archived,
        id: nextId++,
        created_at: created,
        updated_at: created + r.int(0, 50) * DAY,
        admin_idx: ws.size.admins > 0 ? r.int(0, ws.size.admins - 1) : 0,
      };
      if (options) def.options = options;
      ws.dataAttributes.push(def);
    }
  }
}

export function renderDataAttribute(ws: WorkspaceState, d: DataAttributeDef): Json {
  const out: Json = { type: 'data_attribute' };
  if (d.id !== undefined) out['id'] = d.id;
  out['model'] = d.model;
  out['name'] = d.name;
  out['full_name'] = d.full_name;
  out['label'] = d.label;
  out['description'] = d.description;
  out['data_type'] = d.data_type;
  if (d.options) out['options'] = d.options;
  out['api_writable'] = d.custom;
  out['messenger_writable'] = d.custom && d.data_type === 'string';
  out['ui_writable'] = true;
  out['custom'] = d.custom;
  out['archived'] = d.archived;
  if (d.created_at !== undefined) out['created_at'] = d.created_at;
  if (d.updated_at !== undefined) out['updated_at'] = d.updated_at;
  if (d.admin_idx !== undefined && ws.admins[d.admin_idx]) out['admin_id'] = (ws.admins[d.admin_idx] as AdminCore).id;
  return out;
}

/** GET /data_attributes: `model` filters (400 for an unknown one), archived ones only with include_archived. */
export function listDataAttributes(ws: WorkspaceState, query: URLSearchParams): Json[] {
  const model = query.get('model');
  if (model !== null && model !== 'contact' && model !== 'company' && model !== 'conversation') {
    throw new ApiError(400, 'parameter_invalid', 'model must be one of contact, company, conversation', 'model');
  }
  const archived = query.get('include_archived') === 'true';
  return ws.dataAttributes
    .filter((d) => (model === null || d.model === model) && (archived || !d.archived))
    .map((d) => renderDataAttribute(ws, d));
}
