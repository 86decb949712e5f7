/**
 * Recent reply and quote tokens, by message id, in memory. A LINE reply token is single-use and
 * expires about a minute after the event; a reply through it is free, a push counts against the
 * monthly quota — so `reply` spends a fresh token when there is one and pushes otherwise. Bounded:
 * the oldest entries go first.
 */
import type { Clock } from '../../src/clock.js';

/** How long after receipt a reply token is still worth trying (LINE's limit is about 60 s; the call itself takes time). */
export const REPLY_TOKEN_FRESH_MS = 50_000;

interface Entry {
  replyToken?: string;
  quoteToken?: string;
  receivedAt: number;
}

/** The tokens of recently received messages. */
export class ReplyTokens {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #freshMs: number;

  constructor(clock: Clock, options: { maxEntries?: number; freshMs?: number } = {}) {
    this.#clock = clock;
    this.#maxEntries = options.maxEntries ?? 2_000;
    this.#freshMs = options.freshMs ?? REPLY_TOKEN_FRESH_MS;
  }

  /** Keep the tokens of message `messageId`, received now. */
  remember(messageId: string, tokens: { replyToken?: string; quoteToken?: string }): void {
    if (!tokens.replyToken && !tokens.quoteToken) return;
    this.#entries.delete(messageId);
    this.#entries.set(messageId, { ...tokens, receivedAt: this.#clock.now() });
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** The reply token of `messageId` if it is fresh and unused; it counts as used from now on. */
  takeReplyToken(messageId: string): string | undefined {
    const e = this.#entries.get(messageId);
    if (!e?.replyToken) return undefined;
    const token = e.replyToken;
    delete e.replyToken;
    return this.#clock.now() - e.receivedAt < this.#freshMs ? token : undefined;
  }

  /** The token that quotes `messageId` in a new message (it does not expire with the reply token). */
  quoteToken(messageId: string): string | undefined {
    return this.#entries.get(messageId)?.quoteToken;
  }
}
