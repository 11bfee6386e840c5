import { ConnectorError } from '../core/errors.js';

export interface IntercomErrorBody {
  type?: string;
  request_id?: string;
  errors?: { code?: string; message?: string; field?: string }[];
}

/** A non-retryable answer from Intercom (4xx), or retries that ran out. */
export class IntercomApiError extends ConnectorError {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly endpoint: string;

  constructor(opts: { endpoint: string; status?: number; body?: IntercomErrorBody; message: string; transient: boolean; cause?: unknown }) {
    const first = opts.body?.errors?.[0];
    const requestId = opts.body?.request_id ? ` request_id=${opts.body.request_id}` : '';
    super(opts.message, {
      failureType: opts.transient ? 'transient_error' : opts.status === 401 || opts.status === 403 ? 'config_error' : 'system_error',
      internalMessage: `${opts.endpoint} -> ${opts.status ?? 'no response'}${first?.code ? ` ${first.code}` : ''}${first?.message ? `: ${first.message}` : ''}${requestId}`,
      cause: opts.cause,
    });
    this.name = 'IntercomApiError';
    this.status = opts.status;
    this.code = first?.code;
    this.endpoint = opts.endpoint;
  }
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
