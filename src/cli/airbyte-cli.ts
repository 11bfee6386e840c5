import type { Writable } from 'node:stream';
import yargs, { type Argv } from 'yargs';
import { loadSchema } from '../config/source-config.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import { airbyteCatalog, parseConfiguredAirbyteCatalog } from '../engine/catalog.js';
import { checkConnection } from '../engine/check.js';
import { parseStateInput } from '../engine/state.js';
import { runSync } from '../engine/sync.js';
import { AirbyteSink } from '../protocol/airbyte.js';
import { readJsonFile } from '../util/json-file.js';
import { createClient, loadSourceConfig, sinkLogger } from './runtime.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Set by the commands: 0 on success. */
  setExitCode(code: number): void;
  /** Aborted when the process gets SIGTERM/SIGINT. */
  signal?: AbortSignal;
}

export function airbyteSpec(): object {
  return {
    documentationUrl: 'https://github.com/intercom-connector/intercom-connector#readme',
    connectionSpecification: loadSchema('source'),
    supportsIncremental: true,
    supported_destination_sync_modes: [],
    protocol_version: '0.2.0',
  };
}

/** The Airbyte command line: spec, check, discover, read. Built as a factory so tests run it in-process. */
export function airbyteCli(io: CliIo, argv: string[]): Argv {
  const sink = new AirbyteSink(io.stdout);
  const logger = sinkLogger(sink);

  const fail = async (err: unknown): Promise<void> => {
    const known = err instanceof ConnectorError ? err : undefined;
    await sink.emit({ type: 'error', message: known ? known.message : `Unexpected error: ${errorMessage(err)}`, internalMessage: known?.internalMessage, failureType: known?.failureType ?? 'system_error' });
    await sink.flush();
    io.setExitCode(1);
  };

  return yargs(argv)
    .scriptName('intercom-connector')
    .usage('$0 <command> [options]\n\nIntercom source for Airbyte (spec, check, discover, read).')
    .command('spec', 'Print the connector specification', {}, async () => {
      await sink.writeRaw({ type: 'SPEC', spec: airbyteSpec() });
      await sink.flush();
      io.setExitCode(0);
    })
    .command(
      'check',
      'Check the config can reach Intercom',
      (y) => y.option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' }),
      async (args) => {
        try {
          const config = loadSourceConfig(args.config, logger, io.env);
          const result = await checkConnection(createClient(config, sink, logger, io.env));
          await sink.writeRaw({ type: 'CONNECTION_STATUS', connectionStatus: { status: result.ok ? 'SUCCEEDED' : 'FAILED', message: result.message } });
        } catch (err) {
          await sink.writeRaw({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: errorMessage(err) } });
        }
        await sink.flush();
        io.setExitCode(0);
      },
    )
    .command(
      'discover',
      'Print the catalog of streams',
      (y) => y.option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' }),
      async (args) => {
        try {
          loadSourceConfig(args.config, logger, io.env);
          await sink.writeRaw({ type: 'CATALOG', catalog: airbyteCatalog() });
          await sink.flush();
          io.setExitCode(0);
        } catch (err) {
          await fail(err);
        }
      },
    )
    .command(
      'read',
      'Read the selected streams',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' })
          .option('catalog', { type: 'string', demandOption: true, describe: 'Path to the configured catalog JSON' })
          .option('state', { type: 'string', describe: 'Path to the state JSON (per-stream array or legacy object)' }),
      async (args) => {
        try {
          const config = loadSourceConfig(args.config, logger, io.env);
          const selected = parseConfiguredAirbyteCatalog(readJsonFile(args.catalog, 'catalog'));
          const inputState = args.state ? parseStateInput(readJsonFile(args.state, 'state')) : new Map();
          const client = createClient(config, sink, logger, io.env);
          const result = await runSync({ client, config, sink, logger, selected, inputState, signal: io.signal });
          logger.info(`Sync finished: ${client.stats.requests} requests, ${client.stats.rateLimited} rate-limited, ${client.stats.retried} retried.`);
          await sink.flush();
          io.setExitCode(result.failedStreams.length ? 1 : 0);
        } catch (err) {
          await fail(err);
        }
      },
    )
    .demandCommand(1, 'Name a command: spec, check, discover or read.')
    .strict()
    .help();
}
