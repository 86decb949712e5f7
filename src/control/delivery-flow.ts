/**
 * Flow control for the subscription on one control connection. A reader that stops reading (an agent
 * busy on a long task, `switchboard tail` suspended with Ctrl-Z) must not make the runtime queue every
 * retained event in the socket's write buffer: the subscription is paused while the socket's buffer is
 * full (until 'drain') and while `window` events are delivered but not yet acked on this connection.
 * Paused delivery resumes exactly where it stopped (see `Subscription.pause`).
 */
import type { Socket } from 'node:net';
import type { PausableSubscription } from '../bus/bus.js';
import type { InboundEvent } from '../bus/types.js';
import { writeLine } from './ndjson.js';

/** Default for `subscribe`'s `window`: events delivered to a connection and not yet acked on it. */
export const DEFAULT_ACK_WINDOW = 1000;

/** Upper bound for `subscribe`'s `window`. */
export const MAX_ACK_WINDOW = 100_000;

/** Delivers one connection's events and pauses/resumes its subscription (see the module comment). */
export class DeliveryFlow {
  readonly #socket: Socket;
  #subscription: PausableSubscription | undefined;
  #window = DEFAULT_ACK_WINDOW;
  /** Ids delivered on this connection and not yet acked on it; at most `window` (plus one). */
  readonly #unacked = new Set<string>();

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('drain', () => this.#update());
  }

  /** Flow-control `subscription` (replacing any earlier one on this connection) with an ack window of `window`. */
  attach(subscription: PausableSubscription, window = DEFAULT_ACK_WINDOW): void {
    this.#subscription = subscription;
    this.#window = window;
    this.#unacked.clear();
  }

  /** Write `event` as a line of request `id`; pause the subscription when the socket or the window is full. */
  deliver(id: number, event: InboundEvent): void {
    this.#unacked.add(event.id);
    writeLine(this.#socket, { id, event });
    this.#update();
  }

  /** The client acked `eventId` on this connection: it leaves the window. */
  acked(eventId: string): void {
    if (this.#unacked.delete(eventId)) this.#update();
  }

  /** Events delivered and not yet acked on this connection. */
  get unacked(): number {
    return this.#unacked.size;
  }

  #update(): void {
    const sub = this.#subscription;
    if (!sub) return;
    // writableNeedDrain: a write returned false (the buffer passed its high-water mark) and 'drain'
    // has not come yet — whichever line filled it, an event or an answer.
    const full = this.#socket.writableNeedDrain || this.#unacked.size >= this.#window;
    if (full) {
      if (!sub.paused) sub.pause();
    } else if (sub.paused) {
      sub.resume();
    }
  }
}
