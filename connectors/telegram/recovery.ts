/**
 * The Telegram recovery table: every error a Bot API call can end in → what the connector does.
 *
 * | error                                   | action  | why |
 * |-----------------------------------------|---------|-----|
 * | network error, timeout, non-JSON answer | resume  | Telegram keeps unconfirmed updates; poll again from the committed offset |
 * | 5xx (incl. 502 Bad Gateway)             | resume  | the Bot API server is having trouble; same as above, with backoff |
 * | 429 Too Many Requests                   | resume  | after exactly `parameters.retry_after` seconds |
 * | 409 Conflict (another getUpdates)       | conflict| another process polls this token: wait long, warn once, never hot-loop |
 * | 409 Conflict (webhook is active)        | fatal   | getUpdates is refused while a webhook is set; a person must choose |
 * | 401 Unauthorized, 404 Not Found         | fatal   | wrong or revoked token (404 = malformed token or wrong api_root) |
 * | other 4xx                               | fatal   | our request is wrong; repeating it cannot help |
 *
 * Reasons are written for `switchboard status` and never contain the token: grammY's HttpError
 * wraps a fetch error whose message holds the request URL (`/bot<token>/...`), so only its errno code
 * is kept from it.
 */
import { GrammyError, HttpError } from 'grammy';

/** `resume`: poll again from the committed offset; `conflict`: another poller, wait long; `fatal`: stop. */
export type RecoveryAction = 'resume' | 'conflict' | 'fatal';

/** What the recovery table says about one error. */
export interface Verdict {
  action: RecoveryAction;
  /** Secret-free, for status and logs. */
  reason: string;
  /** The server asked us to wait this long (429). */
  retryAfterMs?: number;
  /** The Bot API error code, when the server answered. */
  errorCode?: number;
}

const CONFLICT_REASON =
  'another getUpdates poller is using this token (Telegram 409 Conflict): only one process may poll a bot; stop the other instance, or revoke the token with @BotFather if you do not know it';

/** Classify the error of a Bot API call made by `method`. */
export function recover(err: unknown, method: string): Verdict {
  if (err instanceof GrammyError) return fromApiError(err, method);
  if (err instanceof HttpError) {
    const code = errnoOf(err.error);
    return { action: 'resume', reason: `cannot reach the Bot API (${method}: ${code ?? 'connection failed'})` };
  }
  return { action: 'resume', reason: `${method} failed unexpectedly (${err instanceof Error ? err.name : typeof err})` };
}

function fromApiError(err: GrammyError, method: string): Verdict {
  const code = err.error_code;
  const description = err.description;
  const said = `${method}: ${code} ${description}`;
  if (code === 429) {
    const seconds = err.parameters.retry_after ?? 1;
    return { action: 'resume', reason: `rate limited by Telegram (${said})`, retryAfterMs: seconds * 1000, errorCode: code };
  }
  if (code >= 500) return { action: 'resume', reason: `the Bot API server failed (${said})`, errorCode: code };
  if (code === 409) {
    if (/webhook/i.test(description)) {
      return {
        action: 'fatal',
        reason: `a webhook is set on this bot, so getUpdates is refused (${said}); remove it (deleteWebhook) or set delete_webhook: true`,
        errorCode: code,
      };
    }
    return { action: 'conflict', reason: CONFLICT_REASON, errorCode: code };
  }
  if (code === 401) {
    return { action: 'fatal', reason: `Telegram rejected the bot token (${said}); check \`token\` with @BotFather (it may have been revoked)`, errorCode: code };
  }
  if (code === 404) {
    return { action: 'fatal', reason: `the Bot API answered 404 (${said}): the token is malformed or api_root is not a Bot API server`, errorCode: code };
  }
  return { action: 'fatal', reason: `Telegram refused the request (${said})`, errorCode: code };
}

/**
 * `ECONNRESET` (also a body cut mid-answer), `ECONNREFUSED`, a timeout or a body that is not JSON —
 * never the message of a transport error (node-fetch's holds the request URL, and with it the token).
 */
function errnoOf(cause: unknown): string | undefined {
  for (let c = cause, depth = 0; c !== null && typeof c === 'object' && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const e = c as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (e.name === 'SyntaxError') return 'the answer was not JSON';
    if (e.name === 'AbortError') return 'aborted';
    if (typeof e.message === 'string' && /timed out after/.test(e.message)) return 'timed out';
  }
  return undefined;
}
