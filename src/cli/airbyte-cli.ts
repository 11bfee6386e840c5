import type { CliIo } from './io.js';
import { helpWidth, yargs, type Argv } from './yargs.js';
import { loadSchema } from '../config/source-config.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import type { JsonObject, Logger } from '../core/events.js';
import { airbyteCatalog, parseConfiguredAirbyteCatalog } from '../protocol/catalog.js';
import { resolveDatasetsForRead } from '../streams/reporting/selection.js';
import { checkConnection } from '../engine/check.js';
import { parseStateInput } from '../engine/state.js';
import { AirbyteSink } from '../protocol/airbyte.js';
import { configuredStreams, discoverStreams } from '../transform/stream-plans.js';
import { readJsonFile } from '../util/json-file.js';
import { runPreviewCommand } from './preview.js';
import { createClient } from '../intercom/create-client.js';
import { loadSourceConfig, runRead, sinkLogger } from './runtime.js';
import { StateFile } from './state-file.js';

export function airbyteSpec(): object {
  return {
    documentationUrl: 'https://github.com/intercom-connector/intercom-connector#readme',
    connectionSpecification: loadSchema('source'),
    supportsIncremental: true,
    supported_destination_sync_modes: [],
    protocol_version: '0.2.0',
    // Intercom OAuth: Airbyte runs the consent flow and writes the token into credentials.
    advanced_auth: {
      auth_flow_type: 'oauth2.0',
      predicate_key: ['credentials', 'auth_type'],
      predicate_value: 'oauth2.0',
      oauth_config_specification: {
        complete_oauth_output_specification: {
          type: 'object',
          properties: { access_token: { type: 'string', path_in_connector_config: ['credentials', 'access_token'] } },
        },
        complete_oauth_server_input_specification: {
          type: 'object',
          properties: { client_id: { type: 'string' }, client_secret: { type: 'string' } },
        },
        complete_oauth_server_output_specification: {
          type: 'object',
          properties: {
            client_id: { type: 'string', path_in_connector_config: ['credentials', 'client_id'] },
            client_secret: { type: 'string', path_in_connector_config: ['credentials', 'client_secret'] },
          },
        },
      },
    },
  };
}

/** What every command of the Airbyte command line shares: the process, the protocol sink, its logger. */
interface AirbyteCommands {
  io: CliIo;
  sink: AirbyteSink;
  logger: Logger;
  /** Reports an error as the last message (TRACE ERROR) and sets exit code 1. */
  fail(err: unknown): Promise<void>;
}

/** The Airbyte command line: spec, check, discover, read. Built as a factory so tests run it in-process. */
export function airbyteCli(io: CliIo, argv: string[]): Argv {
  const sink = new AirbyteSink(io.stdout);
  const fail = async (err: unknown): Promise<void> => {
    const known = err instanceof ConnectorError ? err : undefined;
    await sink.emit({
      type: 'error',
      message: known ? known.message : `Unexpected error: ${errorMessage(err)}`,
      internalMessage: known?.internalMessage,
      failureType: known?.failureType ?? 'system_error',
    });
    await sink.flush();
    io.setExitCode(1);
  };
  const cmd: AirbyteCommands = { io, sink, logger: sinkLogger(sink), fail };
  const parser = yargs(argv)
    .scriptName('intercom-connector')
    .usage(
      '$0 <command> [options]\n\nIntercom source and destination for Airbyte (spec, check, discover, read, write).',
    );
  return withMoreCommands(withReadCommands(withSetupCommands(parser, cmd), cmd), cmd)
    .demandCommand(1, 'Name a command: spec, check, discover, read, preview, write or demo.')
    .strict()
    .help()
    .wrap(helpWidth());
}

/** spec, check, discover: what an orchestrator runs before a sync. */
function withSetupCommands(parser: Argv, cmd: AirbyteCommands): Argv {
  const configOption = { type: 'string', demandOption: true, describe: 'Path to the config JSON' } as const;
  return parser
    .command(
      'spec',
      'Print the connector specification',
      (y) =>
        y.option('destination', {
          type: 'boolean',
          default: false,
          describe:
            'The destination (write) specification instead of the source one (also: INTERCOM_CONNECTOR_ROLE=destination)',
        }),
      (args) => specCommand(cmd, args.destination),
    )
    .command(
      'check',
      'Check the config can reach Intercom',
      (y) => y.option('config', configOption),
      (args) => checkCommand(cmd, args.config),
    )
    .command(
      'discover',
      'Print the catalog of streams',
      (y) => y.option('config', configOption),
      (args) => discoverCommand(cmd, args.config),
    );
}

async function specCommand({ io, sink }: AirbyteCommands, destinationFlag: boolean): Promise<void> {
  // Airbyte runs a bare `spec`: an image registered as a destination sets the role in its environment.
  const destination = destinationFlag || io.env.INTERCOM_CONNECTOR_ROLE === 'destination';
  // The destination (and Ajv, which it validates records with) loads only when asked for: a read
  // starts without it.
  const spec = destination ? (await import('./target-cli.js')).airbyteDestinationSpec() : airbyteSpec();
  await sink.writeRaw({ type: 'SPEC', spec });
  await sink.flush();
  io.setExitCode(0);
}

async function checkCommand({ io, sink, logger }: AirbyteCommands, configPath: string): Promise<void> {
  try {
    const config = loadSourceConfig(configPath, logger, io.env);
    // The same stream checks as read (custom stream names, aliases, hash paths): a config check passes is one read accepts.
    configuredStreams(config);
    const result = await checkConnection(createClient(config, sink, logger, io.env));
    await sink.writeRaw({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: result.ok ? 'SUCCEEDED' : 'FAILED', message: result.message },
    });
  } catch (err) {
    await sink.writeRaw({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'FAILED', message: errorMessage(err) },
    });
  }
  await sink.flush();
  io.setExitCode(0);
}

async function discoverCommand({ io, sink, logger, fail }: AirbyteCommands, configPath: string): Promise<void> {
  try {
    const config = loadSourceConfig(configPath, logger, io.env);
    const streams = await discoverStreams(config, () => createClient(config, sink, logger, io.env), logger);
    await sink.writeRaw({ type: 'CATALOG', catalog: airbyteCatalog(streams) });
    await sink.flush();
    io.setExitCode(0);
  } catch (err) {
    await fail(err);
  }
}

/** read and preview: records out. */
function withReadCommands(parser: Argv, cmd: AirbyteCommands): Argv {
  return parser
    .command(
      'read',
      'Read the selected streams',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' })
          .option('catalog', { type: 'string', demandOption: true, describe: 'Path to the configured catalog JSON' })
          .option('state', { type: 'string', describe: 'Path to the state JSON (per-stream array or legacy object)' })
          .option('state-file', {
            type: 'string',
            describe:
              'State file: read at start if it exists (wins over --state), rewritten atomically after every STATE; the next run resumes from it',
          })
          .option('quiet', { type: 'boolean', default: false, describe: 'No progress lines on stderr' }),
      (args) => readCommand(cmd, args),
    )
    .command(
      'preview',
      'Print a few records of one stream after every data control, as pretty JSON (for people)',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' })
          .option('stream', {
            type: 'string',
            demandOption: true,
            describe: 'Stream name (shipped or custom; its alias works too)',
          })
          .option('limit', { type: 'number', default: 10, describe: 'Records to print' }),
      async (args) => cmd.io.setExitCode(await runPreviewCommand(cmd.io, args)),
    );
}

async function readCommand(
  { io, sink, logger, fail }: AirbyteCommands,
  args: { config: string; catalog: string; state?: string; stateFile?: string; quiet: boolean },
): Promise<void> {
  try {
    const catalog = readJsonFile(args.catalog, 'catalog');
    const config = resolveDatasetsForRead(loadSourceConfig(args.config, logger, io.env), catalog);
    const selected = parseConfiguredAirbyteCatalog(catalog, config);
    const stateFile = args.stateFile ? StateFile.open(args.stateFile, 'airbyte', args.state, logger) : undefined;
    const inputState =
      stateFile?.inputState() ??
      (args.state ? parseStateInput(readJsonFile(args.state, 'state')) : new Map<string, JsonObject>());
    const out = stateFile?.wrap(sink) ?? sink;
    const result = await runRead({ io, sink: out, config, selected, inputState, quiet: args.quiet, singer: false });
    await out.flush();
    io.setExitCode(result.failedStreams.length ? 1 : 0);
  } catch (err) {
    await fail(err);
  }
}

/** write (the destination) and demo. */
function withMoreCommands(parser: Argv, { io, sink }: AirbyteCommands): Argv {
  return parser
    .command(
      'write',
      'Write Airbyte RECORD messages from stdin to Intercom (destination); STATE is echoed once the records before it are written',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, describe: 'Path to the destination config JSON' })
          .option('catalog', { type: 'string', demandOption: true, describe: 'Path to the configured catalog JSON' }),
      async (args) => (await import('./target-cli.js')).airbyteWrite(io, sink, args.config, args.catalog),
    )
    .command(
      'demo',
      'Run a real sync against the bundled fake Intercom on 127.0.0.1 (no token, no network)',
      () => {},
      async () => {
        // The demo is a script: importing it starts the fake server, runs `read` against it and sets process.exitCode.
        await import('../demo/demo.js');
        io.setExitCode(typeof process.exitCode === 'number' ? process.exitCode : 0);
      },
    );
}
