import { createHash } from 'node:crypto';
import { ConnectorError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { IntercomClient } from '../../intercom/client.js';

/**
 * Reporting Data Export datasets (GET /export/reporting_data/get_datasets): the metrics Intercom's
 * own reports are built on. Each configured dataset is a stream `reporting_<dataset_id>`.
 */
export interface ReportingAttribute {
  /** Column name in records: the attribute's `id` (e.g. `conversation_id`). */
  id: string;
  /** What enqueue is sent: `qualified_id` (e.g. `standard.conversation_id`) when the API gives one. */
  qualifiedId: string;
  name?: string;
  /** JSON type of the column, from the attribute's `data_type` when the API gives one; string otherwise. */
  kind: ColumnKind;
}

export type ColumnKind = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp';

export interface ReportingDataset {
  id: string;
  name?: string;
  description?: string;
  /** Attribute id of the dataset's default time attribute (the window and cursor field). */
  timeAttribute: string;
  attributes: ReportingAttribute[];
  /** The attribute whose value identifies a row (`<dataset_id>_id` or `id`), if the dataset has one. */
  identifier?: string;
}

export const REPORTING_PREFIX = 'reporting_';
/** Every reporting row's primary key and cursor (the dataset's own fields vary; these do not). */
export const ROW_ID = '_row_id';
export const ROW_TIME = '_time';

export const streamOfDataset = (datasetId: string): string => `${REPORTING_PREFIX}${datasetId}`;

/** Attribute types as Intercom may describe them (`data_type`), mapped to a column kind. */
const KINDS: Record<string, ColumnKind> = {
  string: 'string',
  text: 'string',
  integer: 'integer',
  int: 'integer',
  long: 'integer',
  number: 'number',
  float: 'number',
  double: 'number',
  decimal: 'number',
  boolean: 'boolean',
  bool: 'boolean',
  datetime: 'timestamp',
  date: 'timestamp',
  timestamp: 'timestamp',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** One dataset of the get_datasets answer; undefined when it lacks an id, a time attribute or attributes. */
export function parseDataset(raw: unknown): ReportingDataset | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const d = raw as Record<string, unknown>;
  const id = str(d.id);
  const time = str(d.default_time_attribute_id);
  if (!id || !time || !Array.isArray(d.attributes)) return undefined;
  const attributes: ReportingAttribute[] = [];
  for (const a of d.attributes as unknown[]) {
    if (!a || typeof a !== 'object') continue;
    const attr = a as Record<string, unknown>;
    const qualifiedId = str(attr.qualified_id) ?? str(attr.id);
    const attrId = str(attr.id) ?? qualifiedId?.split('.').pop();
    if (!attrId || !qualifiedId) continue;
    const declared = str(attr.data_type) ?? str(attr.type);
    const isTime = attrId === time || qualifiedId === time;
    attributes.push({
      id: attrId,
      qualifiedId,
      name: str(attr.name),
      kind: isTime ? 'timestamp' : (KINDS[declared?.toLowerCase() ?? ''] ?? 'string'),
    });
  }
  const timeAttribute = attributes.find((a) => a.id === time || a.qualifiedId === time)?.id;
  if (!timeAttribute) return undefined;
  const identifier = attributes.find((a) => a.id === `${id}_id`)?.id ?? attributes.find((a) => a.id === 'id')?.id;
  return {
    id,
    name: str(d.name),
    description: str(d.description),
    timeAttribute,
    attributes,
    ...(identifier ? { identifier } : {}),
  };
}

/** GET /export/reporting_data/get_datasets, parsed. */
export async function fetchDatasets(client: IntercomClient, stream?: string): Promise<Map<string, ReportingDataset>> {
  const body = await client.request<{ data?: unknown }>({ path: '/export/reporting_data/get_datasets', stream });
  if (!body || !Array.isArray(body.data)) {
    throw new ConnectorError(
      "Intercom's answer to GET /export/reporting_data/get_datasets has no 'data' array; the response is malformed or the API version changed.",
      { failureType: 'system_error', stream },
    );
  }
  const out = new Map<string, ReportingDataset>();
  for (const raw of body.data) {
    const dataset = parseDataset(raw);
    if (dataset) out.set(dataset.id, dataset);
  }
  return out;
}

const JSON_TYPES: Record<ColumnKind, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  timestamp: 'integer',
};

/** What is known of a reporting stream without calling Intercom: its key and cursor. */
export function reportingBaseSchema(datasetId: string): JsonObject {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: streamOfDataset(datasetId),
    description: `Rows of the Reporting Data Export dataset '${datasetId}'.`,
    type: 'object',
    additionalProperties: true,
    required: [ROW_ID],
    properties: {
      [ROW_ID]: {
        type: 'string',
        description:
          "Primary key: the row's identifier attribute (`<dataset>_id` or `id`) when the dataset has one, else a SHA-256 of the row.",
      },
      [ROW_TIME]: { type: 'integer', description: "Cursor: the dataset's default time attribute, Unix seconds." },
    },
  };
}

/** The full schema of a dataset: one typed, nullable property per attribute, plus key and cursor. */
export function reportingSchema(dataset: ReportingDataset): JsonObject {
  const schema = reportingBaseSchema(dataset.id);
  schema.description = `${dataset.name ?? dataset.id}: ${dataset.description ?? 'Reporting Data Export dataset'} (GET /export/reporting_data/get_datasets, dataset '${dataset.id}').`;
  const properties = schema.properties as JsonObject;
  for (const attr of dataset.attributes) {
    if (attr.id in properties) continue;
    properties[attr.id] = {
      type: ['null', JSON_TYPES[attr.kind]],
      description: `${attr.name ?? attr.id} (\`${attr.qualifiedId}\`${attr.kind === 'timestamp' ? ', Unix seconds' : ''}).`,
    };
  }
  return schema;
}

/** A CSV cell as the column's type; '' is null. A value that does not fit is kept as text and reported. */
export function convertCell(kind: ColumnKind, text: string): { value: unknown; ok: boolean } {
  if (text === '') return { value: null, ok: true };
  switch (kind) {
    case 'string':
      return { value: text, ok: true };
    case 'integer': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? { value: n, ok: true } : { value: text, ok: false };
    }
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? { value: n, ok: true } : { value: text, ok: false };
    }
    case 'boolean': {
      const t = text.toLowerCase();
      return t === 'true' || t === '1'
        ? { value: true, ok: true }
        : t === 'false' || t === '0'
          ? { value: false, ok: true }
          : { value: text, ok: false };
    }
    case 'timestamp': {
      if (/^\d+$/.test(text)) return { value: Number(text), ok: true };
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? { value: text, ok: false } : { value: Math.floor(ms / 1000), ok: true };
    }
  }
}

/** The primary key of a row: its identifier attribute, else a stable hash of its values in attribute order. */
export function rowId(dataset: ReportingDataset, record: JsonObject): string {
  const id = dataset.identifier ? record[dataset.identifier] : undefined;
  if (id !== undefined && id !== null && id !== '') return String(id);
  return createHash('sha256')
    .update(JSON.stringify(dataset.attributes.map((a) => record[a.id] ?? null)))
    .digest('hex');
}
