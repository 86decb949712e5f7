/**
 * Delivery that must not be lost quietly: the end of an agent's answer (and its notice) is tried
 * again with the shared backoff — a platform's retry-after honoured — until it goes through, a total
 * budget is spent, or its signal aborts (the runtime stops, or a `/stop` once the agent has ended).
 * The connector's own send retries (a few seconds) come first; this covers an outage that outlasts
 * them (a Gateway resume, a 5xx spell).
 */
import type { InboundEvent, OutboundCommand, SendResult } from '../bus/types.js';
import { Backoff, withRetries, type BackoffOptions } from '../supervisor/backoff.js';

/** Time spent retrying the end of an answer, by default. */
export const DEFAULT_DELIVERY_RETRY_MS = 120_000;

/** How long, and how, a delivery is retried. */
export interface DeliveryRetry {
  /** Total time for every attempt together. Default 2 min. */
  totalMs?: number;
  /** Delays between attempts. Default 1 s, doubling up to 15 s. */
  backoff?: BackoffOptions;
  /** Aborted when the runtime stops, or by `/stop` or an interrupt once the agent has ended: no more waiting. */
  signal?: AbortSignal;
}

/**
 * Run `attempt` until it resolves; after a rejection wait (backoff, or the error's `retryAfterMs` when
 * longer) and try again. Resolves true once an attempt succeeded, false when the budget ran out or the
 * signal aborted. Never rejects.
 */
export async function deliverWithRetries(attempt: () => Promise<unknown>, retry: DeliveryRetry = {}): Promise<boolean> {
  const { controller: done, unlink } = linkedController(retry.signal);
  const budget = setTimeout(() => done.abort(), retry.totalMs ?? DEFAULT_DELIVERY_RETRY_MS);
  try {
    await withRetries(attempt, { signal: done.signal, backoff: new Backoff({ initialMs: 1_000, maxMs: 15_000, ...retry.backoff }) });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(budget);
    unlink();
  }
}

/**
 * A controller aborted when `parent` aborts (or already aborted if it has), until `unlink`. Not
 * AbortSignal.any: over a long-lived parent it keeps every child signal alive (nodejs/node#55351).
 */
export function linkedController(parent?: AbortSignal): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const end = () => controller.abort();
  parent?.addEventListener('abort', end, { once: true });
  if (parent?.aborted) end();
  return { controller, unlink: () => parent?.removeEventListener('abort', end) };
}

/**
 * Send one notice as a new message in `to`'s conversation; with `retry`, a refusal is retried like
 * the end of an answer. Resolves with whether it went through and, if not, the last error. Never rejects.
 */
export async function sendNotice(
  send: (cmd: OutboundCommand) => Promise<SendResult>,
  to: Pick<InboundEvent, 'connector' | 'conversation' | 'correlationId'>,
  text: string,
  retry?: DeliveryRetry,
): Promise<{ sent: boolean; err?: unknown }> {
  let err: unknown;
  const attempt = () =>
    Promise.resolve()
      .then(() => send({ type: 'send', connector: to.connector, conversation: to.conversation.id, correlationId: to.correlationId, text }))
      .catch((e: unknown) => {
        err = e;
        throw e;
      });
  const sent = retry ? await deliverWithRetries(attempt, retry) : await attempt().then(() => true, () => false);
  return sent ? { sent } : { sent, err };
}
