import type { SourceConfig } from '../config/source-config.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import type { JsonObject, Logger } from '../core/events.js';
import { streamCatalogFor, type StreamEntry } from '../streams/registry.js';
import type { SelectedStream } from './selected-stream.js';
import type { IntercomClient } from '../intercom/client.js';
import { fetchFirstPage, inferCustomSchema } from '../streams/custom.js';
import { discoverReporting, isReportingStream } from '../streams/reporting/discover.js';
import type { StreamSpec } from '../streams/types.js';
import { parseDataControls, type DataControls } from './controls.js';
import { compileHashPaths, hashSchema, type HashNode } from './hash.js';
import { jsonStringSchema } from './json-strings.js';
import { StreamNaming } from './naming.js';
import { RecordPlan } from './plan.js';

/** The streams a config has (shipped and custom), how they are named outside, and its data controls. */
export interface ConfiguredStreams {
  entries: Map<string, StreamEntry>;
  naming: StreamNaming;
  controls: DataControls;
  hashTrees: Map<string, HashNode>;
}

const cache = new WeakMap<SourceConfig, ConfiguredStreams>();
let shippedOnly: ConfiguredStreams | undefined;

function build(entries: Map<string, StreamEntry>, controls: DataControls): ConfiguredStreams {
  const names = [...entries.keys()];
  for (const stream of controls.hashFieldStreams) {
    if (!entries.has(stream))
      throw new ConfigError(
        `config.hash_fields names stream '${stream}', which this connector does not have. Known streams: ${names.join(', ')}.`,
      );
  }
  const hashTrees = new Map<string, HashNode>();
  for (const [stream, paths] of controls.hashFields) {
    const entry = entries.get(stream);
    // The PII preset lists streams of every version of the connector; absent ones are skipped.
    if (!entry) continue;
    const cursor = entry.spec.cursorField;
    if (cursor && paths.includes(cursor))
      throw new ConfigError(
        `config.hash_fields.${stream} hashes '${cursor}', the stream's cursor; incremental sync needs it in the clear. Remove it from hash_fields.`,
      );
    hashTrees.set(stream, compileHashPaths(paths));
  }
  return {
    entries,
    naming: new StreamNaming(names, controls.streamPrefix, controls.streamAliases),
    controls,
    hashTrees,
  };
}

/** The streams of a config; without one, the shipped streams with no data controls. */
export function configuredStreams(config?: SourceConfig): ConfiguredStreams {
  if (!config) return (shippedOnly ??= build(streamCatalogFor(undefined), parseDataControls({})));
  let streams = cache.get(config);
  if (!streams) {
    streams = build(streamCatalogFor(config), parseDataControls(config.settings, config.customStreams));
    cache.set(config, streams);
  }
  return streams;
}

/** A stream's schema as records leave the connector: JSON strings, hashed fields, deselected fields gone. */
export function outputSchema(
  streams: ConfiguredStreams,
  stream: string,
  base: JsonObject,
  excluded: readonly string[] = [],
): JsonObject {
  const schema = structuredClone(base);
  jsonStringSchema(schema, streams.controls.jsonStrings);
  const tree = streams.hashTrees.get(stream);
  if (tree) hashSchema(schema, tree);
  const properties = schema.properties as JsonObject | undefined;
  if (properties) for (const field of excluded) delete properties[field];
  return schema;
}

/** One stream as discover shows it. */
export interface DiscoveredStream {
  stream: string;
  outputName: string;
  spec: StreamSpec;
  schema: JsonObject;
}

/**
 * Every stream of the config with its output name and schema. `customSchemas` are the schemas
 * inferred for custom streams from a sample (discover); without one a custom stream shows only its
 * key and cursor.
 */
export function discoveredStreams(
  config?: SourceConfig,
  customSchemas: ReadonlyMap<string, JsonObject> = new Map(),
): DiscoveredStream[] {
  const streams = configuredStreams(config);
  return [...streams.entries.values()].map(({ spec, schema }) => ({
    stream: spec.name,
    outputName: streams.naming.output(spec.name),
    spec,
    schema: outputSchema(streams, spec.name, customSchemas.get(spec.name) ?? schema),
  }));
}

/** How one selected stream's records and schema leave the connector. */
export interface StreamPlan {
  stream: string;
  outputName: string;
  spec: StreamSpec;
  /** The schema announced to Singer (deselected fields removed); widened by drift `auto`. */
  schema: JsonObject;
  records: RecordPlan;
}

/** Custom and reporting streams: their schema comes from discover (a sample, get_datasets), so a read keeps the catalog's. */
export const isCustomStream = (streams: ConfiguredStreams, name: string): boolean =>
  streams.controls.customStreams.some((def) => def.name === name) || isReportingStream(name);

/** Compiles the data controls of each selected stream once, before a sync or preview. */
export function compileStreamPlans(config: SourceConfig, selected: readonly SelectedStream[]): Map<string, StreamPlan> {
  const streams = configuredStreams(config);
  const plans = new Map<string, StreamPlan>();
  for (const choice of selected) {
    const entry = streams.entries.get(choice.name);
    if (!entry) throw new ConfigError(`Stream '${choice.name}' is not one of this connector's streams.`);
    const { spec } = entry;
    const base =
      isCustomStream(streams, spec.name) && hasProperties(choice.catalogSchema)
        ? mergeBase(entry.schema, choice.catalogSchema)
        : entry.schema;
    const full = outputSchema(streams, spec.name, base);
    const keep = new Set([...spec.primaryKey, ...(spec.cursorField ? [spec.cursorField] : [])]);
    const excluded = (choice.excludedFields ?? []).filter((field) => !keep.has(field));
    const schema = outputSchema(streams, spec.name, base, excluded);
    const records = new RecordPlan({
      known: Object.keys((full.properties ?? {}) as JsonObject),
      excluded,
      hash: streams.hashTrees.get(spec.name),
      hasher: streams.controls.hasher,
      jsonStrings: streams.controls.jsonStrings,
      drift: streams.controls.schemaDrift,
      schema,
    });
    plans.set(spec.name, { stream: spec.name, outputName: streams.naming.output(spec.name), spec, schema, records });
  }
  return plans;
}

function hasProperties(schema: JsonObject | undefined): schema is JsonObject {
  return (
    !!schema &&
    typeof schema.properties === 'object' &&
    schema.properties !== null &&
    Object.keys(schema.properties).length > 0
  );
}

/** The catalog's schema of a custom stream, plus the key and cursor the config declares. */
function mergeBase(base: JsonObject, catalog: JsonObject): JsonObject {
  const merged = structuredClone(catalog);
  const properties = merged.properties as JsonObject;
  for (const [field, sub] of Object.entries((base.properties ?? {}) as JsonObject)) properties[field] ??= sub;
  return merged;
}

/**
 * discover: every stream of the config (reporting datasets resolved first). Custom streams are called once each (first page) and their
 * schema is inferred from it; one that fails keeps its key-and-cursor schema, with a warning.
 */
export async function discoverStreams(
  given: SourceConfig,
  client: () => IntercomClient,
  logger: Logger,
): Promise<DiscoveredStream[]> {
  // Reporting first: with reporting_datasets "*" it decides which reporting streams the config has.
  const reporting = await discoverReporting(given, client, logger);
  const config = reporting.config;
  const { controls } = configuredStreams(config);
  const schemas = new Map<string, JsonObject>(reporting.schemas);
  if (controls.customStreams.length > 0) {
    const api = client();
    const now = Math.floor(Date.now() / 1000);
    await Promise.all(
      controls.customStreams.map(async (def) => {
        try {
          schemas.set(def.name, inferCustomSchema(def, await fetchFirstPage(api, def, now, config.startDate)));
        } catch (err) {
          logger.warn(
            `Custom stream ${def.name}: could not sample ${def.method} ${def.path} to infer its schema (${errorMessage(err)}); discover shows only its key and cursor.`,
          );
        }
      }),
    );
  }
  return discoveredStreams(config, schemas);
}
