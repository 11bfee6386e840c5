import type { ConnectionSettings } from '../config/connection.js';
import type { EventSink, Logger } from '../core/events.js';
import { IntercomClient, type ClientOptions } from './client.js';

/** The one client of a run, from the connection settings; rate-limit waits and retries report through the sink and logger. */
export function createClient(
  config: ConnectionSettings,
  sink: EventSink,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  onRequestDone?: ClientOptions['onRequestDone'],
): IntercomClient {
  return new IntercomClient({
    baseUrl: config.baseUrl,
    accessToken: config.accessToken,
    apiVersion: config.apiVersion,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConcurrency: config.maxConcurrency,
    maxRequestsPerMinute: config.maxRequestsPerMinute,
    maxRetries: config.maxRetries,
    maxRateLimitWaitMs: config.maxRateLimitWaitMs,
    maxResponseBytes: config.maxResponseBytes,
    // Tests shorten the backoff; users have no reason to.
    retryBaseDelayMs: env.INTERCOM_CONNECTOR_RETRY_BASE_MS ? Number(env.INTERCOM_CONNECTOR_RETRY_BASE_MS) : undefined,
    onRateLimited: (resetAtMs, stream) => void sink.emit({ type: 'rate_limited', stream, resetAtMs }),
    onRetry: (message) => logger.warn(`Retrying: ${message}`),
    onRequestDone,
  });
}
