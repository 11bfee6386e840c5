import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import { packageRoot } from '../util/package-root.js';
import { activityLogsReader } from './activity-logs.js';
import { articlesReader } from './articles.js';
import { STREAMS, type CodeReader } from './catalog.js';
import { companiesReader } from './companies.js';
import { contactsReader } from './contacts.js';
import { conversationsReader } from './conversations.js';
import { dataAttributesReader } from './data-attributes.js';
import { eventsReader } from './events.js';
import { listReader } from './list-reader.js';
import { notesReader } from './notes.js';
import { namingPermissions } from './permissions.js';
import { subscriptionTypesReader } from './subscription-types.js';
import { teamsReader } from './teams.js';
import { ticketsReader } from './tickets.js';
import { reportingBaseSchema, streamOfDataset } from './reporting/datasets.js';
import { reportingReader } from './reporting/reader.js';
import { datasetsOfNames, namedDatasets, wantsAllDatasets } from './reporting/selection.js';
import { engagementReader } from './content/engagement.js';
import { handlingEventsReader } from './handling-events.js';
import type { SourceConfig } from '../config/source-config.js';
import { customBaseSchema, customReader } from './custom.js';
import type { Reader, StreamSpec } from './types.js';

/** The readers with real logic the stream table names; the table's plain lists need none. */
const CODE_READERS: Readonly<Record<CodeReader, Reader>> = {
  teams: teamsReader,
  data_attributes: dataAttributesReader,
  contacts: contactsReader,
  companies: companiesReader,
  conversations: conversationsReader,
  tickets: ticketsReader,
  articles: articlesReader,
  subscription_types: subscriptionTypesReader,
  activity_logs: activityLogsReader,
  events: eventsReader,
  notes: notesReader,
  handling_events: handlingEventsReader,
  content_engagement: engagementReader,
};

/** One reader per plain list, one per code reader (at its first stream), in the table's order. */
function readersOfTable(): Reader[] {
  const readers: Reader[] = [];
  const placed = new Set<CodeReader>();
  for (const def of STREAMS) {
    if (def.reader === 'list') {
      readers.push(listReader(def));
    } else if (!placed.has(def.reader)) {
      placed.add(def.reader);
      readers.push(CODE_READERS[def.reader]);
    }
  }
  return readers;
}

/**
 * Every reader the connector has, in the order a sync runs them (the stream table's order). A 403
 * names the Intercom permission the token lacks (namingPermissions).
 */
export const READERS: readonly Reader[] = readersOfTable().map(namingPermissions);

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
      const schema = JSON.parse(
        readFileSync(join(packageRoot, 'schemas', 'streams', `${spec.name}.json`), 'utf8'),
      ) as JsonObject;
      cache.set(spec.name, { spec, reader, schema });
    }
  }
  return cache;
}

const perConfig = new WeakMap<SourceConfig, { readers: readonly Reader[]; catalog: Map<string, StreamEntry> }>();

function withCustomStreams(config: SourceConfig): { readers: readonly Reader[]; catalog: Map<string, StreamEntry> } {
  let entry = perConfig.get(config);
  if (entry) return entry;
  const defs = config.customStreams;
  const catalog = new Map(streamCatalog());
  const readers = [...READERS];
  for (const def of defs) {
    if (catalog.has(def.name))
      throw new ConfigError(
        `config.custom_streams names a stream '${def.name}', which the connector already has; choose another name (stream_aliases renames shipped streams).`,
      );
    const reader = namingPermissions(customReader(def));
    readers.push(reader);
    // The schema is only what the config says (key, cursor); discover infers the rest from a sample.
    catalog.set(def.name, { spec: reader.streams[0]!, reader, schema: customBaseSchema(def) });
  }
  // Reporting datasets: one stream each; discover types their columns from get_datasets.
  // With "*" (every offered dataset) the command resolved the list first (discover: get_datasets;
  // read: the catalog); what is left here are the named ones and those stream_aliases names.
  const datasets = wantsAllDatasets(config) ? datasetsOfNames(config, []) : [];
  for (const datasetId of new Set([...namedDatasets(config), ...datasets])) {
    const reader = namingPermissions(reportingReader(datasetId));
    if (catalog.has(streamOfDataset(datasetId)))
      throw new ConfigError(
        `config.reporting_datasets makes a stream '${streamOfDataset(datasetId)}', which a custom stream already is; rename the custom stream.`,
      );
    readers.push(reader);
    catalog.set(streamOfDataset(datasetId), {
      spec: reader.streams[0]!,
      reader,
      schema: reportingBaseSchema(datasetId),
    });
  }
  entry = { readers, catalog };
  perConfig.set(config, entry);
  return entry;
}

/** The readers a sync with this config runs: the shipped ones, then the config's custom streams. */
export function readersFor(config: SourceConfig | undefined): readonly Reader[] {
  return config ? withCustomStreams(config).readers : READERS;
}

/** streamCatalog() plus the config's custom streams (whose schema here is only their key and cursor). */
export function streamCatalogFor(config: SourceConfig | undefined): Map<string, StreamEntry> {
  return config ? withCustomStreams(config).catalog : streamCatalog();
}
