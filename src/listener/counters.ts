/** The per-listener counters: accepted, rejected, and rejected by reason. */
import type { ListenerCounters } from './types.js';

/** Mutable counters with a snapshot accessor. */
export class Counters {
  private accepted = 0;
  private rejected = 0;
  private readonly byReason = new Map<string, number>();

  accept(): void {
    this.accepted++;
  }

  reject(reason: string): void {
    this.rejected++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  /** A copy, safe to hand out. */
  snapshot(): ListenerCounters {
    return { accepted: this.accepted, rejected: this.rejected, rejectedBy: Object.fromEntries(this.byReason) };
  }
}
