/**
 * The Feishu recovery table: every error a connection attempt or an OpenAPI call can end in → what
 * the connector does.
 *
 * | error                                              | action | why |
 * |----------------------------------------------------|--------|-----|
 * | endpoint refused (`pullConnectConfig failed`)       | fatal  | wrong app id / secret, or the long connection is not enabled for the app |
 * | tenant token refused (`failed to get tenant_access_token`) | fatal | wrong app secret |
 * | HTTP 401/403, codes 10003/10014 (app id / secret) | fatal | credentials rejected |
 * | HTTP 429, code 99991400                            | retry  | after `x-ogw-ratelimit-reset` seconds when given |
 * | HTTP 5xx, network error, timeout                   | retry  | transient; with backoff |
 * | other 4xx / non-zero code                          | fatal for the call | our request is wrong; repeating it cannot help |
 * | socket closed                                      | resume | the SDK re-fetches the endpoint and reconnects (no resume, unacked events are redelivered) |
 *
 * Reasons are secret-free: an axios error's `config` holds the request (the app secret, the
 * tenant token); only status, code and msg are kept.
 */

export type RecoveryAction = 'retry' | 'fatal';

export interface Verdict {
  action: RecoveryAction;
  /** Secret-free, for status and logs. */
  reason: string;
  /** True when the app's credentials were refused: the connector cannot run. */
  auth: boolean;
  retryAfterMs?: number;
  status?: number;
  code?: number;
}

// App id / secret refused. (99991663 "invalid access token" is not here: a stale token is a failed call, not a dead app.)
const AUTH_CODES = new Set([10003, 10014]);

/** Classify an error of an OpenAPI call (`what` names the call, e.g. `im.v1.message.create`). */
export function recover(err: unknown, what: string): Verdict {
  const e = err as { response?: { status?: number; data?: unknown; headers?: Record<string, unknown> }; code?: unknown; message?: unknown };
  if (e && typeof e === 'object' && e.response && typeof e.response.status === 'number') {
    const status = e.response.status;
    const body = (e.response.data ?? {}) as { code?: unknown; msg?: unknown };
    const code = typeof body.code === 'number' ? body.code : undefined;
    const said = `${what}: HTTP ${status}${code !== undefined ? ` code ${code}` : ''}${typeof body.msg === 'string' ? ` ${body.msg.slice(0, 200)}` : ''}`;
    if (status === 429 || code === 99991400) {
      const reset = Number(e.response.headers?.['x-ogw-ratelimit-reset']);
      return { action: 'retry', reason: `rate limited (${said})`, auth: false, status, ...(code !== undefined ? { code } : {}), ...(reset > 0 ? { retryAfterMs: reset * 1000 } : {}) };
    }
    if (status >= 500) return { action: 'retry', reason: `the open platform failed (${said})`, auth: false, status, ...(code !== undefined ? { code } : {}) };
    const auth = status === 401 || status === 403 || (code !== undefined && AUTH_CODES.has(code));
    return { action: 'fatal', reason: auth ? `the app credentials were refused (${said}); check app_id and app_secret` : `the open platform refused the request (${said})`, auth, status, ...(code !== undefined ? { code } : {}) };
  }
  const message = typeof e?.message === 'string' ? e.message : '';
  // The SDK's own messages carry only code and msg, never the request.
  const token = /failed to get tenant_access_token, code: (\S+), msg: (.*)$/.exec(message);
  if (token) {
    const code = Number(token[1]);
    if (code === 99991400) return { action: 'retry', reason: `rate limited fetching the tenant token (code ${code})`, auth: false, code };
    return { action: 'fatal', reason: `the tenant access token was refused (code ${token[1]}: ${token[2]!.slice(0, 200)}); check app_id and app_secret`, auth: true, ...(Number.isFinite(code) ? { code } : {}) };
  }
  const endpoint = /pullConnectConfig failed: code=(\S+), msg=(.*)$/.exec(message);
  if (endpoint) {
    return { action: 'fatal', reason: `the long-connection endpoint refused the app (code ${endpoint[1]}: ${endpoint[2]!.slice(0, 200)}); check app_id, app_secret, and that the app receives events through the persistent connection`, auth: true };
  }
  const errno = typeof e?.code === 'string' ? e.code : undefined;
  return { action: 'retry', reason: `cannot reach the open platform (${what}: ${errno ?? (message.slice(0, 120) || 'connection failed')})`, auth: false };
}
