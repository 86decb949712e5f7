/**
 * The overall per-endpoint ceiling: a token bucket refilled at `perSecond` up to `burst`. A request
 * without a token is shed with 429 + Retry-After, however it would have fared.
 */
import type { Clock } from '../clock.js';

/** A classic token bucket on the injected clock. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Take one token: 0 when granted, else milliseconds until one is available. */
  take(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}
