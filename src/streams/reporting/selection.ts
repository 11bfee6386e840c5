import type { SourceConfig } from '../../config/source-config.js';
import { REPORTING_PREFIX } from './datasets.js';

/**
 * Which Reporting Data Export datasets are streams. `reporting_datasets` lists dataset ids, or
 * holds `"*"` (the default): every dataset the workspace offers. The stream list of a read is
 * compiled before any request, so `"*"` is resolved from what is known without one: on discover
 * from get_datasets (the one call discover makes for it), on read from the streams the catalog
 * names (the catalog came from a discover).
 */
export const ALL_DATASETS = '*';

const DATASET_ID = /^[A-Za-z0-9_]{1,100}$/;

/** True when the config asks for every offered dataset. */
export function wantsAllDatasets(config: SourceConfig): boolean {
  return config.settings.reporting_datasets.includes(ALL_DATASETS);
}

/** The dataset ids the config names itself (without `"*"`). */
export function namedDatasets(config: SourceConfig): string[] {
  return config.settings.reporting_datasets.filter((id) => id !== ALL_DATASETS);
}

/** The config with `"*"` replaced by these dataset ids (plus the ones it names). */
export function withDatasets(config: SourceConfig, ids: Iterable<string>): SourceConfig {
  const all = [...new Set([...namedDatasets(config), ...ids])].filter((id) => DATASET_ID.test(id));
  return { ...config, settings: { ...config.settings, reporting_datasets: all } };
}

/**
 * The dataset ids behind catalog stream names (output names: `stream_prefix` and `stream_aliases`
 * applied), and behind `stream_aliases` keys that name a reporting stream (an alias must name a
 * stream the connector has).
 */
export function datasetsOfNames(config: SourceConfig, outputNames: readonly string[]): string[] {
  const prefix = config.settings.stream_prefix ?? '';
  const aliases = config.settings.stream_aliases ?? {};
  const aliased = new Map(Object.entries(aliases).map(([stream, alias]) => [alias, stream]));
  const streams = outputNames.map((output) => {
    const bare = prefix && output.startsWith(prefix) ? output.slice(prefix.length) : output;
    return aliased.get(bare) ?? bare;
  });
  const ids = [...streams, ...Object.keys(aliases)]
    .filter((name) => name.startsWith(REPORTING_PREFIX))
    .map((name) => name.slice(REPORTING_PREFIX.length))
    .filter((id) => DATASET_ID.test(id));
  return [...new Set(ids)];
}

/** Stream names in a catalog document (Airbyte configured catalog or Singer catalog), unvalidated. */
export function catalogStreamNames(catalog: unknown): string[] {
  if (typeof catalog !== 'object' || catalog === null) return [];
  const streams = (catalog as { streams?: unknown }).streams;
  if (!Array.isArray(streams)) return [];
  const names: string[] = [];
  for (const entry of streams as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as { stream?: unknown; tap_stream_id?: unknown };
    const airbyte =
      typeof e.stream === 'object' && e.stream !== null ? (e.stream as { name?: unknown }).name : undefined;
    for (const name of [airbyte, e.tap_stream_id, e.stream]) if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** For a read: `"*"` becomes the datasets the catalog's stream names point at. */
export function resolveDatasetsForRead(config: SourceConfig, catalog: unknown): SourceConfig {
  if (!wantsAllDatasets(config)) return config;
  return withDatasets(config, datasetsOfNames(config, catalogStreamNames(catalog)));
}
