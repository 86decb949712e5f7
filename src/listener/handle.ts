/**
 * Stage 8: hand the guarded JSON to the connector (which journals it) and turn its answer into a
 * response. A throw is a generic 500 (the platform retries); a `failure` in the answer counts like a
 * failed verification, a `reason` only names the counter; a handler's error status never carries its
 * reason to the client.
 */
import type { Exchange, Rejection } from './exchange.js';
import type { WebhookHandler } from './types.js';

/** What `handle` produced: an answer to send, or a rejection to count. */
export type HandleOutcome = { ok: true; status: number; body: string } | { ok: false; rejection: Rejection };

/** Call `handler.handle` for a request that passed every stage. */
export async function handle(handler: WebhookHandler, ex: Exchange): Promise<HandleOutcome> {
  let answer;
  try {
    answer = await handler.handle(ex.json, ex.webhook!);
  } catch {
    return { ok: false, rejection: { status: 500, reason: 'handler-error' } };
  }
  const status = Number.isInteger(answer?.status) && answer.status >= 200 && answer.status <= 599 ? answer.status : 500;
  if (answer?.failure !== undefined) return { ok: false, rejection: { status: status < 400 ? 401 : status, reason: answer.failure, failure: true } };
  if (status >= 400) return { ok: false, rejection: { status, reason: typeof answer.reason === 'string' && answer.reason ? answer.reason : `handler-${status}` } };
  let body = '{}';
  if (answer.body !== undefined) {
    try {
      body = JSON.stringify(answer.body) ?? '{}';
    } catch {
      return { ok: false, rejection: { status: 500, reason: 'handler-body' } };
    }
  }
  return { ok: true, status, body };
}
