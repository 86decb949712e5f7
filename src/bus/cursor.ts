/**
 * A subscriber's durable position: a contiguous watermark (every seq at or below it is acked) plus the
 * few acks above it that arrived out of order. In-order acking — the common case — only moves the
 * watermark, so the `acks` table stays tiny and a reconnecting subscriber needs no scan of its history.
 */

/** What one ack changed, so the caller can write exactly that to the store. */
export interface AckEffect {
  /** The ack was new (false: already acked — acks are idempotent). */
  changed: boolean;
  /** The watermark moved; persist `cursor.watermark`. */
  watermarkMoved: boolean;
  /** Acks above the old watermark were absorbed into it; delete stored acks up to the watermark. */
  absorbed: boolean;
  /** The ack landed above the watermark; store it in the acks table. */
  storeAbove: boolean;
}

const NO_CHANGE: AckEffect = { changed: false, watermarkMoved: false, absorbed: false, storeAbove: false };

/** The in-memory mirror of one row of `subscribers` and its rows in `acks`. */
export class SubscriberCursor {
  readonly name: string;
  #watermark: number;
  readonly #above = new Set<number>();

  constructor(name: string, watermark: number, above: Iterable<number> = []) {
    this.name = name;
    this.#watermark = watermark;
    for (const seq of above) if (seq > watermark) this.#above.add(seq);
  }

  /** Take the state of `other` (the same subscriber reloaded from the store after a failed write). */
  restore(other: SubscriberCursor): void {
    this.#watermark = other.#watermark;
    this.#above.clear();
    for (const seq of other.#above) this.#above.add(seq);
  }

  /** Every seq at or below this is acked. */
  get watermark(): number {
    return this.#watermark;
  }

  /** How many acks are held above the watermark (out-of-order acks not yet absorbed). */
  get pendingAbove(): number {
    return this.#above.size;
  }

  /** True when `seq` was acked by this subscriber. */
  isAcked(seq: number): boolean {
    return seq <= this.#watermark || this.#above.has(seq);
  }

  /**
   * Record an ack of `seq`. The journal keeps seqs contiguous (no insert consumes a seq without a
   * row), so the watermark can advance one step at a time through the acked set.
   */
  ack(seq: number): AckEffect {
    if (this.isAcked(seq)) return NO_CHANGE;
    if (seq !== this.#watermark + 1) {
      this.#above.add(seq);
      return { changed: true, watermarkMoved: false, absorbed: false, storeAbove: true };
    }
    this.#watermark = seq;
    const absorbed = this.#absorb();
    return { changed: true, watermarkMoved: true, absorbed, storeAbove: false };
  }

  /**
   * Retention deleted every event up to `seq`: nothing there can be delivered any more, so the
   * watermark jumps past it (otherwise it would stall at the gap and acks above it would pile up).
   * Returns true when the watermark moved.
   */
  skipTo(seq: number): boolean {
    if (seq <= this.#watermark) return false;
    this.#watermark = seq;
    for (const s of this.#above) if (s <= seq) this.#above.delete(s);
    this.#absorb();
    return true;
  }

  #absorb(): boolean {
    let absorbed = false;
    while (this.#above.delete(this.#watermark + 1)) {
      this.#watermark += 1;
      absorbed = true;
    }
    return absorbed;
  }
}
