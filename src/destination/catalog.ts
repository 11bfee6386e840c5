import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import type { CatalogStream } from './routes.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Sync modes `write` accepts; records are applied one by one, so overwrite cannot be honoured. */
export const DESTINATION_SYNC_MODES = ['append', 'append_dedup', 'update'] as const;

/** The streams of the ConfiguredAirbyteCatalog passed to `write`. */
export function parseDestinationCatalog(input: unknown, warn: (message: string) => void): CatalogStream[] {
  if (!isObject(input) || !Array.isArray(input.streams))
    throw new ConfigError('The catalog must be a ConfiguredAirbyteCatalog: an object with a "streams" array.');
  return input.streams.map((entry: unknown, i: number) => {
    const where = `catalog.streams[${i}]`;
    if (
      !isObject(entry) ||
      !isObject(entry.stream) ||
      typeof entry.stream.name !== 'string' ||
      entry.stream.name === ''
    ) {
      throw new ConfigError(
        `${where}.stream.name is missing; each entry needs {"stream": {"name": ...}, "destination_sync_mode": ...}.`,
      );
    }
    const name = entry.stream.name;
    const mode = entry.destination_sync_mode;
    if (mode === 'overwrite' || mode === 'soft_delete') {
      warn(
        `${where} (${name}) asks for destination_sync_mode ${mode}; Intercom records are written one by one (nothing is truncated or soft-deleted), as with append_dedup. Use operation: delete in config.streams to delete.`,
      );
    }
    const objectName =
      typeof entry.destination_object_name === 'string' && entry.destination_object_name !== ''
        ? entry.destination_object_name
        : undefined;
    return { name, objectName };
  });
}
