import { IntercomApiError } from '../intercom/errors.js';
import type { Reader, ReaderItem } from './types.js';

/**
 * A 403 translated into the permission the stream needs. It stays an IntercomApiError with status
 * 403 (failure type config_error), so the engine fails only this reader's streams, or the whole sync
 * when config `fail_on_missing_permission` is true.
 */
export class MissingPermissionError extends IntercomApiError {
  readonly permission: string;

  constructor(permission: string, streams: string[], original: IntercomApiError) {
    super({
      endpoint: original.endpoint,
      status: 403,
      transient: false,
      cause: original,
      message:
        `the access token lacks the Intercom permission "${permission}" (403 on ${original.endpoint}), so ${streams.join(', ')} cannot be read. ` +
        'Grant the permission to the app in the Intercom Developer Hub (Configure > Authentication) and reinstall it, or deselect the stream. ' +
        'The other streams still run unless fail_on_missing_permission is true.',
    });
    this.name = 'MissingPermissionError';
    this.permission = permission;
  }
}

/** Wraps a reader so that a 403 names the permission its streams need instead of only the endpoint. */
export function requiresPermission(permission: string, reader: Reader): Reader {
  return {
    streams: reader.streams,
    async *read(ctx): AsyncGenerator<ReaderItem> {
      try {
        yield* reader.read(ctx);
      } catch (err) {
        if (err instanceof IntercomApiError && err.status === 403 && !(err instanceof MissingPermissionError)) {
          throw new MissingPermissionError(permission, reader.streams.map((s) => s.name).filter((name) => ctx.selected.has(name)), err);
        }
        throw err;
      }
    },
  };
}
