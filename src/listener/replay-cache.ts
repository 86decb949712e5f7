/**
 * Delivery ids already handed to the connector, remembered for `ttlMs` (bounded): a replayed,
 * correctly signed request is answered 200 (the platform considers it delivered) and not handled twice.
 */
import type { Clock } from '../clock.js';
import { BoundedMap } from './bounded-map.js';

/** Defaults: ten minutes, 10,000 ids. */
export const REPLAY_TTL_MS = 10 * 60_000;
export const REPLAY_MAX_ENTRIES = 10_000;

/** A bounded LRU of delivery ids with a time-to-live. */
export class ReplayCache {
  private readonly seen: BoundedMap<string, number>;
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = REPLAY_TTL_MS,
    maxEntries = REPLAY_MAX_ENTRIES,
  ) {
    this.seen = new BoundedMap(maxEntries);
  }

  /** True when `id` was remembered less than `ttlMs` ago. */
  has(id: string): boolean {
    const at = this.seen.get(id);
    if (at === undefined) return false;
    if (this.clock.now() - at > this.ttlMs) {
      this.seen.delete(id);
      return false;
    }
    return true;
  }

  /** Remember `id` as delivered now. */
  remember(id: string): void {
    this.seen.set(id, this.clock.now());
  }

  get size(): number {
    return this.seen.size;
  }
}
