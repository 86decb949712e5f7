/**
 * The agent's output, streamed into the chat: the first piece as a message, later pieces as edits of
 * it (at most one edit per interval, coalescing what came in between), continuing in a new message
 * when the text outgrows the platform's limit or the message has used the edits the platform allows.
 * Where the platform cannot edit, each page is sent once it is complete, and the last one at the end.
 * A final edit the platform refuses does not lose the end of the answer: it is sent as a new message.
 */
import type { OutboundCommand, SendResult } from '../bus/types.js';
import { splitText } from '../text/split.js';

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

  /** Show everything that is left; resolves once the last send or edit has been answered. Never rejects. */
  finish(): Promise<void> {
    return this.#queueFlush(true);
  }

  #queueFlush(final: boolean): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#flush(final)).catch((err: unknown) => this.#o.onError(err));
    return this.#flushing;
  }

  async #flush(final: boolean): Promise<void> {
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
          return; // the next flush tries again from here
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
          if (!final) return; // the next flush tries again
          this.#close(lead, open.text); // the last chance: send what the edit would have added
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
