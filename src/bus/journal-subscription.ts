/**
 * One live subscription to the journal. It first replays, page by page from the database, every
 * retained event at or after its start that its subscriber has not acked; once it has caught up with
 * the journal head it takes new events straight from memory as they are committed.
 */
import type { PausableSubscription } from './bus.js';
import type { SubscriberCursor } from './cursor.js';
import { formatEventId } from './event-id.js';
import type { EventRow } from './journal-store.js';
import type { InboundEvent } from './types.js';

/** Why a subscription stopped: its own `close()`, a newer subscription under the same name, or the journal closing. */
export type SubscriptionCloseReason = 'closed' | 'takeover' | 'journal-closed';

/** What a subscription needs from the journal. */
export interface DeliverySource {
  /** The highest committed seq. */
  head(): number;
  /** Up to `limit` stored events with seq >= `fromSeq`, in order. */
  read(fromSeq: number, limit: number): EventRow[];
  /** Report a subscriber callback that threw; delivery goes on with the next event. */
  deliveryError(err: unknown, subscriber: string, event: InboundEvent): void;
}

/** An event freshly committed by the journal, with its seq so no id has to be parsed back. */
export interface CommittedEvent {
  seq: number;
  event: InboundEvent;
}

/** Replay page size: large enough to amortize the query, small enough not to stall appends. */
const PAGE = 256;

/** A live subscription (see the module comment). Created by the journal, never directly. */
export class JournalSubscription implements PausableSubscription {
  readonly subscriber: string;
  readonly #cursor: SubscriberCursor;
  readonly #source: DeliverySource;
  readonly #onEvent: (event: InboundEvent) => void;
  readonly #onClose: ((reason: SubscriptionCloseReason) => void) | undefined;
  readonly #detach: (sub: JournalSubscription) => void;
  /** The next seq this subscription may deliver; only ever grows, so nothing is delivered twice. */
  #nextSeq: number;
  /** Deliver acked events too (an explicit replay from an id). */
  readonly #replayAcked: boolean;
  #caughtUp = false;
  #closed = false;
  #paused = false;
  /** A replay page is scheduled on a later turn (at most one at a time). */
  #scheduled = false;

  constructor(init: {
    cursor: SubscriberCursor;
    source: DeliverySource;
    startSeq: number;
    replayAcked?: boolean;
    onEvent: (event: InboundEvent) => void;
    onClose: ((reason: SubscriptionCloseReason) => void) | undefined;
    detach: (sub: JournalSubscription) => void;
  }) {
    this.subscriber = init.cursor.name;
    this.#cursor = init.cursor;
    this.#source = init.source;
    this.#onEvent = init.onEvent;
    this.#onClose = init.onClose;
    this.#detach = init.detach;
    this.#nextSeq = init.startSeq;
    this.#replayAcked = init.replayAcked ?? false;
  }

  /** True once closed, for any reason. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True while paused (see {@link pause}). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Begin the replay on a later turn, so no event arrives before `subscribe` has returned. */
  start(): void {
    this.#schedule();
  }

  /**
   * Stop delivering after the current event (callable from inside `onEvent`). Events committed while
   * paused stay in the database only; nothing queues in memory for this subscription.
   */
  pause(): void {
    if (this.#closed) return;
    this.#paused = true;
    // Live batches are ignored until resume; the replay from the database takes over from #nextSeq.
    this.#caughtUp = false;
  }

  /** Go on delivering from the event after the last one delivered, on a later turn. */
  resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.#schedule();
  }

  /** Stop delivery. Events delivered but not acked go to the next subscription under this name. */
  close(): Promise<void> {
    this.end('closed');
    return Promise.resolve();
  }

  /** Stop delivery for `reason`; idempotent. */
  end(reason: SubscriptionCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach(this);
    this.#onClose?.(reason);
  }

  /** Hand over events the journal just committed; ignored until the replay has caught up. */
  deliverLive(events: readonly CommittedEvent[]): void {
    if (!this.#caughtUp) return;
    for (const { seq, event } of events) {
      // Paused (or closed) by the previous delivery: the rest is committed, the replay finds it.
      if (this.#closed || !this.#caughtUp) return;
      if (seq < this.#nextSeq) continue;
      this.#nextSeq = seq + 1;
      if (!this.#cursor.isAcked(seq)) this.#deliver(event);
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#closed || this.#paused) return;
    const rows = this.#source.read(this.#nextSeq, PAGE);
    for (const row of rows) {
      // Stop before taking the next row: #nextSeq already points at it, so resume starts there.
      if (this.#closed || this.#paused) return;
      this.#nextSeq = row.seq + 1;
      if (!this.#replayAcked && this.#cursor.isAcked(row.seq)) continue;
      // The stored id is a placeholder (it was written before the seq existed); the seq is the truth.
      const event = JSON.parse(row.body) as InboundEvent;
      event.id = formatEventId(row.seq);
      this.#deliver(event);
    }
    if (this.#closed || this.#paused) return;
    // Commits happen on their own turns, never during this synchronous loop, so the head cannot
    // have moved underneath: a short page means everything stored up to the head has been seen
    // (retention may have left gaps), and every later event reaches us through deliverLive.
    const head = this.#source.head();
    if (rows.length < PAGE || this.#nextSeq > head) {
      this.#nextSeq = Math.max(this.#nextSeq, head + 1);
      this.#caughtUp = true;
      return;
    }
    // Yield between pages so appends keep committing while a long backlog replays.
    this.#schedule();
  }

  #deliver(event: InboundEvent): void {
    try {
      this.#onEvent(event);
    } catch (err) {
      this.#source.deliveryError(err, this.subscriber, event);
    }
  }
}
