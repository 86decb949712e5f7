/**
 * The Slack recovery table: every error a Web API call or the socket can end in → what the connector does.
 *
 * | error                                                         | action | why |
 * |---------------------------------------------------------------|--------|-----|
 * | network error, 5xx, non-JSON answer                           | retry  | Slack keeps un-acked envelopes and redelivers them on the next socket |
 * | 429 rate limited                                              | retry  | after exactly `Retry-After` seconds |
 * | `disconnect` (refresh_requested, warning, too_many_websockets)| retry  | at once, on a fresh `apps.connections.open` (handled in socket.ts) |
 * | invalid_auth, not_authed, account_inactive, token_revoked, … | fatal  | a wrong or revoked token: a person must fix it, no restart loop |
 * | not_allowed_token_type                                        | fatal  | the tokens are swapped (xoxb where xapp belongs, or the reverse) |
 * | other platform errors (channel_not_found, …)                  | fatal  | our request is wrong; repeating it cannot help |
 *
 * Reasons are written for `switchboard status` and never contain a token.
 */
import { web as webApi } from './sdk.js';

/** `retry`: try again with backoff; `fatal`: stop. */
export type RecoveryAction = 'retry' | 'fatal';

export interface Verdict {
  action: RecoveryAction;
  /** Secret-free, for status and logs. */
  reason: string;
  retryAfterMs?: number;
  /** Slack's `error` string or the HTTP status, when there was one. */
  errorCode?: string;
}

/** Platform errors that mean the token is wrong, revoked or its workspace gone. */
export const AUTH_ERRORS = new Set([
  'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'user_removed_from_team', 'team_disabled', 'not_allowed_token_type',
]);

/** Classify the error of Web API `method`. */
export function recover(err: unknown, method: string): Verdict {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === webApi.ErrorCode.RateLimitedError) {
    const seconds = Number((err as { retryAfter?: unknown }).retryAfter) || 1;
    return { action: 'retry', reason: `rate limited by Slack (${method}: retry after ${seconds} s)`, retryAfterMs: seconds * 1000, errorCode: '429' };
  }
  if (code === webApi.ErrorCode.PlatformError) {
    const error = String((err as { data?: { error?: unknown } }).data?.error ?? 'unknown_error');
    if (AUTH_ERRORS.has(error)) {
      const which = method === 'apps.connections.open' ? 'app_token' : 'bot_token';
      return { action: 'fatal', reason: `Slack rejected the ${which} (${method}: ${error}); check it in the app's settings (it may have been revoked)`, errorCode: error };
    }
    if (error === 'ratelimited') return { action: 'retry', reason: `rate limited by Slack (${method})`, retryAfterMs: 1000, errorCode: error };
    if (error === 'internal_error' || error === 'fatal_error' || error === 'service_unavailable' || error === 'request_timeout') {
      return { action: 'retry', reason: `Slack failed (${method}: ${error})`, errorCode: error };
    }
    return { action: 'fatal', reason: `Slack refused the request (${method}: ${error})`, errorCode: error };
  }
  if (code === webApi.ErrorCode.HTTPError) {
    const status = Number((err as { statusCode?: unknown }).statusCode);
    if (status === 401 || status === 403) return { action: 'fatal', reason: `Slack answered ${status} (${method}); check the tokens`, errorCode: String(status) };
    return { action: 'retry', reason: `Slack answered HTTP ${status || 'error'} (${method})`, errorCode: String(status) };
  }
  if (code === webApi.ErrorCode.RequestError) {
    const original = (err as { original?: { code?: unknown } }).original;
    return { action: 'retry', reason: `cannot reach Slack (${method}: ${typeof original?.code === 'string' ? original.code : 'connection failed'})` };
  }
  return { action: 'retry', reason: `${method} failed unexpectedly (${err instanceof Error ? err.name : typeof err})` };
}
