/**
 * Discord REST rate limits and failures, as the other connectors treat theirs: `@discordjs/rest` waits
 * out a 429 (and a bucket it knows is exhausted) when the wait is at most `MAX_SEND_WAIT_MS`; past that
 * it rejects at once (`rejectOnRateLimit`), and the agent gets `SB_E_SEND` with `retryAfterMs` instead
 * of a `send` that hangs for minutes. 5xx and network errors are already retried by `@discordjs/rest`.
 */
import type { RateLimitData } from '@discordjs/rest';
import { describeError } from '../../src/errors.js';
import { MAX_SEND_WAIT_MS, sendFailure, type SendFailure } from '../../src/supervisor/send-retry.js';
import { discordRest } from './sdk.js';

/** How long a rate limit would hold the request (ms): the longest of the waits `@discordjs/rest` reports. */
export function rateLimitWaitMs(limit: Pick<RateLimitData, 'retryAfter' | 'timeToReset' | 'sublimitTimeout'>): number {
  return Math.ceil(Math.max(limit.retryAfter, limit.timeToReset, limit.sublimitTimeout, 0));
}

/** `@discordjs/rest`'s `rejectOnRateLimit`: fail fast when the wait is longer than an agent should be kept waiting. */
export function rejectLongRateLimit(limit: RateLimitData): boolean {
  return rateLimitWaitMs(limit) > MAX_SEND_WAIT_MS;
}

/**
 * A failed outbound REST call (after `@discordjs/rest`'s own waits and retries), for `sendWithRetries`:
 * a rate limit too long to wait out carries `retryAfterMs`; nothing is left to retry here.
 */
export function restFailure(err: unknown, what: string): SendFailure {
  if (err instanceof discordRest.RateLimitError) {
    const retryAfterMs = rateLimitWaitMs(err);
    return sendFailure(
      { reason: `rate limited by Discord (${what}: retry after ${Math.ceil(retryAfterMs / 1000)} s)`, retryAfterMs },
      true,
      { call: what, status: 429, route: err.route, global: err.global || undefined },
    );
  }
  const status = err instanceof discordRest.DiscordAPIError || err instanceof discordRest.HTTPError ? err.status : undefined;
  return sendFailure({ reason: `Discord refused the ${what}: ${describeError(err)}` }, false, { call: what, status });
}
