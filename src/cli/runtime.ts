import { parseSourceConfig, type SourceConfig } from '../config/source-config.js';
import type { EventSink, Logger } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import { readJsonFile } from '../util/json-file.js';

/** A logger that reports through the protocol sink (Airbyte LOG, Singer stderr). */
export function sinkLogger(sink: EventSink): Logger {
  return {
    debug: (message) => void sink.emit({ type: 'log', level: 'DEBUG', message }),
    info: (message) => void sink.emit({ type: 'log', level: 'INFO', message }),
    warn: (message) => void sink.emit({ type: 'log', level: 'WARN', message }),
    error: (message) => void sink.emit({ type: 'log', level: 'ERROR', message }),
  };
}

export function loadSourceConfig(path: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): SourceConfig {
  return parseSourceConfig(readJsonFile(path, 'config'), env, (msg) => logger.warn(msg));
}

export function createClient(config: SourceConfig, sink: EventSink, logger: Logger, env: NodeJS.ProcessEnv = process.env): IntercomClient {
  return new IntercomClient({
    baseUrl: config.baseUrl,
    accessToken: config.accessToken,
    apiVersion: config.apiVersion,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConcurrency: config.maxConcurrency,
    maxRequestsPerMinute: config.maxRequestsPerMinute,
    maxRetries: config.maxRetries,
    maxRateLimitWaitMs: config.maxRateLimitWaitMs,
    // Tests shorten the backoff; users have no reason to.
    retryBaseDelayMs: env.INTERCOM_CONNECTOR_RETRY_BASE_MS ? Number(env.INTERCOM_CONNECTOR_RETRY_BASE_MS) : undefined,
    onRateLimited: (resetAtMs, stream) => void sink.emit({ type: 'rate_limited', stream, resetAtMs }),
    onRetry: (message) => logger.warn(`Retrying: ${message}`),
  });
}
