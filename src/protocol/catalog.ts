import type { SourceConfig } from '../config/source-config.js';
import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import type { StreamSpec, SyncMode } from '../streams/types.js';
import {
  configuredStreams,
  discoveredStreams,
  isCustomStream,
  outputSchema,
  type ConfiguredStreams,
  type DiscoveredStream,
} from '../transform/stream-plans.js';
import type { SelectedStream } from '../transform/selected-stream.js';
import { withStreamNote } from './stream-notes.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

const modesOf = (spec: StreamSpec | undefined): SyncMode[] =>
  spec?.cursorField ? ['full_refresh', 'incremental'] : ['full_refresh'];

export function supportedSyncModes(name: string, config?: SourceConfig): SyncMode[] {
  return modesOf(configuredStreams(config).entries.get(name)?.spec);
}

/** Airbyte `discover` output (by default: the shipped streams, no data controls). */
export function airbyteCatalog(discovered: DiscoveredStream[] = discoveredStreams()): JsonObject {
  const streams = discovered.map(({ spec, schema, outputName }) => ({
    name: outputName,
    json_schema: withStreamNote(spec.name, schema),
    supported_sync_modes: modesOf(spec),
    source_defined_cursor: spec.cursorField !== undefined,
    ...(spec.cursorField ? { default_cursor_field: [spec.cursorField] } : {}),
    source_defined_primary_key: spec.primaryKey.map((k) => [k]),
    is_resumable: spec.cursorField !== undefined,
  }));
  return { streams };
}

/** The stream a catalog entry names (by its output name: prefix and alias included). */
function checkKnown(streams: ConfiguredStreams, name: unknown, where: string): string {
  if (typeof name !== 'string' || name === '') throw new ConfigError(`${where} must name a stream.`);
  const stream = streams.naming.stream(name);
  if (stream === undefined) {
    throw new ConfigError(
      `The catalog selects stream '${name}', which this connector does not have. Known streams: ${streams.naming.outputs().join(', ')}. Run discover again and rebuild the catalog.`,
    );
  }
  return stream;
}

function checkSyncMode(streams: ConfiguredStreams, stream: string, mode: unknown, where: string): SyncMode {
  const name = streams.naming.output(stream);
  const modes = modesOf(streams.entries.get(stream)?.spec);
  if (mode !== 'full_refresh' && mode !== 'incremental')
    throw new ConfigError(`${where} must be full_refresh or incremental (got ${JSON.stringify(mode)}).`);
  if (!modes.includes(mode))
    throw new ConfigError(
      `Stream '${name}' does not support ${mode} sync; it supports ${modes.join(', ')}. Change its sync mode in the catalog.`,
    );
  return mode;
}

function checkCursor(streams: ConfiguredStreams, stream: string, cursor: unknown, where: string): void {
  if (cursor === undefined || cursor === null || (Array.isArray(cursor) && cursor.length === 0)) return;
  const name = streams.naming.output(stream);
  const field = Array.isArray(cursor) ? cursor.join('.') : String(cursor);
  const expected = streams.entries.get(stream)?.spec.cursorField;
  if (field !== expected) {
    throw new ConfigError(
      `${where} is '${field}', but stream '${name}' uses the source-defined cursor '${expected ?? '(none)'}'. Remove cursor_field or set it to ['${expected ?? ''}'].`,
    );
  }
}

/** Fields that are always sent: the primary key and the cursor (Singer `inclusion: automatic`). */
const automaticFields = (spec: StreamSpec): Set<string> =>
  new Set([...spec.primaryKey, ...(spec.cursorField ? [spec.cursorField] : [])]);

const propertiesOf = (schema: unknown): JsonObject | undefined =>
  isObject(schema) && isObject(schema.properties) && Object.keys(schema.properties).length > 0
    ? schema.properties
    : undefined;

/**
 * Airbyte field selection: the discovered fields the configured json_schema leaves out. A custom
 * stream's discovered schema is not known when reading: its configured schema is kept instead
 * (fields outside it are then schema drift).
 */
function airbyteSelection(
  streams: ConfiguredStreams,
  stream: string,
  jsonSchema: unknown,
): Pick<SelectedStream, 'excludedFields' | 'catalogSchema'> {
  const configured = propertiesOf(jsonSchema);
  if (!configured) return {};
  if (isCustomStream(streams, stream)) return { catalogSchema: jsonSchema as JsonObject };
  const entry = streams.entries.get(stream)!;
  const automatic = automaticFields(entry.spec);
  const discovered = Object.keys(propertiesOf(outputSchema(streams, stream, entry.schema)) ?? {});
  const excludedFields = discovered.filter((field) => !(field in configured) && !automatic.has(field));
  return excludedFields.length ? { excludedFields } : {};
}

/** The streams an Airbyte ConfiguredAirbyteCatalog selects (names as discover gave them for this config). */
export function parseConfiguredAirbyteCatalog(input: unknown, config?: SourceConfig): SelectedStream[] {
  if (!isObject(input) || !Array.isArray(input.streams))
    throw new ConfigError('The catalog must be a ConfiguredAirbyteCatalog: an object with a "streams" array.');
  const streams = configuredStreams(config);
  return input.streams.map((entry: unknown, i: number) => {
    const where = `catalog.streams[${i}]`;
    if (!isObject(entry) || !isObject(entry.stream))
      throw new ConfigError(`${where}.stream is missing; each entry needs {"stream": {...}, "sync_mode": ...}.`);
    const name = checkKnown(streams, entry.stream.name, `${where}.stream.name`);
    const syncMode = checkSyncMode(streams, name, entry.sync_mode, `${where}.sync_mode`);
    if (syncMode === 'incremental') checkCursor(streams, name, entry.cursor_field, `${where}.cursor_field`);
    return { name, syncMode, ...airbyteSelection(streams, name, entry.stream.json_schema) };
  });
}

/** Singer `--discover` output with standard metadata (by default: the shipped streams, no data controls). */
export function singerCatalog(discovered: DiscoveredStream[] = discoveredStreams()): JsonObject {
  const streams = discovered.map(({ spec, schema, outputName }) => {
    const method = spec.cursorField ? 'INCREMENTAL' : 'FULL_TABLE';
    const automatic = new Set([...spec.primaryKey, ...(spec.cursorField ? [spec.cursorField] : [])]);
    const properties = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    return {
      tap_stream_id: outputName,
      stream: outputName,
      schema: withStreamNote(spec.name, schema),
      key_properties: spec.primaryKey,
      ...(spec.cursorField ? { replication_key: spec.cursorField } : {}),
      replication_method: method,
      metadata: [
        {
          breadcrumb: [],
          metadata: {
            inclusion: 'available',
            selected: false,
            'selected-by-default': false,
            'table-key-properties': spec.primaryKey,
            'valid-replication-keys': spec.cursorField ? [spec.cursorField] : [],
            'forced-replication-method': method,
            'replication-method': method,
            ...(spec.cursorField ? { 'replication-key': spec.cursorField } : {}),
          },
        },
        ...properties.map((p) => ({
          breadcrumb: ['properties', p],
          metadata: { inclusion: automatic.has(p) ? 'automatic' : 'available', 'selected-by-default': true },
        })),
      ],
    };
  });
  return { streams };
}

/** Fields whose breadcrumb `["properties", field]` says `selected: false` (automatic fields excepted). */
function singerSelection(
  streams: ConfiguredStreams,
  stream: string,
  entry: JsonObject,
  metadata: unknown[],
): Pick<SelectedStream, 'excludedFields' | 'catalogSchema'> {
  const automatic = automaticFields(streams.entries.get(stream)!.spec);
  const excludedFields: string[] = [];
  for (const m of metadata) {
    if (
      !isObject(m) ||
      !Array.isArray(m.breadcrumb) ||
      m.breadcrumb.length !== 2 ||
      m.breadcrumb[0] !== 'properties' ||
      !isObject(m.metadata)
    )
      continue;
    const field = m.breadcrumb[1];
    if (
      typeof field === 'string' &&
      m.metadata.selected === false &&
      m.metadata.inclusion !== 'automatic' &&
      !automatic.has(field)
    )
      excludedFields.push(field);
  }
  const catalogSchema =
    isCustomStream(streams, stream) && propertiesOf(entry.schema) ? (entry.schema as JsonObject) : undefined;
  return { ...(excludedFields.length ? { excludedFields } : {}), ...(catalogSchema ? { catalogSchema } : {}) };
}

/** The streams a Singer catalog selects (root breadcrumb `selected: true`, or legacy top-level `selected`). */
export function parseSingerCatalog(input: unknown, config?: SourceConfig): SelectedStream[] {
  if (!isObject(input) || !Array.isArray(input.streams))
    throw new ConfigError('The catalog must be a Singer catalog: an object with a "streams" array.');
  const streams = configuredStreams(config);
  const selected: SelectedStream[] = [];
  input.streams.forEach((entry: unknown, i: number) => {
    const where = `catalog.streams[${i}]`;
    if (!isObject(entry)) throw new ConfigError(`${where} must be an object.`);
    const metadata = Array.isArray(entry.metadata) ? (entry.metadata as unknown[]) : [];
    const root = metadata.find(
      (m): m is JsonObject => isObject(m) && Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0,
    );
    const rootMeta = root && isObject(root.metadata) ? root.metadata : {};
    const isSelected = rootMeta.selected ?? entry.selected ?? false;
    if (isSelected !== true) return;
    const name = checkKnown(streams, entry.tap_stream_id ?? entry.stream, `${where}.tap_stream_id`);
    const method = rootMeta['replication-method'] ?? entry.replication_method;
    const syncMode =
      method === undefined
        ? modesOf(streams.entries.get(name)?.spec).at(-1)!
        : method === 'INCREMENTAL'
          ? 'incremental'
          : method === 'FULL_TABLE'
            ? 'full_refresh'
            : undefined;
    if (!syncMode)
      throw new ConfigError(
        `${where} replication-method must be INCREMENTAL or FULL_TABLE (got ${JSON.stringify(method)}).`,
      );
    checkSyncMode(streams, name, syncMode, `${where}.replication-method`);
    if (syncMode === 'incremental')
      checkCursor(streams, name, rootMeta['replication-key'] ?? entry.replication_key, `${where}.replication-key`);
    selected.push({ name, syncMode, ...singerSelection(streams, name, entry, metadata) });
  });
  return selected;
}
