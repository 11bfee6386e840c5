import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import type { SourceConfig as SourceConfigFile } from '../generated/config/index.js';
import { checkJsonPath } from '../util/jsonpath.js';
import { checkDateFormat, type MacroTimeUnit } from '../util/macros.js';

/** Only the keys custom streams read; the rest of the document does not matter here. */
type SourceConfigDocument = Partial<SourceConfigFile>;

export type CustomPagination = 'none' | 'cursor' | 'search' | 'page';

/** A `custom_streams` entry, validated and with its defaults. */
export interface CustomStreamDef {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: JsonObject;
  recordsPath?: string;
  metadataPath?: string;
  headers: Record<string, string>;
  primaryKey: string[];
  cursorField?: string;
  pagination: CustomPagination;
  pageSize?: number;
  timeUnit: MacroTimeUnit;
  dateFormat: string;
}

const FORBIDDEN_HEADERS = new Set(['authorization', 'host', 'content-length']);

function customStream(
  raw: NonNullable<SourceConfigDocument['custom_streams']>[number],
  i: number,
  doc: SourceConfigDocument,
): CustomStreamDef {
  const where = `config.custom_streams[${i}]`;
  const method = raw.method ?? 'GET';
  const pagination = raw.pagination ?? 'none';
  if (pagination === 'search' && method !== 'POST')
    throw new ConfigError(
      `${where} uses pagination "search", which needs method "POST" (Intercom's search endpoints are POST).`,
    );
  if (raw.body !== undefined && method !== 'POST')
    throw new ConfigError(`${where}.body is only sent with method "POST".`);
  if (raw.records_path !== undefined) checkJsonPath(raw.records_path, `${where}.records_path`);
  if (raw.metadata_path !== undefined) checkJsonPath(raw.metadata_path, `${where}.metadata_path`);
  const headers = raw.headers ?? {};
  for (const name of Object.keys(headers)) {
    if (FORBIDDEN_HEADERS.has(name.toLowerCase()))
      throw new ConfigError(
        `${where}.headers may not set ${name}: the connector sends the configured access token itself.`,
      );
  }
  const dateFormat = raw.macro_date_format ?? doc.macro_date_format ?? 'unix';
  checkDateFormat(
    dateFormat,
    raw.macro_date_format !== undefined ? `${where}.macro_date_format` : 'config.macro_date_format',
  );
  const primaryKey =
    raw.primary_key === undefined ? [] : Array.isArray(raw.primary_key) ? raw.primary_key : [raw.primary_key];
  return {
    name: raw.name,
    method,
    path: raw.path,
    ...(raw.body !== undefined ? { body: raw.body } : {}),
    ...(raw.records_path !== undefined ? { recordsPath: raw.records_path } : {}),
    ...(raw.metadata_path !== undefined ? { metadataPath: raw.metadata_path } : {}),
    headers,
    primaryKey,
    ...(raw.cursor_field !== undefined ? { cursorField: raw.cursor_field } : {}),
    pagination,
    ...(raw.page_size !== undefined ? { pageSize: raw.page_size } : {}),
    timeUnit: raw.macro_time_unit ?? doc.macro_time_unit ?? 'day',
    dateFormat,
  };
}

/** The config's `custom_streams`, validated and with their defaults; names must be unique. */
export function parseCustomStreams(doc: SourceConfigDocument): CustomStreamDef[] {
  const customStreams = (doc.custom_streams ?? []).map((raw, i) => customStream(raw, i, doc));
  const seen = new Set<string>();
  for (const def of customStreams) {
    if (seen.has(def.name))
      throw new ConfigError(`config.custom_streams has two streams named '${def.name}'; names must be unique.`);
    seen.add(def.name);
  }
  return customStreams;
}
