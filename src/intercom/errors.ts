import { ConnectorError, type FailureScope } from '../core/errors.js';
import { excerpt } from '../core/redact.js';

export interface IntercomErrorBody {
  type?: string;
  request_id?: string;
  errors?: { code?: string; message?: string; field?: string }[];
}

/** A non-retryable answer from Intercom (4xx), or retries that ran out. */
export class IntercomApiError extends ConnectorError {
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** Intercom's own message for the first error of its body: match on this, never on `message` (ours, for people). */
  readonly detail: string | undefined;
  readonly endpoint: string;
  /** Retries ran out: the status of the last answer (a 5xx), or undefined when no answer came (network error). */
  readonly lastStatus: number | undefined;

  constructor(opts: {
    endpoint: string;
    status?: number;
    body?: IntercomErrorBody;
    message: string;
    transient: boolean;
    cause?: unknown;
    scope?: FailureScope;
    lastStatus?: number;
  }) {
    const first = opts.body?.errors?.[0];
    const requestId = opts.body?.request_id ? ` request_id=${opts.body.request_id}` : '';
    super(opts.message, {
      failureType: opts.transient
        ? 'transient_error'
        : opts.status === 401 || opts.status === 403
          ? 'config_error'
          : 'system_error',
      internalMessage: `${opts.endpoint} -> ${opts.status ?? 'no response'}${first?.code ? ` ${first.code}` : ''}${first?.message ? `: ${first.message}` : ''}${requestId}`,
      cause: opts.cause,
      scope: opts.scope ?? scopeOfStatus(opts.status),
    });
    this.name = 'IntercomApiError';
    this.status = opts.status;
    this.code = first?.code;
    this.detail = first?.message;
    this.endpoint = opts.endpoint;
    this.lastStatus = opts.lastStatus;
  }
}

/** A 401 means the token is gone for every endpoint; a 403 is one missing permission. */
function scopeOfStatus(status: number | undefined): FailureScope {
  if (status === 401) return 'run';
  if (status === 403) return 'permission';
  return 'stream';
}

/** Plain-language message for a 4xx, naming the endpoint and what to do. */
export function describeHttpError(status: number, endpoint: string, body: IntercomErrorBody | undefined): string {
  const detail = body?.errors?.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  const suffix = detail ? ` Intercom said: ${detail}.` : '';
  switch (status) {
    case 401:
      return `Intercom rejected the access token (401 on ${endpoint}): access token invalid or revoked. Create a new token in the Intercom Developer Hub and update the config.${suffix}`;
    case 403:
      return `The access token lacks a permission needed for ${endpoint} (403). Grant the app the matching read scope in the Intercom Developer Hub, or deselect the stream.${suffix}`;
    case 404:
      return `Intercom answered 404 Not Found for ${endpoint}.${suffix}`;
    default:
      return `Intercom refused ${endpoint} with HTTP ${status}.${suffix}`;
  }
}

export function parseErrorBody(text: string | undefined): IntercomErrorBody | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as IntercomErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/** A URL for a message: no user name or password, secrets redacted, at most 300 characters. */
export function safeUrl(url: string): string {
  let shown = url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    shown = parsed.toString();
  } catch {
    shown = url.replace(/\/\/[^/@]*@/, '//');
  }
  return excerpt(shown, 300);
}

/** A URL from a response (a next link) that leaves the configured origin: the token never goes there. */
export function offOriginError(endpoint: string, url: string, origin: string): IntercomApiError {
  return new IntercomApiError({
    endpoint,
    transient: false,
    message: `Refused to request ${safeUrl(url)}: Intercom's answer pointed to another origin than the configured ${origin} (a next-page link), and the access token is only ever sent to ${origin}. Check base_url/region; if this is really Intercom, report the response.`,
  });
}

/** A redirect off the configured origin: not followed. */
export function redirectError(
  endpoint: string,
  status: number,
  location: string | string[] | undefined,
  origin: string,
): IntercomApiError {
  const target = Array.isArray(location) ? location[0] : location;
  return new IntercomApiError({
    endpoint,
    status,
    transient: false,
    message: `Intercom answered ${endpoint} with a redirect (HTTP ${status}) to ${target ? safeUrl(target) : 'no location'}, outside the configured ${origin}; it is not followed (the access token is only ever sent to ${origin}). Check base_url/region.`,
  });
}

/** A body larger than max_response_bytes (after decompression). */
export function oversizeError(method: string, url: string, maxBytes: number): IntercomApiError {
  const endpoint = `${method} ${pathOnly(url)}`;
  return new IntercomApiError({
    endpoint,
    transient: false,
    message: `The response to ${endpoint} is larger than max_response_bytes (${maxBytes} bytes, counted after decompression); reading stopped there. An Intercom page is far smaller: check base_url, or raise max_response_bytes if this endpoint really returns that much.`,
  });
}

/** A JSON body nested deeper than the bound (before parsing it). */
export function tooDeepError(endpoint: string, maxDepth: number): IntercomApiError {
  return new IntercomApiError({
    endpoint,
    transient: false,
    message: `The response to ${endpoint} nests JSON deeper than ${maxDepth} levels; it is refused unread (Intercom's bodies nest far less). Check base_url.`,
  });
}

/** DNS failure or refused connection before the host ever answered in this run. `url` is the request's URL (no credentials: base_url cannot hold any). */
export function unreachableError(endpoint: string, url: string, code: string, detail: string): IntercomApiError {
  const why = code === 'ECONNREFUSED' ? 'the connection was refused' : 'the host name could not be resolved (DNS)';
  return new IntercomApiError({
    endpoint,
    transient: code !== 'ENOTFOUND',
    // Every other request of the run goes to the same host: one error for the run, not one per stream.
    scope: 'run',
    message: `Could not reach Intercom at ${safeUrl(url)}: ${why} (${code}) on the first request of this run; nothing was read. Check base_url/region, the network, DNS and any proxy or firewall, then run again.`,
    cause: new Error(detail),
  });
}

function pathOnly(url: string): string {
  try {
    return new URL(url, 'http://x').pathname;
  } catch {
    return '/';
  }
}
