/**
 * Every error Switchboard raises on purpose is an `SbError` with a stable `code`.
 * Messages name the fix and never carry a secret value.
 */
export type SbErrorCode =
  | 'SB_E_CONFIG'
  | 'SB_E_SECRET'
  | 'SB_E_STATE_DIR'
  | 'SB_E_ALREADY_RUNNING'
  | 'SB_E_NOT_RUNNING'
  | 'SB_E_UNKNOWN_CONNECTOR'
  | 'SB_E_CONNECTOR'
  | 'SB_E_CONNECTOR_FATAL'
  | 'SB_E_LISTENER_REFUSED'
  | 'SB_E_DUPLICATE'
  | 'SB_E_JOURNAL_CLOSED'
  | 'SB_E_PROTOCOL'
  | 'SB_E_SEND'
  /** The platform has no such operation (e.g. editing a sent LINE message); the agent should do something else. */
  | 'SB_E_UNSUPPORTED'
  | 'SB_E_ABORTED'
  | 'SB_E_TIMEOUT'
  // What the agent API answers (docs/agent-api.md): a request it could not read or that names
  // something wrong, a command the connector cannot carry out, a platform rate limit, any other
  // platform refusal, and a failure of the runtime itself.
  | 'SB_E_BAD_REQUEST'
  | 'SB_E_UNSUPPORTED'
  | 'SB_E_RATE_LIMITED'
  | 'SB_E_PLATFORM'
  | 'SB_E_INTERNAL';

export interface SbErrorOptions {
  cause?: unknown;
  /** The platform asked us to wait this long before retrying. */
  retryAfterMs?: number;
  /** Extra structured fields for the log; never secrets. */
  fields?: Record<string, unknown>;
}

/** Base class: a stable `code`, an optional `cause`, and structured fields for the log. */
export class SbError extends Error {
  readonly code: SbErrorCode;
  readonly retryAfterMs: number | undefined;
  readonly fields: Record<string, unknown>;
  constructor(code: SbErrorCode, message: string, options: SbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SbError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.fields = options.fields ?? {};
  }
}

/** One or more configuration problems; each line already names file:line:col and the fix. */
export class ConfigError extends SbError {
  readonly problems: string[];
  constructor(problems: string[], options: SbErrorOptions = {}) {
    super('SB_E_CONFIG', problems.join('\n'), options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * A connector failure that must not be retried (bad token, revoked app): the supervisor marks the
 * connector `failed` and does not restart it.
 */
export class FatalConnectorError extends SbError {
  constructor(message: string, options: SbErrorOptions = {}) {
    super('SB_E_CONNECTOR_FATAL', message, options);
    this.name = 'FatalConnectorError';
  }
}

/** A transient connector failure: the supervisor (or the connector) retries with backoff. */
export class RetryableConnectorError extends SbError {
  constructor(message: string, options: SbErrorOptions = {}) {
    super('SB_E_CONNECTOR', message, options);
    this.name = 'RetryableConnectorError';
  }
}

/** True when `err` says "do not retry". */
export function isFatal(err: unknown): boolean {
  return err instanceof FatalConnectorError || (err instanceof SbError && err.code === 'SB_E_CONNECTOR_FATAL');
}

/** A one-line description of any thrown value, for logs and CLI output. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
