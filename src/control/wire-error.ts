/**
 * The error line an agent API request gets: internal codes folded into the stable wire codes of
 * docs/agent-api.md, so an agent branches on a handful of codes whatever the connector.
 */
import { SbError, describeError } from '../errors.js';
import type { WireError } from './protocol.js';

/** Map any thrown value to the wire error (`SB_E_INTERNAL` for what was not raised on purpose). */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof SbError)) return { code: 'SB_E_INTERNAL', message: describeError(err) };
  const retry = err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {};
  switch (err.code) {
    case 'SB_E_PROTOCOL':
      return { code: 'SB_E_BAD_REQUEST', message: err.message };
    case 'SB_E_SEND':
      // A connector's send failure: the platform said "slow down" (with a wait), or refused it otherwise.
      return err.retryAfterMs !== undefined || err.fields.status === 429
        ? { code: 'SB_E_RATE_LIMITED', message: err.message, ...retry }
        : { code: 'SB_E_PLATFORM', message: err.message };
    default:
      return { code: err.code, message: err.message, ...retry };
  }
}

/** The wire error of a request line that failed validation (`id` is echoed when it could be read). */
export function badRequest(message: string): WireError {
  return { code: 'SB_E_BAD_REQUEST', message };
}
