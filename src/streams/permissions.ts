import { IntercomApiError } from '../intercom/errors.js';
import { OTHER_ENDPOINTS, STREAMS } from './catalog.js';
import type { Reader, ReaderItem } from './types.js';

/** A path template (`/contacts/{contact_id}/notes`) as a pattern for `METHOD /path...` endpoints. */
function endpointPattern(template: string): RegExp {
  const path = template
    .split(/\{[^}]+\}/)
    .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^\\w+ ${path}(?![\\w-])`);
}

const firstSegment = (path: string): string => path.split('/')[1] ?? '';

/** Every endpoint the table names with the permission it needs, in table order. */
const LISTED: { template: string; pattern: RegExp; permission: string }[] = [
  ...STREAMS.flatMap((s) =>
    s.endpoint && s.permission ? [{ template: s.endpoint.path, permission: s.permission }] : [],
  ),
  ...OTHER_ENDPOINTS.map((e) => ({ template: e.path, permission: e.permission })),
].map((e) => ({ ...e, pattern: endpointPattern(e.template) }));

/** The same, the most specific (longest literal path) first. */
const BY_SPECIFICITY = [...LISTED].sort(
  (a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length,
);

/**
 * The Developer Hub permission an endpoint (`GET /contacts/1/notes`) needs, from the stream table.
 * The endpoint that answered 403 decides, not the stream: events and notes also search contacts.
 * An endpoint no stream lists (GET /contacts/{id}/tags) needs what its family's stream needs.
 */
export function permissionFor(endpoint: string): string | undefined {
  const exact = BY_SPECIFICITY.find((e) => e.pattern.test(endpoint));
  if (exact) return exact.permission;
  const family = /^\w+ \/([^/?#]+)/.exec(endpoint)?.[1];
  return family ? LISTED.find((e) => firstSegment(e.template) === family)?.permission : undefined;
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
    ...(reader.holds ? { holds: reader.holds } : {}),
    async *read(ctx): AsyncGenerator<ReaderItem> {
      try {
        yield* reader.read(ctx);
      } catch (err) {
        const permission =
          err instanceof IntercomApiError && err.status === 403 && !(err instanceof MissingPermissionError)
            ? permissionFor(err.endpoint)
            : undefined;
        if (permission) {
          throw new MissingPermissionError(
            permission,
            reader.streams.map((s) => s.name).filter((name) => ctx.selected.has(name)),
            err as IntercomApiError,
          );
        }
        throw err;
      }
    },
  };
}
