import { parseCustomStreams, type CustomStreamDef } from '../config/custom-streams.js';
import { ConfigError } from '../core/errors.js';
import type { SourceConfig as SourceConfigFile } from '../generated/config/index.js';
import { Hasher } from './hash.js';
import type { JsonStringMode } from './json-strings.js';
import { PII_FIELDS } from './pii.js';

/** The data controls read only their own keys of the config; credentials do not matter here. */
type SourceConfigDocument = Partial<SourceConfigFile>;

export type SchemaDriftMode = 'auto' | 'block';

/** The data-control options of a config, validated. Stream names here are the streams' own names. */
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

/** Reads the data-control options; problems a schema cannot express are ConfigErrors naming the field. */
export function parseDataControls(
  doc: SourceConfigDocument,
  customStreams: readonly CustomStreamDef[] = parseCustomStreams(doc),
): DataControls {
  // The salt is a secret: config load registers it once (the schema marks it airbyte_secret).
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
      if (field.split('.').some((segment) => segment === ''))
        throw new ConfigError(
          `config.hash_fields.${stream} has the path ${JSON.stringify(field)}; write fields and dotted paths like "email" or "location.city".`,
        );
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
