import type { SourceConfig } from '../../config/source-config.js';
import { errorMessage } from '../../core/errors.js';
import type { JsonObject, Logger } from '../../core/events.js';
import type { IntercomClient } from '../../intercom/client.js';
import { fetchDatasets, REPORTING_PREFIX, reportingSchema, streamOfDataset } from './datasets.js';

export const isReportingStream = (name: string): boolean => name.startsWith(REPORTING_PREFIX);

/**
 * discover: the typed schema of each configured dataset, from one GET get_datasets. The datasets
 * the workspace offers are logged, so a user can pick ids for `reporting_datasets`. A failure keeps
 * the key-and-cursor schemas, with a warning (as for custom streams).
 */
export async function discoverReportingSchemas(
  config: SourceConfig,
  client: () => IntercomClient,
  logger: Logger,
): Promise<Map<string, JsonObject>> {
  const wanted = config.settings.reporting_datasets;
  const schemas = new Map<string, JsonObject>();
  if (wanted.length === 0) return schemas;
  try {
    const datasets = await fetchDatasets(client());
    logger.info(`Reporting datasets offered by this workspace: ${[...datasets.keys()].join(', ') || '(none)'}.`);
    for (const id of wanted) {
      const dataset = datasets.get(id);
      if (dataset) schemas.set(streamOfDataset(id), reportingSchema(dataset));
      else
        logger.warn(
          `config.reporting_datasets names '${id}', which this workspace does not offer; reading it will fail. Offered: ${[...datasets.keys()].join(', ')}.`,
        );
    }
  } catch (err) {
    logger.warn(
      `Could not list the reporting datasets (GET /export/reporting_data/get_datasets: ${errorMessage(err)}); discover shows only their key and cursor.`,
    );
  }
  return schemas;
}
