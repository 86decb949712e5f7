/**
 * The Mattermost recovery table: every error a REST call or the WebSocket can end in → what the
 * connector does.
 *
 * | error                                                       | action | why |
 * |-------------------------------------------------------------|--------|-----|
 * | HTTP 401 (REST), or the socket closed unauthenticated and `GET /users/me` then answered 401 | fatal | the bot token is wrong, revoked, or its account deactivated: a person must fix it |
 * | HTTP 429                                                    | retry  | after `Retry-After` (else `X-Ratelimit-Reset`) |
 * | HTTP 5xx, network error, non-JSON answer                    | retry  | with the shared Backoff |
 * | socket close 1006 / 4000 (ping timeout) / 4001 (sequence gap) / server restart | retry | reconnect with `connection_id` + `sequence_number`; a new connection id means a REST catch-up |
 * | HTTP 403 on start (`users/me`)                              | fatal  | the account may not use the API |
 * | other HTTP 4xx on a send                                    | fail the send | our request is wrong; repeating it cannot help |
 *
 * Reasons are written for `switchboard status` and never contain the token.
 */
import { FatalConnectorError, RetryableConnectorError } from '../../src/errors.js';
import { MattermostHttpError } from './rest.js';

export type RecoveryAction = 'retry' | 'fatal';

export interface Verdict {
  action: RecoveryAction;
  /** Secret-free, for status and logs. */
  reason: string;
  retryAfterMs?: number;
  /** The HTTP status, when there was one. */
  status?: number;
}

/** Classify the failure of `what` (a REST call or the socket). */
export function recover(err: unknown, what: string): Verdict {
  if (err instanceof MattermostHttpError) {
    const s = err.status;
    if (s === 401) {
      return { action: 'fatal', reason: `Mattermost refused the bot token (${what}: HTTP 401); check the token, and that the bot account is enabled`, status: s };
    }
    if (s === 429) {
      const wait = err.retryAfterMs ?? 1000;
      return { action: 'retry', reason: `rate limited by Mattermost (${what}: retry after ${Math.ceil(wait / 1000)} s)`, retryAfterMs: wait, status: s };
    }
    if (s >= 500) return { action: 'retry', reason: `Mattermost failed (${what}: HTTP ${s})`, status: s };
    if (s === 403 && what === 'GET /users/me') {
      return { action: 'fatal', reason: `Mattermost refused the bot account (${what}: HTTP 403); give it API access`, status: s };
    }
    return { action: 'fatal', reason: `Mattermost refused the request (${err.message})`, status: s };
  }
  const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (err instanceof TypeError || typeof code === 'string') {
    return { action: 'retry', reason: `cannot reach Mattermost (${what}: ${typeof code === 'string' ? code : 'connection failed'})` };
  }
  return { action: 'retry', reason: `${what} failed unexpectedly (${err instanceof Error ? err.name : typeof err})` };
}

/** The connector error `start` rejects with for the failure of `what`: Fatal or Retryable, per the table. */
export function toConnectorError(err: unknown, what: string): FatalConnectorError | RetryableConnectorError {
  if (err instanceof FatalConnectorError || err instanceof RetryableConnectorError) return err;
  const v = recover(err, what);
  if (v.action === 'fatal') return new FatalConnectorError(v.reason, { fields: { status: v.status } });
  return new RetryableConnectorError(v.reason, v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {});
}
