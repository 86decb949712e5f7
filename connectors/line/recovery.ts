/**
 * LINE's recovery table: what a failed Messaging API call means. 401/403 are fatal (the channel access
 * token is wrong or revoked: reissue it), a 429 for the monthly quota is not worth retrying, a 429 for
 * the rate limit, 5xx and network errors are; any other 4xx is a refused request, with LINE's message.
 */
import { HTTPFetchError } from '@line/bot-sdk';

/** What to do about one failed call. */
export interface LineVerdict {
  action: 'fatal' | 'retry' | 'refused';
  /** Secret-free, for the agent, the log and `status`. */
  reason: string;
  status?: number;
  retryAfterMs?: number;
}

/** Classify an error thrown by a `MessagingApiClient` call. */
export function recover(err: unknown, method: string): LineVerdict {
  if (!(err instanceof HTTPFetchError)) {
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { action: 'retry', reason: `LINE API unreachable (${method}: ${cause})` };
  }
  const status = err.status;
  const message = lineMessage(err.body);
  if (status === 401 || status === 403) {
    return { action: 'fatal', status, reason: `LINE rejected the channel access token (${method}: ${status}); issue a new one in the LINE Developers console (Messaging API tab) and update access_token` };
  }
  if (status === 429) {
    if (/monthly limit/i.test(message)) return { action: 'refused', status, reason: `LINE refused ${method}: the monthly message quota is used up (${message})` };
    const retryAfterMs = retryAfter(err.headers.get('retry-after'));
    return { action: 'retry', status, reason: `LINE rate limit (${method}: 429)`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 500) return { action: 'retry', status, reason: `LINE API error (${method}: ${status})` };
  return { action: 'refused', status, reason: `LINE refused ${method} (${status}${message ? `: ${message}` : ''})` };
}

/** LINE's `{message, details[]}` error body as one line (it never carries the token). */
export function lineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; details?: { message?: unknown; property?: unknown }[] };
    const details = (parsed.details ?? []).map((d) => [d.property, d.message].filter((x) => typeof x === 'string').join(' ')).join('; ');
    return [typeof parsed.message === 'string' ? parsed.message : '', details].filter(Boolean).join(': ');
  } catch {
    return '';
  }
}

function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}
