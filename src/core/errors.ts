import type { FailureType } from './events.js';

/**
 * How far a failure reaches, decided where it is understood (the Intercom layer knows a 401 means
 * the token is gone) and acted on by the engine without knowing the protocol:
 * - `stream`: only the failing stream stops; the others run.
 * - `run`: nothing else can succeed either (revoked token, unreachable host): the run stops, with
 *   one error for it and the other streams INCOMPLETE.
 * - `permission`: a missing permission; the stream stops, and the run too when the user asked
 *   missing permissions to fail the sync.
 */
export type FailureScope = 'stream' | 'run' | 'permission';

/**
 * An error the user can act on. `message` is what the user reads (it names the field, stream or
 * endpoint and what to do); `internalMessage` carries technical detail for TRACE messages.
 */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  readonly internalMessage?: string;
  readonly stream?: string;
  readonly scope: FailureScope;

  constructor(
    message: string,
    opts: {
      failureType: FailureType;
      internalMessage?: string;
      stream?: string;
      cause?: unknown;
      scope?: FailureScope;
    },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConnectorError';
    this.failureType = opts.failureType;
    this.internalMessage = opts.internalMessage;
    this.stream = opts.stream;
    this.scope = opts.scope ?? 'stream';
  }
}

/** The scope of any thrown value: only a ConnectorError can reach beyond its stream. */
export function failureScope(err: unknown): FailureScope {
  return err instanceof ConnectorError ? err.scope : 'stream';
}

/** Bad config, catalog or state: the user must change their input. */
export class ConfigError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, { failureType: 'config_error', internalMessage });
    this.name = 'ConfigError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
