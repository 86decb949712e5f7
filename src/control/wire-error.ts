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
    case 'SB_E_TIMEOUT':
    case 'SB_E_CONNECTOR':
    case 'SB_E_CONNECTOR_FATAL':
    case 'SB_E_ABORTED':
      // The connector could not get the command through (no answer in time, a connection lost or stopped).
      return { code: 'SB_E_PLATFORM', message: err.message };
    case 'SB_E_BAD_REQUEST':
    case 'SB_E_UNKNOWN_CONNECTOR':
    case 'SB_E_UNSUPPORTED':
    case 'SB_E_RATE_LIMITED':
    case 'SB_E_PLATFORM':
      return { code: err.code, message: err.message, ...retry };
    default:
      // Anything else was not meant to reach an agent: the documented catch-all, the message kept.
      return { code: 'SB_E_INTERNAL', message: err.message };
  }
}

/** The wire error of a request line that failed validation (`id` is echoed when it could be read). */
export function badRequest(message: string): WireError {
  return { code: 'SB_E_BAD_REQUEST', message };
}
