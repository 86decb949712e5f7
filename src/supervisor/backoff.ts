/**
 * The one backoff helper every connector and the supervisor use: exponential growth, jitter, a cap,
 * a server's `retry_after` honoured, and every wait abortable.
 */
import { SbError } from '../errors.js';

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  initialMs?: number;
  /** Upper bound of the computed delay. Default 30 s. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Fraction of the delay that is randomized (0..1). Default 0.3: delay in [d*(1-j), d]. */
  jitter?: number;
  /** Injected randomness, for tests. */
  random?: () => number;
}

/** Delay sequence for one retry loop. `reset()` after a success. */
export class Backoff {
  #attempt = 0;
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 500;
    this.#max = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.3));
    this.#random = options.random ?? Math.random;
  }

  /** How many delays have been handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /**
   * The next delay in ms. A server-given `retryAfterMs` wins when it is longer than our own delay
   * (the server knows its limits; waiting less would only earn another 429) — it is not capped.
   */
  next(retryAfterMs?: number): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    this.#attempt++;
    const delay = Math.round(base * (1 - this.#jitter * this.#random()));
    return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolve after `ms`, or reject with `SB_E_ABORTED` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): SbError {
  return new SbError('SB_E_ABORTED', 'aborted');
}

/** True for the error `sleep` (and anything honouring our signals) rejects with on abort. */
export function isAbort(err: unknown): boolean {
  return (err instanceof SbError && err.code === 'SB_E_ABORTED') || (err instanceof Error && err.name === 'AbortError');
}

export interface RetryOptions {
  signal: AbortSignal;
  backoff?: Backoff;
  /** Give up at once (rethrow) for these errors. */
  isFatal?: (err: unknown) => boolean;
  /** Called before each wait, for logging. */
  onRetry?: (err: unknown, delayMs: number, attempt: number) => void;
  /** Stop after this many attempts (default: unlimited until aborted). */
  maxAttempts?: number;
}

/**
 * Run `fn` until it succeeds, waiting with backoff between attempts. Honours `err.retryAfterMs`.
 * Rethrows fatal errors, the last error after `maxAttempts`, and aborts.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const backoff = options.backoff ?? new Backoff();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (options.signal.aborted || isAbort(err)) throw err;
      if (options.isFatal?.(err)) throw err;
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) throw err;
      const retryAfter = (err as { retryAfterMs?: unknown }).retryAfterMs;
      const delay = backoff.next(typeof retryAfter === 'number' ? retryAfter : undefined);
      options.onRetry?.(err, delay, attempt);
      await sleep(delay, options.signal);
    }
  }
}
