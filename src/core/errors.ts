import type { FailureType } from './events.js';

/**
 * An error the user can act on. `message` is what the user reads (it names the field, stream or
 * endpoint and what to do); `internalMessage` carries technical detail for TRACE messages.
 */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  readonly internalMessage?: string;
  readonly stream?: string;

  constructor(message: string, opts: { failureType: FailureType; internalMessage?: string; stream?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConnectorError';
    this.failureType = opts.failureType;
    this.internalMessage = opts.internalMessage;
    this.stream = opts.stream;
  }
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
