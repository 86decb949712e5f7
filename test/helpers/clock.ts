/** A clock that moves only when a test says so (for expiries, windows, buckets). */
import type { Clock } from '../../src/clock.js';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** Starts at `start` (ms since the epoch) and moves by `advance(ms)`. */
export function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}
