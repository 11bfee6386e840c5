/**
 * Neutral events: what the sync engine says, before a protocol shell turns it into
 * Airbyte or Singer messages. No stream or engine code knows which protocol it runs under.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export type FailureType = 'config_error' | 'system_error' | 'transient_error';

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export type JsonObject = Record<string, unknown>;

/**
 * A fact a log line reports, typed, for consumers that count it (the progress summary) without
 * reading the text: `parts_truncated` is an object whose parts Intercom cuts at its cap.
 */
export type Notice = { kind: 'parts_truncated'; stream: string };

export type EngineEvent =
  | { type: 'record'; stream: string; data: JsonObject }
  | { type: 'state'; stream: string; state: JsonObject; recordCount: number }
  | { type: 'status'; stream: string; status: StreamStatus }
  | { type: 'rate_limited'; stream?: string; resetAtMs: number }
  | { type: 'estimate'; stream: string; rowEstimate: number }
  | { type: 'log'; level: LogLevel; message: string; notice?: Notice }
  | { type: 'error'; message: string; internalMessage?: string; failureType: FailureType; stream?: string }
  /** A stream's schema changed during the sync (schema drift); Singer announces it with a SCHEMA message. */
  | { type: 'schema'; stream: string; schema: JsonObject };

/** Receives engine events; a protocol shell implements it. */
export interface EventSink {
  emit(event: EngineEvent): void | Promise<void>;
  /** Resolves when everything emitted so far has been flushed to its destination. */
  flush(): Promise<void>;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** `notice` types what the line reports, for consumers that count it. */
  warn(message: string, notice?: Notice): void;
  error(message: string): void;
}
