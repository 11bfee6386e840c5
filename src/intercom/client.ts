import got, { RequestError, type Got, type Method, type OptionsInit } from 'got';
import { isAscii } from 'node:buffer';

type StreamOptions = OptionsInit & { isStream?: true };
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { redact } from '../core/redact.js';
import { packageVersion } from '../util/package-root.js';
import { IntercomApiError, describeHttpError, parseErrorBody } from './errors.js';
import { RatePacer, parseRateLimitHeaders } from './rate-pacer.js';

export interface ClientOptions {
  baseUrl: string;
  accessToken: string;
  apiVersion: string;
  requestTimeoutMs: number;
  maxConcurrency: number;
  maxRequestsPerMinute?: number;
  maxRetries: number;
  maxRateLimitWaitMs: number;
  /** Base delay of the exponential backoff (tests shorten it). */
  retryBaseDelayMs?: number;
  onRateLimited?: (resetAtMs: number, stream: string | undefined) => void;
  onRetry?: (message: string) => void;
  /** Every finished HTTP exchange (for Singer http_request_duration metrics). */
  onRequestDone?: (info: { endpoint: string; status: number | undefined; durationMs: number; stream: string | undefined }) => void;
}

export interface RequestOptions {
  method?: Method;
  /** Path below the API root (`/contacts/search`) or an absolute URL on the same host (`pages.next`). */
  path: string;
  searchParams?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** Stream on whose behalf the call is made (rate-limit heartbeats name it). */
  stream?: string;
  /** Return undefined instead of failing on 404 (deleted objects, end of scroll). */
  allow404?: boolean;
  /** Extra headers (custom streams, e.g. another Intercom-Version); the authorization header cannot be replaced. */
  headers?: Record<string, string>;
  /** Override the retry count (e.g. `check` should answer quickly). */
  retries?: number;
}

export interface ClientStats {
  requests: number;
  rateLimited: number;
  retried: number;
  /** Requests and 429s per stream (the `stream` a call was made for). */
  byStream: Map<string, { requests: number; rateLimited: number }>;
}

/** 5xx, resets, timeouts and unreadable bodies are worth another try. */
class TransientError extends Error {}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * The one place every Intercom call goes through: auth, version header, pacing by the rate-limit
 * headers, a concurrency limit shared by all streams, 429 waits and retries with backoff.
 */
export class IntercomClient {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retried: 0, byStream: new Map() };
  private readonly http: Got;
  private readonly limit: LimitFunction;
  private readonly pacer: RatePacer;

  constructor(private readonly opts: ClientOptions) {
    this.http = got.extend({
      prefixUrl: opts.baseUrl,
      headers: {
        authorization: `Bearer ${opts.accessToken}`,
        'intercom-version': opts.apiVersion,
        accept: 'application/json',
        'user-agent': `intercom-connector/${packageVersion} (+https://github.com/intercom-connector)`,
      },
      timeout: { request: opts.requestTimeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      http2: false,
    });
    this.limit = pLimit(opts.maxConcurrency);
    // A pause for the budget is a heartbeat too: orchestrators see life while nothing is sent.
    this.pacer = new RatePacer({ maxRequestsPerMinute: opts.maxRequestsPerMinute, onWait: (resetAtMs) => opts.onRateLimited?.(resetAtMs, undefined) });
  }

  get inFlight(): number {
    return this.limit.activeCount;
  }

  async request<T>(req: RequestOptions): Promise<T> {
    return (await this.requestMaybe<T>(req)) as T;
  }

  /** Like request, but resolves undefined on 404 when `allow404` is set. */
  requestMaybe<T>(req: RequestOptions): Promise<T | undefined> {
    const endpoint = `${req.method ?? 'GET'} ${pathOf(req.path)}`;
    const retries = req.retries ?? this.opts.maxRetries;
    return this.limit(() =>
      pRetry(() => this.sendHandlingRateLimits<T>(req, endpoint), {
        retries,
        factor: 2,
        minTimeout: this.opts.retryBaseDelayMs ?? 1000,
        maxTimeout: 60_000,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof TransientError,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof TransientError && retriesLeft > 0) {
            this.stats.retried++;
            this.opts.onRetry?.(`${endpoint}: ${error.message}; retry ${attemptNumber} of ${retries}`);
          }
        },
      }).catch((err: unknown) => {
        if (err instanceof TransientError) {
          throw new IntercomApiError({ endpoint, message: `${endpoint} kept failing after ${retries} retries: ${err.message}. Check that the host is reachable; if Intercom is having an incident, run again later (a read resumes from the last state).`, transient: true, cause: err });
        }
        throw err;
      }),
    );
  }

  private streamStats(stream: string): { requests: number; rateLimited: number } {
    let entry = this.stats.byStream.get(stream);
    if (!entry) {
      entry = { requests: 0, rateLimited: 0 };
      this.stats.byStream.set(stream, entry);
    }
    return entry;
  }

  private async sendHandlingRateLimits<T>(req: RequestOptions, endpoint: string): Promise<T | undefined> {
    let waitedMs = 0;
    let staleRetries = 0;
    for (;;) {
      await this.pacer.acquire();
      const response = await this.send(req, endpoint);
      const headers = parseRateLimitHeaders(response.headers);
      this.pacer.update(headers);
      if (response.statusCode === 429) {
        this.stats.rateLimited++;
        if (req.stream) this.streamStats(req.stream).rateLimited++;
        const now = Date.now();
        // A 429 counted just before its window ended often arrives after the reset: that window is
        // over and the new one has budget. Waiting, or telling the pacer the budget is gone, would
        // idle the whole new window (measured: every third 10 s window nearly empty at 10,000/min).
        // Retry soon instead; only a run of such answers (e.g. a skewed clock) falls back to backoff.
        const stale = headers.resetAtMs !== undefined && headers.resetAtMs <= now && staleRetries < 3;
        if (stale) staleRetries++;
        // Without a reset header, back off exponentially from 2 s.
        const resetAtMs =
          headers.resetAtMs && headers.resetAtMs > now ? headers.resetAtMs : stale ? now + 200 * staleRetries : now + Math.min(60_000, 2000 * 2 ** Math.min(5, Math.floor(waitedMs / 2000)));
        const wait = resetAtMs - now + (stale ? 0 : 100);
        if (waitedMs + wait > this.opts.maxRateLimitWaitMs) {
          throw new AbortError(
            new IntercomApiError({ endpoint, status: 429, body: parseErrorBody(response.body), transient: true, message: `Intercom kept answering 429 (rate limit exceeded) for ${endpoint} for ${Math.round(waitedMs / 1000)} s. Another app may be using the workspace's budget; lower max_requests_per_minute or run later.` }),
          );
        }
        if (!stale) this.pacer.exhaustedUntil(resetAtMs);
        this.opts.onRateLimited?.(resetAtMs, req.stream);
        waitedMs += wait;
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      return this.interpret<T>(response, req, endpoint);
    }
  }

  private async send(req: RequestOptions, endpoint: string): Promise<{ statusCode: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    this.stats.requests++;
    if (req.stream) this.streamStats(req.stream).requests++;
    const started = performance.now();
    const absolute = /^https?:\/\//.test(req.path);
    const url = absolute ? req.path : req.path.replace(/^\//, '');
    try {
      const response = await this.exchange(url, {
        method: req.method ?? 'GET',
        ...(absolute ? { prefixUrl: '' } : {}),
        searchParams: cleanParams(req.searchParams),
        ...(req.json === undefined ? {} : { json: req.json }),
        ...(req.headers ? { headers: withoutAuthorization(req.headers) } : {}),
      });
      this.opts.onRequestDone?.({ endpoint, status: response.statusCode, durationMs: performance.now() - started, stream: req.stream });
      return response;
    } catch (err) {
      this.opts.onRequestDone?.({ endpoint, status: undefined, durationMs: performance.now() - started, stream: req.stream });
      if (err instanceof RequestError) {
        const code = err.code ?? '';
        const where = `${this.opts.baseUrl}${pathOf(req.path)}`;
        const text = redact(`${code ? code + ' ' : ''}${err.message}`);
        if (RETRYABLE_CODES.has(code) || err.name === 'TimeoutError' || err.name === 'ReadError') {
          throw new TransientError(`network error calling ${where}: ${text}`);
        }
        throw new AbortError(new IntercomApiError({ endpoint, transient: false, message: `Could not call Intercom at ${where}: ${text}.` }));
      }
      throw err;
    }
  }

  /**
   * One HTTP exchange through got's stream API, the body collected as one string. The promise API
   * does the same plus its own response machinery: about a quarter more CPU per request, which is
   * what a sync of one request per contact (events, notes) spends most of its CPU on.
   */
  private exchange(url: string, options: StreamOptions): Promise<{ statusCode: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      const stream = this.http.stream(url, options);
      const chunks: Buffer[] = [];
      let response: { statusCode: number; headers: Record<string, string | string[] | undefined> } | undefined;
      stream.once('response', (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => (response = res));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', reject);
      stream.once('end', () => {
        if (!response) return reject(new TransientError('the response ended before its headers'));
        resolve({ statusCode: response.statusCode, body: decodeBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)), headers: response.headers });
      });
      // A stream request with a method that may carry a body (POST, PUT, DELETE) waits for one
      // until it is ended: without a JSON body, end it here or the request never goes out.
      const method = (options.method ?? 'GET').toUpperCase();
      if (options.json === undefined && method !== 'GET' && method !== 'HEAD') stream.end();
    });
  }

  private interpret<T>(response: { statusCode: number; body: string }, req: RequestOptions, endpoint: string): T | undefined {
    const { statusCode, body } = response;
    if (statusCode >= 500) throw new TransientError(`HTTP ${statusCode}`);
    if (statusCode === 404 && req.allow404) return undefined;
    if (statusCode >= 400) {
      const parsed = parseErrorBody(body);
      throw new AbortError(new IntercomApiError({ endpoint, status: statusCode, body: parsed, transient: false, message: describeHttpError(statusCode, endpoint, parsed) }));
    }
    if (statusCode === 202 || statusCode === 204 || body === '') return undefined;
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new TransientError(`malformed JSON body (${body.length} bytes; truncated or not JSON)`);
    }
  }
}

/**
 * UTF-8 text as a string. Most pages are pure ASCII, for which latin1 gives the same string and
 * V8 builds it without the UTF-8 decoder: about a third less CPU per page (isAscii is a SIMD scan).
 */
export function decodeBody(body: Buffer): string {
  return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
}

function pathOf(path: string): string {
  if (/^https?:\/\//.test(path)) {
    const u = new URL(path);
    return u.pathname;
  }
  return path.startsWith('/') ? path : `/${path}`;
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

function cleanParams(params: RequestOptions['searchParams']): Record<string, string | number | boolean> | undefined {
  if (!params) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}
