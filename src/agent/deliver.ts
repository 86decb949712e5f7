/**
 * Delivery that must not be lost quietly: the end of an agent's answer (and its notice) is tried
 * again with the shared backoff — a platform's retry-after honoured — until it goes through, a total
 * budget is spent, or the runtime stops. The connector's own send retries (a few seconds) come first;
 * this covers an outage that outlasts them (a Gateway resume, a 5xx spell).
 */
import { Backoff, withRetries, type BackoffOptions } from '../supervisor/backoff.js';

/** Time spent retrying the end of an answer, by default. */
export const DEFAULT_DELIVERY_RETRY_MS = 120_000;

/** How long, and how, a delivery is retried. */
export interface DeliveryRetry {
  /** Total time for every attempt together. Default 2 min. */
  totalMs?: number;
  /** Delays between attempts. Default 1 s, doubling up to 15 s. */
  backoff?: BackoffOptions;
  /** Aborted when the runtime stops: no more waiting. */
  signal?: AbortSignal;
}

/**
 * Run `attempt` until it resolves; after a rejection wait (backoff, or the error's `retryAfterMs` when
 * longer) and try again. Resolves true once an attempt succeeded, false when the budget ran out or the
 * signal aborted. Never rejects.
 */
export async function deliverWithRetries(attempt: () => Promise<unknown>, retry: DeliveryRetry = {}): Promise<boolean> {
  // One controller per delivery, unlinked afterwards: AbortSignal.any over the runner's long-lived
  // signal would keep every delivery's signal alive (nodejs/node#55351).
  const done = new AbortController();
  const end = () => done.abort();
  const budget = setTimeout(end, retry.totalMs ?? DEFAULT_DELIVERY_RETRY_MS);
  retry.signal?.addEventListener('abort', end, { once: true });
  if (retry.signal?.aborted) end();
  try {
    await withRetries(attempt, { signal: done.signal, backoff: new Backoff({ initialMs: 1_000, maxMs: 15_000, ...retry.backoff }) });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(budget);
    retry.signal?.removeEventListener('abort', end);
  }
}
