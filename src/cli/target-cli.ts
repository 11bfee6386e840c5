import type { Readable } from 'node:stream';
import { aboutMarkdown, type AboutInfo } from './about-markdown.js';
import { helpWidth, yargs, type Argv } from './yargs.js';
import type { CliIo } from './io.js';
import { createClient } from '../intercom/create-client.js';
import { sinkLogger } from './runtime.js';
import { loadSchema } from '../config/source-config.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import type { AirbyteSink } from '../protocol/airbyte.js';
import { readJsonFile } from '../util/json-file.js';
import { packageVersion } from '../util/package-root.js';
import { parseDestinationCatalog, DESTINATION_SYNC_MODES } from '../destination/catalog.js';
import { loadDestinationConfig, type DestinationConfig } from '../destination/config.js';
import { WriteEngine, type WriteResult } from '../destination/engine.js';
import {
  invalidUtf8,
  oversized,
  parseAirbyteLine,
  readLines,
  SingerInput,
  type InputEvent,
} from '../destination/input.js';
import { StreamRoutes, type CatalogStream } from '../destination/routes.js';
import { AirbyteWriteShell, SingerTargetShell, shellEventSink, type WriteShell } from '../destination/shells.js';

/** The Airbyte SPEC of the destination (`intercom-connector spec --destination`). */
export function airbyteDestinationSpec(): object {
  return {
    documentationUrl: 'https://github.com/intercom-connector/intercom-connector#destination-reverse-etl',
    connectionSpecification: loadSchema('destination'),
    supportsIncremental: true,
    supported_destination_sync_modes: [...DESTINATION_SYNC_MODES],
    protocol_version: '0.2.0',
  };
}

interface RunOptions {
  io: CliIo & { stdin?: Readable };
  shell: WriteShell;
  config: DestinationConfig;
  catalog?: CatalogStream[];
  parse: (line: string) => InputEvent | undefined;
}

/** Reads stdin through the write engine; resolves once every echoed STATE is flushed. */
async function runWrite({ io, shell, config, catalog, parse }: RunOptions): Promise<WriteResult> {
  const routes = new StreamRoutes(config.streams, catalog);
  const events = shellEventSink(shell);
  const client = createClient(config, events, sinkLogger(events), io.env);
  const retryBaseMs = io.env.INTERCOM_CONNECTOR_RETRY_BASE_MS ? Number(io.env.INTERCOM_CONNECTOR_RETRY_BASE_MS) : 1000;
  const engine = new WriteEngine({ client, config, routes, shell, retryBaseMs, signal: io.signal });
  const stdin = io.stdin ?? process.stdin;
  const lines = readLines(stdin, config.maxMessageBytes);
  const stop = (): void => {
    lines.destroy();
  };
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await engine.run(
      (async function* () {
        for await (const line of lines)
          yield 'text' in line
            ? parse(line.text)
            : 'oversized' in line
              ? oversized(line, config.maxMessageBytes)
              : invalidUtf8(line);
      })(),
    );
  } finally {
    io.signal?.removeEventListener('abort', stop);
    // Stop reading: after a failure the producer may still be writing.
    stdin.destroy();
  }
}

/** `intercom-connector write --config C --catalog K`: Airbyte messages on stdin. */
export async function airbyteWrite(
  io: CliIo & { stdin?: Readable },
  sink: AirbyteSink,
  configPath: string,
  catalogPath: string,
): Promise<void> {
  const shell = new AirbyteWriteShell(sink);
  try {
    const warn = (message: string): void => void shell.log('WARN', message);
    const config = loadDestinationConfig(configPath, warn, io.env);
    const catalog = parseDestinationCatalog(readJsonFile(catalogPath, 'catalog'), warn);
    const result = await runWrite({ io, shell, config, catalog, parse: parseAirbyteLine });
    io.setExitCode(result.ok ? 0 : 1);
  } catch (err) {
    const known = err instanceof ConnectorError ? err : undefined;
    await shell.fail(
      known ? known.message : `Unexpected error: ${errorMessage(err)}`,
      known?.internalMessage,
      known?.failureType ?? 'system_error',
    );
    io.setExitCode(1);
  }
  await shell.flush();
}

export function targetAbout(): Record<string, unknown> {
  return {
    name: 'target-intercom',
    description:
      'Intercom destination (reverse ETL) for Singer and Meltano: upserts contacts and companies, sends events, tags, notes, tickets and conversation replies.',
    version: packageVersion,
    capabilities: ['about'],
    settings: loadSchema('destination'),
  };
}

/** The Singer target command line (`target-intercom --config C < tap output`). */
export function targetCli(io: CliIo & { stdin?: Readable }, argv: string[]): Argv {
  return yargs(argv)
    .scriptName('target-intercom')
    .usage('$0 --config CONFIG < singer-messages  |  $0 --about')
    .option('config', { type: 'string', describe: 'Path to the destination config JSON' })
    .option('about', { type: 'boolean', describe: 'Print what this target is and its settings' })
    .option('format', {
      choices: ['json', 'markdown'] as const,
      default: 'json' as const,
      describe: 'Format of --about',
    })
    .strict()
    .help()
    .wrap(helpWidth())
    .command(
      '$0',
      'Singer target for Intercom',
      () => {},
      async (args) => {
        const shell = new SingerTargetShell(io.stdout, io.stderr);
        try {
          if (args.about) {
            const about = targetAbout();
            io.stdout.write(
              args.format === 'markdown'
                ? aboutMarkdown(about as unknown as AboutInfo)
                : `${JSON.stringify(about, null, 2)}\n`,
            );
            io.setExitCode(0);
            return;
          }
          if (!args.config)
            throw new ConnectorError('--config is required (path to the destination config JSON).', {
              failureType: 'config_error',
            });
          const config = loadDestinationConfig(args.config, (m) => shell.log('WARN', m), io.env);
          const input = new SingerInput();
          const result = await runWrite({ io, shell, config, parse: (line) => input.parse(line) });
          io.setExitCode(result.ok ? 0 : 1);
        } catch (err) {
          const known = err instanceof ConnectorError ? err : undefined;
          shell.fail(known ? known.message : `Unexpected error: ${errorMessage(err)}`, known?.internalMessage);
          io.setExitCode(1);
        }
        await shell.flush();
      },
    );
}
