/**
 * A per-sender inbound rate limit: a token bucket per sender (`perMinute` tokens, refilled evenly), so a
 * burst up to the limit passes and a steady flood is cut to the limit. The first refusal earns the
 * sender one polite notice; further refusals are silent until a minute has passed since that notice.
 * Memory is bounded: at most `maxSenders` buckets, the least recently seen dropped first (a dropped
 * sender simply starts again with a full bucket).
 */
import type { Clock } from '../clock.js';

const MINUTE_MS = 60_000;

/** What to do with one event: let it through, refuse it with a notice, or refuse it silently. */
export type RateVerdict = 'pass' | 'notice' | 'silent';

interface Bucket {
  tokens: number;
  at: number;
  noticedAt?: number;
}

/** Per-sender token buckets. */
export class SenderRateLimiter {
  readonly #perMinute: number;
  readonly #clock: Clock;
  readonly #maxSenders: number;
  readonly #buckets = new Map<string, Bucket>();

  /** `perMinute` 0 turns the limit off. */
  constructor(perMinute: number, clock: Clock, options: { maxSenders?: number } = {}) {
    this.#perMinute = perMinute;
    this.#clock = clock;
    this.#maxSenders = options.maxSenders ?? 10_000;
  }

  /** Senders currently tracked (for tests of the memory bound). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Take one token for `sender`. */
  take(sender: string): RateVerdict {
    if (this.#perMinute <= 0) return 'pass';
    const now = this.#clock.now();
    const bucket = this.#buckets.get(sender) ?? { tokens: this.#perMinute, at: now };
    // Re-inserted on every touch: Map order is then least-recently-seen first.
    this.#buckets.delete(sender);
    this.#buckets.set(sender, bucket);
    if (this.#buckets.size > this.#maxSenders) this.#buckets.delete(this.#buckets.keys().next().value!);
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + ((now - bucket.at) * this.#perMinute) / MINUTE_MS);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'pass';
    }
    if (bucket.noticedAt !== undefined && now - bucket.noticedAt < MINUTE_MS) return 'silent';
    bucket.noticedAt = now;
    return 'notice';
  }
}
