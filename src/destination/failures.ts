import type { JsonObject } from '../core/events.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import { IntercomApiError } from '../intercom/errors.js';
import { RecordInvalid, RecordRejected } from './writers/types.js';

/** Why one record (or input line) was not written: what goes to the dead-letter file. */
export interface RecordFailure {
  stream?: string;
  record?: JsonObject;
  /** The raw input line, when there is no record (non-JSON, oversized). */
  line?: string;
  /** Our reason code: invalid_record, invalid_identifier, invalid_utf8, unknown_stream, http_error, not_found, unknown_outcome, invalid_json, ... */
  code: string;
  status?: number;
  /** Intercom's error code (error.list errors[0].code). */
  intercomCode?: string;
  message: string;
  endpoint?: string;
}

export type ClassifiedFailure =
  { kind: 'record'; detail: Omit<RecordFailure, 'stream' | 'record'> } | { kind: 'fatal'; error: ConnectorError };

/**
 * A refusal that concerns this record only (a 4xx other than 401 and 429, or a writer's own
 * rejection) is dead-lettered. Everything else stops the run without echoing further STATE: a bad
 * token (401), rate-limit waits or retries that ran out (transient), anything unexpected.
 */
export function classifyFailure(err: unknown): ClassifiedFailure {
  if (err instanceof RecordRejected)
    return { kind: 'record', detail: { code: err.code, status: err.status, message: err.message } };
  // An identifier that would change the request path (from Intercom's own answer, e.g. a search hit): never sent.
  if (err instanceof RecordInvalid) return { kind: 'record', detail: { code: err.code, message: err.message } };
  if (err instanceof IntercomApiError) {
    const status = err.status;
    if (
      err.failureType !== 'transient_error' &&
      status !== undefined &&
      status >= 400 &&
      status < 500 &&
      status !== 401 &&
      status !== 429
    ) {
      return {
        kind: 'record',
        detail: {
          code: 'http_error',
          status,
          intercomCode: err.code,
          message: intercomSaid(err),
          endpoint: err.endpoint,
        },
      };
    }
    return { kind: 'fatal', error: err };
  }
  if (err instanceof ConnectorError) return { kind: 'fatal', error: err };
  return {
    kind: 'fatal',
    error: new ConnectorError(`Unexpected error while writing: ${errorMessage(err)}`, { failureType: 'system_error' }),
  };
}

/** Intercom's own message (`endpoint -> status code: message`), else ours. */
function intercomSaid(err: IntercomApiError): string {
  const said = /-> \d{3}(?: [^\s:]+)?: (.*?)(?: request_id=\S+)?$/.exec(err.internalMessage ?? '')?.[1];
  return said ?? err.message;
}
