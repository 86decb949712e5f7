import type { EventDraft, InboundEvent } from './types.js';

/** Result of appending to the journal. */
export type AppendResult =
  | { status: 'appended'; event: InboundEvent }
  | { status: 'duplicate'; dedupKey: string };

export interface SubscribeOptions {
  /**
   * Replay from the event of this id (inclusive), acked or not, instead of starting at the
   * subscriber's cursor. Events before it are not delivered; the stored cursor is not rewound.
   */
  from?: string;
}

/** A live subscription: events arrive in journal order; `close` stops delivery. */
export interface Subscription {
  readonly subscriber: string;
  close(): Promise<void>;
}

/**
 * A subscription with flow control for a slow reader: `pause` holds delivery and `resume` goes on
 * exactly where it stopped — nothing lost, skipped or repeated.
 */
export interface PausableSubscription extends Subscription {
  /** True while paused. */
  readonly paused: boolean;
  /** Deliver nothing more until `resume` (takes effect after the event being delivered, if any). */
  pause(): void;
  /** Go on from the event after the last one delivered. */
  resume(): void;
}

export interface BusStats {
  appended: number;
  duplicates: number;
  /** Events per connector appended in this process's lifetime. */
  perConnector: Record<string, { appended: number; duplicates: number; lastEventAt?: string }>;
  /** Events in the journal right now. */
  stored: number;
}

/**
 * The agent bus: a durable, deduplicating, ordered journal with per-subscriber cursors.
 * `append` resolves only once the event is durable, which is when a connector may ack the platform.
 */
export interface AgentBus {
  /** Journal the event (or refuse it as a duplicate). Durable when this returns. */
  append(draft: EventDraft): Promise<AppendResult>;
  /**
   * Deliver every event the subscriber has not acked (from its cursor, or `from`), then every new one,
   * in order. Un-acked events are delivered again to the next subscription under the same name.
   */
  subscribe(subscriber: string, onEvent: (event: InboundEvent) => void, options?: SubscribeOptions): Subscription;
  /** Durably mark `eventId` as handled by `subscriber`; it is never delivered to that name again. */
  ack(subscriber: string, eventId: string): Promise<void>;
  stats(): BusStats;
  /** Delete events past the retention limits; returns how many were removed. */
  prune(): number;
  close(): Promise<void>;
}

/** An {@link AgentBus} whose subscriptions can be paused (the SQLite journal); the control socket needs one. */
export interface PausableBus extends AgentBus {
  subscribe(subscriber: string, onEvent: (event: InboundEvent) => void, options?: SubscribeOptions): PausableSubscription;
}
