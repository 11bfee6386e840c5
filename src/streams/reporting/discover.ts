import type { SourceConfig } from '../../config/source-config.js';
import { errorMessage } from '../../core/errors.js';
import type { JsonObject, Logger } from '../../core/events.js';
import type { IntercomClient } from '../../intercom/client.js';
import { IntercomApiError } from '../../intercom/errors.js';
import {
  fetchDatasets,
  REPORTING_PREFIX,
  reportingSchema,
  streamOfDataset,
  type ReportingDataset,
} from './datasets.js';
import { datasetsOfNames, namedDatasets, wantsAllDatasets, withDatasets } from './selection.js';

export const isReportingStream = (name: string): boolean => name.startsWith(REPORTING_PREFIX);

export interface ReportingDiscovery {
  /** The config with `"*"` resolved to the datasets the workspace offers. */
  config: SourceConfig;
  /** The typed schema of each reporting stream whose dataset get_datasets described. */
  schemas: Map<string, JsonObject>;
}

/**
 * discover: one GET get_datasets, when the config names datasets or asks for all (`"*"`, the
 * default). Every offered dataset becomes a stream with `"*"`; named ones are checked against the
 * offer. The offered ids are logged so a user can pick some for `reporting_datasets`. A failure
 * keeps the named datasets with their key-and-cursor schemas, with a warning; a token without the
 * reporting permission simply has no reporting streams under `"*"`.
 */
export async function discoverReporting(
  config: SourceConfig,
  client: () => IntercomClient,
  logger: Logger,
): Promise<ReportingDiscovery> {
  const all = wantsAllDatasets(config);
  const schemas = new Map<string, JsonObject>();
  if (!all && namedDatasets(config).length === 0) return { config, schemas };
  let datasets: Map<string, ReportingDataset>;
  try {
    datasets = await fetchDatasets(client());
  } catch (err) {
    logUnlisted(all, err, logger);
    return { config: all ? withDatasets(config, datasetsOfNames(config, [])) : config, schemas };
  }
  logger.info(`Reporting datasets offered by this workspace: ${[...datasets.keys()].join(', ') || '(none)'}.`);
  const resolved = all ? withDatasets(config, [...datasets.keys(), ...datasetsOfNames(config, [])]) : config;
  for (const id of namedDatasets(resolved)) {
    const dataset = datasets.get(id);
    if (dataset) schemas.set(streamOfDataset(id), reportingSchema(dataset));
    else
      logger.warn(
        `Reporting dataset '${id}' (config.reporting_datasets or stream_aliases) is not offered by this workspace; reading it will fail. Offered: ${[...datasets.keys()].join(', ') || '(none)'}.`,
      );
  }
  return { config: resolved, schemas };
}

function logUnlisted(all: boolean, err: unknown, logger: Logger): void {
  const call = 'GET /export/reporting_data/get_datasets';
  if (all && err instanceof IntercomApiError && (err.status === 401 || err.status === 403)) {
    logger.info(
      `No reporting streams: the token may not list the Reporting Data Export datasets (${call}: ${errorMessage(err)}). Give the app the permissions Read reporting datasets and Export reporting data to get them, or set reporting_datasets to [] to skip this call.`,
    );
    return;
  }
  logger.warn(
    all
      ? `Could not list the reporting datasets (${call}: ${errorMessage(err)}); discover shows no reporting streams this time. Run discover again, or name the datasets in reporting_datasets.`
      : `Could not list the reporting datasets (${call}: ${errorMessage(err)}); discover shows only their key and cursor.`,
  );
}
