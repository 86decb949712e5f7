/**
 * Outbound calls with bounded retries, shared by every connector: a platform API call made for an
 * agent's command is retried on what the connector's recovery table calls transient (rate limit,
 * 5xx, network), after the platform's retry-after when it gives one; anything else fails at once.
 */
import { SbError } from '../errors.js';
import { Backoff, withRetries } from './backoff.js';

/** Longest retry-after worth waiting for on behalf of an agent; past it the agent gets the error. */
export const MAX_SEND_WAIT_MS = 30_000;

/** What a connector's recovery table says about one failed outbound call. */
export interface SendFailure {
  /** Worth another try (rate limit, 5xx, network). */
  transient: boolean;
  /** Secret-free, for the agent and the log. */
  reason: string;
  retryAfterMs?: number;
  /** Secret-free details for the log: method, HTTP status, platform error code. */
  fields?: Record<string, unknown>;
}

/** What a connector's recovery table says about an error, as far as an outbound retry cares. */
export interface RecoveryVerdict {
  reason: string;
  retryAfterMs?: number | undefined;
}

/**
 * A recovery-table verdict as a `SendFailure`: `transient` as the table judges it, `fields` the
 * secret-free details for the log (undefined ones dropped).
 */
export function sendFailure(v: RecoveryVerdict, transient: boolean, fields: Record<string, unknown>): SendFailure {
  return {
    transient,
    reason: v.reason,
    ...(v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {}),
    fields: Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
  };
}

export interface SendRetryOptions {
  signal: AbortSignal;
  /** First backoff delay. Default 300 ms. */
  retryInitialMs?: number;
  /** Attempts in all. Default 4. */
  maxAttempts?: number;
}

/**
 * Run `call`, retrying transient failures (as `classify` judges them) with backoff. Rejects with an
 * `SbError('SB_E_SEND')` carrying the reason, `retryAfterMs`, and `fields.retryable`.
 */
export function sendWithRetries<T>(call: () => Promise<T>, classify: (err: unknown) => SendFailure, options: SendRetryOptions): Promise<T> {
  return withRetries(
    async () => {
      try {
        return await call();
      } catch (err) {
        throw toSendError(err, classify);
      }
    },
    {
      signal: options.signal,
      backoff: new Backoff({ initialMs: options.retryInitialMs ?? 300, maxMs: 5_000 }),
      maxAttempts: options.maxAttempts ?? 4,
      isFatal: (err) => !(err instanceof SbError && err.fields.retryable === true),
    },
  );
}

function toSendError(err: unknown, classify: (err: unknown) => SendFailure): SbError {
  if (err instanceof SbError) return err;
  const f = classify(err);
  const retryable = f.transient && (f.retryAfterMs === undefined || f.retryAfterMs <= MAX_SEND_WAIT_MS);
  return new SbError('SB_E_SEND', f.reason, {
    cause: err,
    ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
    fields: { ...f.fields, retryable },
  });
}
