import { IntercomApiError } from '../intercom/errors.js';
import type { Reader, ReaderItem } from './types.js';

/**
 * The Developer Hub permission each endpoint needs (names as Intercom shows them). The endpoint
 * that answered 403 decides, not the stream: events and notes also search contacts.
 */
const PERMISSIONS: [RegExp, string][] = [
  [/^\w+ \/admins\/activity_logs/, 'Read admins'],
  [/^\w+ \/(admins|teams)\b/, 'Read admins'],
  [/^\w+ \/tags\b/, 'Read tags'],
  [/^\w+ \/tickets?\b/, 'Read tickets'],
  [/^\w+ \/ticket_states\b/, 'Read tickets'],
  [/^\w+ \/away_status_reasons\b/, 'Read admins'],
  [/^\w+ \/news\//, 'Read and List news items and newsfeeds'],
  [/^\w+ \/internal_articles\b/, 'Read and List articles'],
  [/^\w+ \/calls\b/, 'Read conversations'],
  [/^\w+ \/ai\//, 'Read content data'],
  [/^\w+ \/ticket_types\b/, 'Read tickets'],
  [/^\w+ \/export\/reporting_data\/get_datasets\b/, 'Read reporting datasets'],
  [/^\w+ \/(export|download)\/reporting_data\b/, 'Export reporting data'],
  [/^\w+ \/(export\/content|download\/content|export\/cancel)\b/, 'Export content data'],
  [/^\w+ \/conversations\b/, 'Read conversations'],
  [/^\w+ \/(articles|help_center)\b/, 'Read content data'],
  [/^\w+ \/events\b/, 'Read events'],
  [/^\w+ \/contacts\/[^/]+\/notes\b/, 'Read one user and one company'],
  [/^\w+ \/(contacts|companies|segments)\b/, 'Read and list users and companies'],
];

export function permissionFor(endpoint: string): string | undefined {
  return PERMISSIONS.find(([pattern]) => pattern.test(endpoint))?.[1];
}

/**
 * A 403 translated into the permission the token lacks. It stays an IntercomApiError with status
 * 403 (failure type config_error): the engine fails only this reader's streams, or the whole sync
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

/** Wraps a reader so that a 403 names the permission its streams need, not only the endpoint. */
export function namingPermissions(reader: Reader): Reader {
  return {
    streams: reader.streams,
    ...(reader.alongside ? { alongside: true } : {}),
    async *read(ctx): AsyncGenerator<ReaderItem> {
      try {
        yield* reader.read(ctx);
      } catch (err) {
        const permission = err instanceof IntercomApiError && err.status === 403 && !(err instanceof MissingPermissionError) ? permissionFor(err.endpoint) : undefined;
        if (permission) {
          throw new MissingPermissionError(permission, reader.streams.map((s) => s.name).filter((name) => ctx.selected.has(name)), err as IntercomApiError);
        }
        throw err;
      }
    },
  };
}
