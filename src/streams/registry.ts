import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../core/events.js';
import { packageRoot } from '../util/package-root.js';
import { companiesReader } from './companies.js';
import { contactsReader } from './contacts.js';
import { conversationsReader } from './conversations.js';
import { adminsReader, dataAttributesReader, segmentsReader, tagsReader, teamsReader } from './simple-lists.js';
import type { Reader, StreamSpec } from './types.js';

/** Every reader the connector has, in the order a sync runs them. */
export const READERS: readonly Reader[] = [
  adminsReader,
  teamsReader,
  tagsReader,
  segmentsReader,
  dataAttributesReader,
  contactsReader,
  companiesReader,
  conversationsReader,
];

export interface StreamEntry {
  spec: StreamSpec;
  reader: Reader;
  schema: JsonObject;
}

let cache: Map<string, StreamEntry> | undefined;

/** All streams by name, each with its schema from schemas/streams (the single source of truth). */
export function streamCatalog(): Map<string, StreamEntry> {
  if (cache) return cache;
  cache = new Map();
  for (const reader of READERS) {
    for (const spec of reader.streams) {
      const schema = JSON.parse(readFileSync(join(packageRoot, 'schemas', 'streams', `${spec.name}.json`), 'utf8')) as JsonObject;
      cache.set(spec.name, { spec, reader, schema });
    }
  }
  return cache;
}
