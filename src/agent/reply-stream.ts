/**
 * The agent's output, streamed into the chat: the first piece as a message, later pieces as edits of
 * it (at most one edit per interval, coalescing what came in between), continuing in a new message
 * when the text outgrows the platform's limit. Where the platform cannot edit, each page is sent once
 * it is complete, and the last one at the end.
 */
import type { OutboundCommand, SendResult } from '../bus/types.js';
import { splitText } from '../text/split.js';

export interface ReplyStreamOptions {
  send(cmd: OutboundCommand): Promise<SendResult>;
  connector: string;
  conversation: string;
  thread?: string;
  correlationId?: string;
  /** The first page answers this message, where the platform shows replies. */
  replyTo?: string;
  textLimit: number;
  canEdit: boolean;
  editIntervalMs: number;
  now(): number;
  /** A send or edit failed; the stream goes on (the log gets it). */
  onError(err: unknown): void;
}

interface Page {
  messageId: string;
  text: string;
}

/** Streams text into a conversation; `append` as output arrives, `finish` once it ends. */
export class ReplyStream {
  readonly #o: ReplyStreamOptions;
  #text = '';
  readonly #pages: Page[] = [];
  #lastFlush = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: ReplyStreamOptions) {
    this.#o = options;
  }

  /** True once any text was streamed. */
  get hasText(): boolean {
    return this.#text.trim() !== '';
  }

  /** Add output; shown now, or at the next allowed edit. */
  append(text: string): void {
    if (!text) return;
    this.#text += text;
    if (this.#timer) return;
    const wait = this.#lastFlush + this.#o.editIntervalMs - this.#o.now();
    if (wait <= 0) void this.#queueFlush(false);
    else this.#timer = setTimeout(() => void this.#queueFlush(false), wait);
  }

  /** Show everything that is left; resolves once the last send or edit has been answered. */
  finish(): Promise<void> {
    return this.#queueFlush(true);
  }

  #queueFlush(final: boolean): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#flush(final));
    return this.#flushing;
  }

  async #flush(final: boolean): Promise<void> {
    this.#lastFlush = this.#o.now();
    const text = this.#text.trim();
    if (!text) return;
    const pages = splitText(text, this.#o.textLimit);
    // Without edits a page is sent once, so only pages that can no longer change go before the end.
    const ready = this.#o.canEdit || final ? pages.length : pages.length - 1;
    for (let i = 0; i < ready; i++) {
      const want = pages[i]!;
      const have = this.#pages[i];
      try {
        if (!have) {
          const result = await this.#o.send(this.#command(want, i === 0));
          this.#pages.push({ messageId: result.messageIds[0] ?? '', text: want });
        } else if (have.text !== want && this.#o.canEdit && have.messageId) {
          await this.#o.send({ ...this.#base(), type: 'edit', messageId: have.messageId, text: want });
          have.text = want;
        }
      } catch (err) {
        this.#o.onError(err);
        return; // the next flush tries again from here
      }
    }
  }

  #base() {
    const { connector, conversation, thread, correlationId } = this.#o;
    return { connector, conversation, ...(thread ? { thread } : {}), ...(correlationId ? { correlationId } : {}) };
  }

  #command(text: string, first: boolean): OutboundCommand {
    return first && this.#o.replyTo ? { ...this.#base(), type: 'reply', replyTo: this.#o.replyTo, text } : { ...this.#base(), type: 'send', text };
  }
}
