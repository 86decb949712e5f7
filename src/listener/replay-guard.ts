/**
 * Stage 6b: a verified request whose delivery id was already handled is answered 200 — the platform
 * is right that it was delivered — and not handed to the connector again (counted as `replay`).
 * The first request with an id reserves it until the pipeline settles it; a concurrent copy waits
 * for that outcome: delivered → `replay`; failed (a 500, a later stage's refusal) → it takes its turn,
 * so a platform retry after a failure still gets through.
 */
import type { Exchange, Rejection, Stage } from './exchange.js';
import type { ReplayCache } from './replay-cache.js';

/** The replay stage over `cache`; sets `ex.replayHeld` when this request holds the id. Waits only when a copy is in flight. */
export function replayGuard(cache: ReplayCache): Stage {
  function attempt(ex: Exchange, id: string): Rejection | undefined | Promise<Rejection | undefined> {
    if (cache.has(id)) return { status: 200, reason: 'replay', body: '{}' };
    if (cache.reserve(id)) {
      ex.replayHeld = true;
      return undefined;
    }
    return cache.pending(id)!.then(() => attempt(ex, id));
  }
  return function replayGuard(ex: Exchange) {
    return ex.deliveryId === undefined ? undefined : attempt(ex, ex.deliveryId);
  };
}
