/**
 * The per-IP fail-ban: a source with more than `threshold` failed verifications inside `windowMs`
 * is refused for `banMs` — checked before any body reading or HMAC work. Only failures are tracked,
 * so verified traffic is never throttled per IP.
 */
import type { Clock } from '../clock.js';
import { BoundedMap } from './bounded-map.js';
import type { ListenerLimits } from './types.js';

interface Entry {
  windowStart: number;
  failures: number;
  bannedUntil: number;
}

/** At most this many source IPs are tracked; the least recently failing is forgotten first. */
export const FAIL_BAN_MAX_ENTRIES = 10_000;

/** Counts failures per source IP and answers whether one is banned. */
export class FailBan {
  private readonly entries: BoundedMap<string, Entry>;
  constructor(
    private readonly limits: ListenerLimits['failBan'],
    private readonly clock: Clock,
    maxEntries = FAIL_BAN_MAX_ENTRIES,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  /** Milliseconds left on `ip`'s ban, or 0 when it may proceed. */
  bannedFor(ip: string): number {
    const entry = this.entries.get(ip);
    if (!entry) return 0;
    const left = entry.bannedUntil - this.clock.now();
    return left > 0 ? left : 0;
  }

  /** Record one failed verification from `ip`; returns true when this failure starts a ban. */
  fail(ip: string): boolean {
    const now = this.clock.now();
    let entry = this.entries.get(ip);
    if (!entry || now - entry.windowStart > this.limits.windowMs) {
      entry = { windowStart: now, failures: 0, bannedUntil: entry?.bannedUntil ?? 0 };
    }
    entry.failures++;
    let started = false;
    if (entry.failures > this.limits.threshold && entry.bannedUntil <= now) {
      entry.bannedUntil = now + this.limits.banMs;
      started = true;
    }
    this.entries.set(ip, entry);
    return started;
  }

  /** How many source IPs are tracked. */
  get size(): number {
    return this.entries.size;
  }
}
