import type { Writable } from 'node:stream';
import type { SourceConfig } from '../config/source-config.js';
import { ConfigError, ConnectorError, errorMessage } from '../core/errors.js';
import type { EngineEvent, EventSink, JsonObject, Logger } from '../core/events.js';
import { redact } from '../core/redact.js';
import type { IntercomClient } from '../intercom/client.js';
import { fetchFirstPage } from '../streams/custom.js';
import { suggestRecordPaths, type PathSuggestion } from '../util/jsonpath.js';
import { compileStreamPlans, configuredStreams } from '../transform/stream-plans.js';
import type { CliIo } from './io.js';
import { createClient } from '../intercom/create-client.js';
import { loadSourceConfig, sinkLogger } from './runtime.js';

export interface PreviewResult {
  /** The stream's output name (stream_prefix, stream_aliases). */
  stream: string;
  records: JsonObject[];
  /** For a custom stream without records_path: the arrays of objects in its response, biggest first. */
  records_path_suggestions?: PathSuggestion[];
}

export interface PreviewOptions {
  config: SourceConfig;
  /** The stream's own or output name. */
  stream: string;
  limit: number;
  client: IntercomClient;
  logger: Logger;
}

/**
 * A few records of one stream exactly as a sync would send them (every data control applied). The
 * reader is stopped as soon as `limit` records are in.
 */
export async function previewStream(opts: PreviewOptions): Promise<PreviewResult> {
  const streams = configuredStreams(opts.config);
  const name = streams.naming.stream(opts.stream) ?? (streams.entries.has(opts.stream) ? opts.stream : undefined);
  if (name === undefined)
    throw new ConfigError(
      `--stream ${opts.stream} is not a stream of this config. Streams: ${streams.naming.outputs().join(', ')}.`,
    );
  const outputName = streams.naming.output(name);
  const custom = streams.controls.customStreams.find((def) => def.name === name);
  if (custom && !custom.recordsPath) {
    const body = await fetchFirstPage(opts.client, custom, Math.floor(Date.now() / 1000), opts.config.startDate);
    return { stream: outputName, records: [], records_path_suggestions: suggestRecordPaths(body) };
  }
  const plan = compileStreamPlans(opts.config, [{ name, syncMode: 'full_refresh' }]).get(name)!;
  const reader = streams.entries.get(name)!.reader;
  const records: JsonObject[] = [];
  const iterator = reader.read({
    client: opts.client,
    config: opts.config,
    logger: opts.logger,
    selected: new Set([name]),
    state: undefined,
    syncStartedAt: Math.floor(Date.now() / 1000),
  });
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const item = next.value;
      if ((item.kind !== 'record' && item.kind !== 'records') || item.stream !== name) continue;
      for (const record of item.kind === 'record' ? [item.record] : item.records) {
        records.push(plan.records.apply(record));
        if (plan.records.changed) {
          for (const { field, kept } of plan.records.takeChanges().notices)
            opts.logger.warn(`Schema drift: new field '${field}' (${kept ? 'kept' : 'dropped'}).`);
        }
        if (records.length >= opts.limit) break;
      }
      if (records.length >= opts.limit) break;
    }
  } finally {
    // Stop the reader (and its paging) instead of reading the whole stream.
    await iterator.return(undefined);
  }
  return { stream: outputName, records };
}

/** Logs and rate-limit waits on stderr: preview's stdout is the JSON for the reader. */
function stderrSink(stderr: Writable): EventSink {
  const write = (event: EngineEvent): void => {
    // Human stderr uses one vocabulary everywhere (tap, target, preview): WARNING, not the Airbyte LOG level WARN.
    if (event.type === 'log')
      stderr.write(`${event.level === 'WARN' ? 'WARNING' : event.level} ${redact(event.message)}\n`);
    else if (event.type === 'rate_limited')
      stderr.write(`INFO rate limited by Intercom; waiting until ${new Date(event.resetAtMs).toISOString()}\n`);
  };
  return { emit: write, flush: () => Promise.resolve() };
}

/** `intercom-connector preview`: pretty JSON on stdout (for people); errors on stderr, exit code 1. */
export async function runPreviewCommand(
  io: CliIo,
  args: { config: string; stream: string; limit: number },
): Promise<number> {
  const sink = stderrSink(io.stderr);
  const logger = sinkLogger(sink);
  try {
    if (!Number.isInteger(args.limit) || args.limit < 1)
      throw new ConfigError(`--limit must be a positive whole number of records (got ${String(args.limit)}).`);
    const config = loadSourceConfig(args.config, logger, io.env);
    const client = createClient(config, sink, logger, io.env);
    const result = await previewStream({ config, stream: args.stream, limit: args.limit, client, logger });
    await new Promise<void>((resolve, reject) =>
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`, (err) => (err ? reject(err) : resolve())),
    );
    return 0;
  } catch (err) {
    io.stderr.write(
      `ERROR ${redact(err instanceof ConnectorError ? err.message : `Unexpected error: ${errorMessage(err)}`)}\n`,
    );
    return 1;
  }
}
