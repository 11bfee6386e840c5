import { helpWidth, yargs, type Argv } from './yargs.js';
import { loadSchema, type SourceConfig } from '../config/source-config.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import type { JsonObject, Logger } from '../core/events.js';
import { redact } from '../core/redact.js';
import { parseSingerCatalog, singerCatalog } from '../protocol/catalog.js';
import { resolveDatasetsForRead } from '../streams/reporting/selection.js';
import { parseStateInput } from '../engine/state.js';
import { LineWriter } from '../protocol/line-writer.js';
import { SingerSink, type SingerStreamInfo } from '../protocol/singer.js';
import { TerminalLines } from '../protocol/terminal.js';
import { compileStreamPlans, discoverStreams, type StreamPlan } from '../transform/stream-plans.js';
import { readJsonFile } from '../util/json-file.js';
import { packageVersion } from '../util/package-root.js';
import { aboutMarkdown, type AboutInfo } from './about-markdown.js';
import type { CliIo } from './io.js';
import { createClient } from '../intercom/create-client.js';
import { loadSourceConfig, runRead } from './runtime.js';
import { StateFile } from './state-file.js';

export function aboutInfo(): JsonObject {
  return {
    name: 'tap-intercom',
    description:
      'Intercom source (contacts, companies, conversations, tickets, help center, admins, ...) for Singer and Meltano.',
    version: packageVersion,
    sdk_version: null,
    capabilities: ['catalog', 'discover', 'state', 'about', 'properties'],
    settings: loadSchema('source'),
  };
}

/** SCHEMA of each selected stream by output name: its schema after the data controls and field selection. */
function streamInfos(plans: Map<string, StreamPlan>): Map<string, SingerStreamInfo> {
  const infos = new Map<string, SingerStreamInfo>();
  for (const plan of plans.values()) {
    infos.set(plan.outputName, {
      schema: plan.schema,
      keyProperties: plan.spec.primaryKey,
      bookmarkProperties: plan.spec.cursorField ? [plan.spec.cursorField] : [],
    });
  }
  return infos;
}

/** The run's last stderr line: the first error that failed a stream (what a user must fix), then which streams are incomplete. */
function incompleteMessage(failed: string[], errors: string[]): string {
  const streams = `${failed.length === 1 ? 'stream' : 'streams'} incomplete: ${failed.join(', ')}`;
  return errors.length ? `${errors[0]} (${streams})` : streams.charAt(0).toUpperCase() + streams.slice(1);
}

/** What the tap's modes share: the process, stdout as lines, stderr through the progress rows, a logger on stderr. */
interface TapRun {
  io: CliIo;
  out: LineWriter;
  stderr: TerminalLines;
  logger: Logger;
}

interface TapArgs {
  about?: boolean;
  format: 'json' | 'markdown';
  config?: string;
  discover?: boolean;
  catalog?: string;
  properties?: string;
  state?: string;
  stateFile?: string;
  quiet: boolean;
}

/** The Singer tap command line (`tap-intercom`). */
export function singerCli(io: CliIo, argv: string[]): Argv {
  const out = new LineWriter(io.stdout);
  // Every stderr line goes through one TerminalLines, which erases the live progress rows first.
  const stderr = new TerminalLines(io.stderr);
  const logger: Logger = {
    debug: () => {},
    info: (m: string) => stderr.write(`INFO ${redact(m)}\n`),
    warn: (m: string) => stderr.write(`WARNING ${redact(m)}\n`),
    error: (m: string) => stderr.write(`ERROR ${redact(m)}\n`),
  };
  const run: TapRun = { io, out, stderr, logger };
  return yargs(argv)
    .scriptName('tap-intercom')
    .usage(
      '$0 --config CONFIG --discover\n$0 --config CONFIG --catalog CATALOG [--state STATE | --state-file FILE] [--quiet]\n$0 --about [--format json|markdown]',
    )
    .option('config', { type: 'string', describe: 'Path to the config JSON' })
    .option('discover', { type: 'boolean', describe: 'Print the catalog' })
    .option('catalog', { type: 'string', describe: 'Path to the Singer catalog JSON' })
    .option('properties', { type: 'string', describe: 'Path to the catalog (legacy name of --catalog)' })
    .option('state', { type: 'string', describe: 'Path to the state JSON ({"bookmarks": {...}})' })
    .option('state-file', {
      type: 'string',
      describe:
        'State file: read at start if it exists (wins over --state), rewritten atomically after every STATE; the next run resumes from it',
    })
    .option('about', { type: 'boolean', describe: 'Print what this tap is and can do' })
    .option('format', {
      choices: ['json', 'markdown'] as const,
      default: 'json' as const,
      describe: 'Format of --about',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress lines on stderr (METRIC lines stay)' })
    .strict()
    .help()
    .wrap(helpWidth())
    .command(
      '$0',
      'Singer tap for Intercom',
      () => {},
      (args) => tapCommand(run, args),
    );
}

async function tapCommand(run: TapRun, args: TapArgs): Promise<void> {
  try {
    if (args.about) return await aboutCommand(run, args.format);
    if (!args.config)
      throw new ConnectorError('--config is required (path to the config JSON).', { failureType: 'config_error' });
    const config = loadSourceConfig(args.config, run.logger, run.io.env);
    if (args.discover) return await discoverCommand(run, config);
    await syncCommand(run, config, args);
  } catch (err) {
    const message = err instanceof ConnectorError ? err.message : `Unexpected error: ${errorMessage(err)}`;
    run.stderr.write(`CRITICAL ${redact(message)}\n`);
    await run.out.flush();
    run.io.setExitCode(1);
  }
}

async function aboutCommand({ io, out }: TapRun, format: 'json' | 'markdown'): Promise<void> {
  const about = aboutInfo();
  await out.write(
    format === 'markdown' ? aboutMarkdown(about as unknown as AboutInfo) : JSON.stringify(about, null, 2),
  );
  await out.flush();
  io.setExitCode(0);
}

async function discoverCommand({ io, out, stderr, logger }: TapRun, config: SourceConfig): Promise<void> {
  // Custom streams (to infer their schema) and the reporting datasets (which exist) call Intercom
  // here; rate-limit notices go to stderr.
  const stderrSink = new SingerSink(io.stdout, stderr, new Map());
  const streams = await discoverStreams(config, () => createClient(config, stderrSink, logger, io.env), logger);
  // Indented, as Singer taps print it: Meltano reads discovery output line by line (64 KiB per line at most).
  await out.write(JSON.stringify(singerCatalog(streams), null, 2));
  await out.flush();
  io.setExitCode(0);
}

async function syncCommand({ io, stderr, logger }: TapRun, loaded: SourceConfig, args: TapArgs): Promise<void> {
  const catalogPath = args.catalog ?? args.properties;
  if (!catalogPath)
    throw new ConnectorError('Give --catalog (or --properties) to sync, or --discover to list streams.', {
      failureType: 'config_error',
    });
  const catalog = readJsonFile(catalogPath, 'catalog');
  const config = resolveDatasetsForRead(loaded, catalog);
  const selected = parseSingerCatalog(catalog, config);
  if (selected.length === 0)
    logger.warn(
      'The catalog selects no stream; nothing to do. Mark streams with "selected": true in their root metadata.',
    );
  const stateFile = args.stateFile ? StateFile.open(args.stateFile, 'singer', args.state, logger) : undefined;
  const inputState =
    stateFile?.inputState() ??
    (args.state ? parseStateInput(readJsonFile(args.state, 'state')) : new Map<string, JsonObject>());
  const bookmarks = Object.fromEntries(inputState);
  const plans = compileStreamPlans(config, selected);
  const sink = new SingerSink(io.stdout, stderr, streamInfos(plans), bookmarks);
  const tapSink = stateFile?.wrap(sink) ?? sink;
  const result = await runRead({
    io,
    sink: tapSink,
    config,
    selected,
    inputState,
    quiet: args.quiet,
    singer: true,
    plans,
    stderr,
  });
  await tapSink.flush();
  if (result.failedStreams.length) stderr.write(`CRITICAL ${incompleteMessage(result.failedStreams, sink.errors)}\n`);
  io.setExitCode(result.failedStreams.length ? 1 : 0);
}
