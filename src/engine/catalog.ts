import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { streamCatalog } from '../streams/registry.js';
import type { SyncMode } from '../streams/types.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A stream the user selected, whatever protocol the selection came in. */
export interface SelectedStream {
  name: string;
  syncMode: SyncMode;
}

export function supportedSyncModes(name: string): SyncMode[] {
  return streamCatalog().get(name)?.spec.cursorField ? ['full_refresh', 'incremental'] : ['full_refresh'];
}

/** Airbyte `discover` output. */
export function airbyteCatalog(): JsonObject {
  const streams = [...streamCatalog().values()].map(({ spec, schema }) => ({
    name: spec.name,
    json_schema: schema,
    supported_sync_modes: supportedSyncModes(spec.name),
    source_defined_cursor: spec.cursorField !== undefined,
    ...(spec.cursorField ? { default_cursor_field: [spec.cursorField] } : {}),
    source_defined_primary_key: spec.primaryKey.map((k) => [k]),
    is_resumable: spec.cursorField !== undefined,
  }));
  return { streams };
}

function checkKnown(name: unknown, where: string): string {
  if (typeof name !== 'string' || name === '') throw new ConfigError(`${where} must name a stream.`);
  if (!streamCatalog().has(name)) {
    throw new ConfigError(`The catalog selects stream '${name}', which this connector does not have. Known streams: ${[...streamCatalog().keys()].join(', ')}. Run discover again and rebuild the catalog.`);
  }
  return name;
}

function checkSyncMode(name: string, mode: unknown, where: string): SyncMode {
  const modes = supportedSyncModes(name);
  if (mode !== 'full_refresh' && mode !== 'incremental') throw new ConfigError(`${where} must be full_refresh or incremental (got ${JSON.stringify(mode)}).`);
  if (!modes.includes(mode)) throw new ConfigError(`Stream '${name}' does not support ${mode} sync; it supports ${modes.join(', ')}. Change its sync mode in the catalog.`);
  return mode;
}

function checkCursor(name: string, cursor: unknown, where: string): void {
  if (cursor === undefined || cursor === null || (Array.isArray(cursor) && cursor.length === 0)) return;
  const field = Array.isArray(cursor) ? cursor.join('.') : String(cursor);
  const expected = streamCatalog().get(name)?.spec.cursorField;
  if (field !== expected) {
    throw new ConfigError(`${where} is '${field}', but stream '${name}' uses the source-defined cursor '${expected ?? '(none)'}'. Remove cursor_field or set it to ['${expected ?? ''}'].`);
  }
}

/** The streams an Airbyte ConfiguredAirbyteCatalog selects. */
export function parseConfiguredAirbyteCatalog(input: unknown): SelectedStream[] {
  if (!isObject(input) || !Array.isArray(input.streams)) throw new ConfigError('The catalog must be a ConfiguredAirbyteCatalog: an object with a "streams" array.');
  return input.streams.map((entry: unknown, i: number) => {
    const where = `catalog.streams[${i}]`;
    if (!isObject(entry) || !isObject(entry.stream)) throw new ConfigError(`${where}.stream is missing; each entry needs {"stream": {...}, "sync_mode": ...}.`);
    const name = checkKnown(entry.stream.name, `${where}.stream.name`);
    const syncMode = checkSyncMode(name, entry.sync_mode, `${where}.sync_mode`);
    if (syncMode === 'incremental') checkCursor(name, entry.cursor_field, `${where}.cursor_field`);
    return { name, syncMode };
  });
}

/** Singer `--discover` output with standard metadata. */
export function singerCatalog(): JsonObject {
  const streams = [...streamCatalog().values()].map(({ spec, schema }) => {
    const method = spec.cursorField ? 'INCREMENTAL' : 'FULL_TABLE';
    const automatic = new Set([...spec.primaryKey, ...(spec.cursorField ? [spec.cursorField] : [])]);
    const properties = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    return {
      tap_stream_id: spec.name,
      stream: spec.name,
      schema,
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
        ...properties.map((p) => ({ breadcrumb: ['properties', p], metadata: { inclusion: automatic.has(p) ? 'automatic' : 'available', 'selected-by-default': true } })),
      ],
    };
  });
  return { streams };
}

/** The streams a Singer catalog selects (root breadcrumb `selected: true`, or legacy top-level `selected`). */
export function parseSingerCatalog(input: unknown): SelectedStream[] {
  if (!isObject(input) || !Array.isArray(input.streams)) throw new ConfigError('The catalog must be a Singer catalog: an object with a "streams" array.');
  const selected: SelectedStream[] = [];
  input.streams.forEach((entry: unknown, i: number) => {
    const where = `catalog.streams[${i}]`;
    if (!isObject(entry)) throw new ConfigError(`${where} must be an object.`);
    const metadata = Array.isArray(entry.metadata) ? (entry.metadata as unknown[]) : [];
    const root = metadata.find((m): m is JsonObject => isObject(m) && Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0);
    const rootMeta = root && isObject(root.metadata) ? root.metadata : {};
    const isSelected = rootMeta.selected ?? entry.selected ?? false;
    if (isSelected !== true) return;
    const name = checkKnown(entry.tap_stream_id ?? entry.stream, `${where}.tap_stream_id`);
    const method = rootMeta['replication-method'] ?? entry.replication_method;
    const syncMode = method === undefined ? supportedSyncModes(name).at(-1)! : method === 'INCREMENTAL' ? 'incremental' : method === 'FULL_TABLE' ? 'full_refresh' : undefined;
    if (!syncMode) throw new ConfigError(`${where} replication-method must be INCREMENTAL or FULL_TABLE (got ${JSON.stringify(method)}).`);
    checkSyncMode(name, syncMode, `${where}.replication-method`);
    if (syncMode === 'incremental') checkCursor(name, rootMeta['replication-key'] ?? entry.replication_key, `${where}.replication-key`);
    selected.push({ name, syncMode });
  });
  return selected;
}
