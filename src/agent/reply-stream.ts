/**
 * The agent's output, streamed into the chat: the first piece as a message, later pieces as edits of
 * it (at most one edit per interval, coalescing what came in between), continuing in a new message
 * when the text outgrows the platform's limit or the message has used the edits the platform allows.
 * Where the platform cannot edit, each page is sent once it is complete, and the last one at the end.
 * A final edit the platform refuses does not lose the end of the answer: it is sent as a new message.
 * A failed send or edit is tried again (mid-stream after a backoff, at the end until a budget is spent);
 * `finish` says whether the chat shows the whole answer.
 */
import type { OutboundCommand, SendResult } from '../bus/types.js';
import { Backoff } from '../supervisor/backoff.js';
import { splitText } from '../text/split.js';
import { deliverWithRetries, type DeliveryRetry } from './deliver.js';

export interface ReplyStreamOptions {
  send(cmd: OutboundCommand): Promise<SendResult>;
  connector: string;
  conversation: string;
  thread?: string;
  correlationId?: string;
  /** The first message answers this one, where the platform shows replies. */
  replyTo?: string;
  textLimit: number;
  canEdit: boolean;
  /** Least time between two flushes (edits, or continuation messages). */
  editIntervalMs: number;
  /** Most edits one message may take; past them the answer continues in a new message. Default: no cap. */
  maxEditsPerMessage?: number;
  now(): number;
  /** A send or edit failed; the stream goes on (the log gets it). */
  onError(err: unknown): void;
  /** How the end of the answer is retried (default: 2 min in all); its backoff also paces mid-stream retries. */
  retry?: DeliveryRetry;
}

/** How `finish` ended. */
export interface ReplyDelivery {
  /** The chat shows the whole answer. */
  delivered: boolean;
  /** The end of the answer the chat does not show ('' once delivered). */
  undelivered: string;
}

/** A send or edit that failed. */
interface Failed {
  err: unknown;
}

/** The message being written to: what it shows, and how many edits it has had. */
interface OpenMessage {
  messageId: string;
  text: string;
  edits: number;
}

/** Streams text into a conversation; `append` as output arrives, `finish` once it ends. */
export class ReplyStream {
  readonly #o: ReplyStreamOptions;
  #text = '';
  /** Offset in `#text` up to which closed messages (no longer edited) hold the text. */
  #done = 0;
  #open: OpenMessage | undefined;
  #messages = 0;
  #lastFlush = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<unknown> = Promise.resolve();
  #finishing = false;
  /** Paces mid-stream retries of a failed send or edit; reset by a flush that went through. */
  readonly #backoff: Backoff;

  constructor(options: ReplyStreamOptions) {
    this.#o = options;
    this.#backoff = new Backoff({ initialMs: 1_000, maxMs: 15_000, ...options.retry?.backoff });
  }

  /** The whole answer so far. */
  get text(): string {
    return this.#text.trim();
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
    if (wait <= 0) this.#queueFlush();
    else this.#timer = setTimeout(() => this.#queueFlush(), wait);
  }

  /**
   * Show everything that is left, retrying failed sends and edits with backoff until they go through
   * or the retry budget is spent (or its signal aborts). Never rejects.
   */
  async finish(): Promise<ReplyDelivery> {
    this.#finishing = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const attempt = async () => {
      let failed: Failed | undefined;
      try {
        failed = await this.#flush(true);
      } catch (err) {
        this.#o.onError(err); // not a send or edit (those are reported as they fail): a bug, still retried
        throw err;
      }
      if (failed) throw failed.err;
    };
    const done = this.#flushing.then(() => deliverWithRetries(attempt, this.#o.retry));
    this.#flushing = done;
    const delivered = await done;
    return { delivered, undelivered: delivered ? '' : this.#unshown() };
  }

  /** A mid-stream flush; a failed one is tried again after a backoff (or with the next output). */
  #queueFlush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing
      .then(() => this.#flush(false))
      .then((failed) => {
        if (!failed) return this.#backoff.reset();
        if (this.#finishing || this.#timer) return;
        const retryAfter = (failed.err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
        const delay = this.#backoff.next(typeof retryAfter === 'number' ? retryAfter : undefined);
        this.#timer = setTimeout(() => this.#queueFlush(), Math.max(delay, this.#o.editIntervalMs));
      })
      .catch((err: unknown) => this.#o.onError(err));
  }

  /** The text after what the chat shows. */
  #unshown(): string {
    const rest = this.#text.slice(this.#done).trim();
    const shown = this.#open?.text ?? '';
    return rest.startsWith(shown) ? rest.slice(shown.length).trim() : rest;
  }

  /** Show what it can; resolves with the failure that stopped it, if one did. */
  async #flush(final: boolean): Promise<Failed | undefined> {
    this.#lastFlush = this.#o.now();
    for (;;) {
      const region = this.#text.slice(this.#done);
      const body = region.trimStart();
      const lead = region.length - body.length;
      const text = body.trimEnd();
      if (!text) return;
      const pages = splitText(text, this.#o.textLimit);
      const want = pages[0]!;
      // A first page followed by another can no longer change (the cut lies in text already there).
      const complete = pages.length > 1;
      const open = this.#open;
      if (!open) {
        // Without edits a message is sent once, so it waits until it can no longer change.
        if (!this.#o.canEdit && !complete && !final) return;
        try {
          const result = await this.#o.send(this.#command(want));
          this.#open = { messageId: result.messageIds[0] ?? '', text: want, edits: 0 };
          this.#messages++;
        } catch (err) {
          this.#o.onError(err);
          return { err }; // the next flush tries again from here
        }
      } else if (open.text !== want) {
        if (!this.#canEditMore(open)) {
          // Its edits are spent (or it cannot be edited): it keeps what it shows; the rest goes on in a new message.
          this.#close(lead, open.text);
          continue;
        }
        try {
          await this.#o.send({ ...this.#base(), type: 'edit', messageId: open.messageId, text: want });
          open.text = want;
          open.edits++;
        } catch (err) {
          this.#o.onError(err);
          if (!final) return { err }; // the next flush tries again
          this.#close(lead, open.text); // at the end: send what the edit would have added as a new message
          continue;
        }
      }
      if (!complete) return;
      this.#close(lead, want);
    }
  }

  #canEditMore(open: OpenMessage): boolean {
    const max = this.#o.maxEditsPerMessage;
    return this.#o.canEdit && open.messageId !== '' && (max === undefined || open.edits < max);
  }

  /** The open message is done, holding `shown` (a prefix of the text after `lead` blanks). */
  #close(lead: number, shown: string): void {
    this.#done += lead + shown.length;
    this.#open = undefined;
  }

  #base() {
    const { connector, conversation, thread, correlationId } = this.#o;
    return { connector, conversation, ...(thread ? { thread } : {}), ...(correlationId ? { correlationId } : {}) };
  }

  #command(text: string): OutboundCommand {
    return this.#messages === 0 && this.#o.replyTo ? { ...this.#base(), type: 'reply', replyTo: this.#o.replyTo, text } : { ...this.#base(), type: 'send', text };
  }
}
