/**
 * Stage 6b: a verified request whose delivery id was already handled is answered 200 — the platform
 * is right that it was delivered — and not handed to the connector again (counted as `replay`).
 * Ids are remembered only once `handle` answered 2xx, so a platform retry after a 500 gets through.
 */
import type { Exchange, Rejection, SyncStage } from './exchange.js';
import type { ReplayCache } from './replay-cache.js';

/** The replay stage over `cache`. */
export function replayGuard(cache: ReplayCache): SyncStage {
  return function replayGuard(ex: Exchange): Rejection | undefined {
    if (ex.deliveryId !== undefined && cache.has(ex.deliveryId)) return { status: 200, reason: 'replay', body: '{}' };
    return undefined;
  };
}
