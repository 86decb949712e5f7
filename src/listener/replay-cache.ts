/**
 * Delivery ids already handed to the connector, remembered for `ttlMs` (bounded): a replayed,
 * correctly signed request is answered 200 (the platform considers it delivered) and not handled twice.
 * An id being handled right now is reserved, so a concurrent copy waits for the first one's outcome
 * instead of reaching the handler too.
 */
import type { Clock } from '../clock.js';
import { BoundedMap } from './bounded-map.js';

/** Defaults: ten minutes, 10,000 ids. */
export const REPLAY_TTL_MS = 10 * 60_000;
export const REPLAY_MAX_ENTRIES = 10_000;

/** A bounded LRU of delivery ids with a time-to-live, plus the ids in flight. */
export class ReplayCache {
  private readonly seen: BoundedMap<string, number>;
  /** Ids reserved by a request now in the handler; bounded by the requests in flight. */
  private readonly inFlight = new Map<string, { done: Promise<void>; resolve: () => void }>();
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

  /** Settles when the request holding `id` finishes; undefined when none does. */
  pending(id: string): Promise<void> | undefined {
    return this.inFlight.get(id)?.done;
  }

  /** Hold `id` while one request handles it; returns false when another already holds it. */
  reserve(id: string): boolean {
    if (this.inFlight.has(id)) return false;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.inFlight.set(id, { done, resolve });
    return true;
  }

  /** The holder of `id` is done: remember it when `delivered`, and wake any copy waiting on it. */
  settle(id: string, delivered: boolean): void {
    if (delivered) this.remember(id);
    const entry = this.inFlight.get(id);
    this.inFlight.delete(id);
    entry?.resolve();
  }

  get size(): number {
    return this.seen.size;
  }

  /** Ids reserved right now. */
  get inFlightSize(): number {
    return this.inFlight.size;
  }
}
