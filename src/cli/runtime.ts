import { parseSourceConfig, type SourceConfig } from '../config/source-config.js';
import type { EventSink, JsonObject, Logger } from '../core/events.js';
import type { SelectedStream } from '../transform/selected-stream.js';
import { runSync, type SyncResult } from '../engine/sync.js';
import { createClient } from '../intercom/create-client.js';
import { ProgressReporter } from '../protocol/progress.js';
import type { TextOut } from '../protocol/terminal.js';
import type { StreamPlan } from '../transform/stream-plans.js';
import { readJsonFile } from '../util/json-file.js';
import type { CliIo } from './io.js';

/** A logger that reports through the protocol sink (Airbyte LOG, Singer stderr). */
export function sinkLogger(sink: EventSink): Logger {
  return {
    debug: (message) => void sink.emit({ type: 'log', level: 'DEBUG', message }),
    info: (message) => void sink.emit({ type: 'log', level: 'INFO', message }),
    warn: (message, notice) => void sink.emit({ type: 'log', level: 'WARN', message, ...(notice ? { notice } : {}) }),
    error: (message) => void sink.emit({ type: 'log', level: 'ERROR', message }),
  };
}

export function loadSourceConfig(path: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): SourceConfig {
  return parseSourceConfig(readJsonFile(path, 'config'), env, (msg) => logger.warn(msg));
}

export interface ReadOptions {
  io: CliIo;
  /** The protocol shell's sink (Airbyte or Singer). */
  sink: EventSink;
  config: SourceConfig;
  selected: SelectedStream[];
  inputState: Map<string, JsonObject>;
  quiet: boolean;
  /** Singer: METRIC lines on stderr. */
  singer: boolean;
  plans?: Map<string, StreamPlan>;
  /** Where progress and metrics go (default io.stderr); Singer passes the stderr its logs share. */
  stderr?: TextOut;
}

/** A source read with progress lines, Singer metrics and the per-stream summary around it. */
export async function runRead(opts: ReadOptions): Promise<SyncResult> {
  const progress = new ProgressReporter(opts.sink, {
    stderr: opts.stderr ?? opts.io.stderr,
    quiet: opts.quiet,
    singerMetrics: opts.singer,
  });
  const logger = sinkLogger(progress);
  const client = createClient(opts.config, progress, logger, opts.io.env, (info) => progress.requestMetric(info));
  try {
    return await runSync({
      client,
      config: opts.config,
      sink: progress,
      logger,
      selected: opts.selected,
      inputState: opts.inputState,
      signal: opts.io.signal,
      plans: opts.plans,
    });
  } finally {
    // Summary and last metrics before the caller reports an error: the error must be the last line.
    await progress.finish(client.stats);
  }
}
