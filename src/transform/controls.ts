import type { SourceConfig } from '../config/source-config.js';
import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { registerSecret } from '../core/redact.js';
import type { SourceConfig as SourceConfigFile } from '../generated/config/index.js';
import { Hasher } from './hash.js';
import type { JsonStringMode } from './json-strings.js';
import { checkJsonPath } from '../util/jsonpath.js';
import { checkDateFormat, type MacroTimeUnit } from '../util/macros.js';
import { PII_FIELDS } from './pii.js';

/** The data controls read only their own keys of the config; credentials do not matter here. */
type SourceConfigDocument = Partial<SourceConfigFile>;

export type SchemaDriftMode = 'auto' | 'block';
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

/** The data-control options of a config (issue 9), validated. Stream names here are the streams' own names. */
export interface DataControls {
  schemaDrift: SchemaDriftMode;
  jsonStrings: JsonStringMode;
  /** Hash paths per stream: hash_fields, plus the PII preset under hash_pii. */
  hashFields: ReadonlyMap<string, readonly string[]>;
  /** Streams named in hash_fields (checked against the streams the config has). */
  hashFieldStreams: readonly string[];
  hasher: Hasher;
  streamPrefix: string;
  streamAliases: Readonly<Record<string, string>>;
  customStreams: readonly CustomStreamDef[];
}

const FORBIDDEN_HEADERS = new Set(['authorization', 'host', 'content-length']);

function customStream(raw: NonNullable<SourceConfigDocument['custom_streams']>[number], i: number, doc: SourceConfigDocument): CustomStreamDef {
  const where = `config.custom_streams[${i}]`;
  const method = raw.method ?? 'GET';
  const pagination = raw.pagination ?? 'none';
  if (pagination === 'search' && method !== 'POST') throw new ConfigError(`${where} uses pagination "search", which needs method "POST" (Intercom's search endpoints are POST).`);
  if (raw.body !== undefined && method !== 'POST') throw new ConfigError(`${where}.body is only sent with method "POST".`);
  if (raw.records_path !== undefined) checkJsonPath(raw.records_path, `${where}.records_path`);
  if (raw.metadata_path !== undefined) checkJsonPath(raw.metadata_path, `${where}.metadata_path`);
  const headers = raw.headers ?? {};
  for (const name of Object.keys(headers)) {
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) throw new ConfigError(`${where}.headers may not set ${name}: the connector sends the configured access token itself.`);
  }
  const dateFormat = raw.macro_date_format ?? doc.macro_date_format ?? 'unix';
  checkDateFormat(dateFormat, raw.macro_date_format !== undefined ? `${where}.macro_date_format` : 'config.macro_date_format');
  const primaryKey = raw.primary_key === undefined ? [] : Array.isArray(raw.primary_key) ? raw.primary_key : [raw.primary_key];
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

/** Reads the data-control options; problems a schema cannot express are ConfigErrors naming the field. */
export function parseDataControls(doc: SourceConfigDocument): DataControls {
  // The salt is a secret: no output may print it, even in an error about another field.
  if (typeof doc.hash_salt === 'string') registerSecret(doc.hash_salt);
  const customStreams = (doc.custom_streams ?? []).map((raw, i) => customStream(raw, i, doc));
  const seen = new Set<string>();
  for (const def of customStreams) {
    if (seen.has(def.name)) throw new ConfigError(`config.custom_streams has two streams named '${def.name}'; names must be unique.`);
    seen.add(def.name);
  }
  const hashFields = new Map<string, string[]>();
  const addHashes = (stream: string, fields: readonly string[]): void => {
    const list = hashFields.get(stream) ?? [];
    for (const field of fields) if (!list.includes(field)) list.push(field);
    hashFields.set(stream, list);
  };
  if (doc.hash_pii === true) for (const [stream, fields] of Object.entries(PII_FIELDS)) addHashes(stream, fields);
  const hashFieldStreams = Object.keys(doc.hash_fields ?? {});
  for (const [stream, fields] of Object.entries(doc.hash_fields ?? {})) {
    for (const field of fields) {
      if (field.split('.').some((segment) => segment === '')) throw new ConfigError(`config.hash_fields.${stream} has the path ${JSON.stringify(field)}; write fields and dotted paths like "email" or "location.city".`);
    }
    addHashes(stream, fields);
  }
  return {
    schemaDrift: doc.schema_drift ?? 'auto',
    jsonStrings: doc.json_string_fields ?? 'auto',
    hashFields,
    hashFieldStreams,
    hasher: new Hasher(doc.hash_salt),
    streamPrefix: doc.stream_prefix ?? '',
    streamAliases: doc.stream_aliases ?? {},
    customStreams,
  };
}

const cache = new WeakMap<SourceConfig, DataControls>();

/** The data controls of a loaded config (parsed once per config). */
export function dataControls(config: SourceConfig): DataControls {
  let controls = cache.get(config);
  if (!controls) {
    controls = parseDataControls(config.raw);
    cache.set(config, controls);
  }
  return controls;
}
