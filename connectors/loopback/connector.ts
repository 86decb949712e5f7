/**
 * The loopback connector: dials out to a loopback platform server over TCP, authenticates with its
 * token, journals each event before acking it, reconnects with backoff after a drop.
 */
import { createConnection, type Socket } from 'node:net';
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError, SbError, describeError } from '../../src/errors.js';
import { readLines, writeLine } from '../../src/control/ndjson.js';
import { Backoff, isAbort, withRetries } from '../../src/supervisor/backoff.js';
import { splitText } from '../../src/text/split.js';
import type { Secret } from '../../src/config/secret.js';
import { splitHostPort } from '../../src/net/host-port.js';
import { normalizeUpdate } from './normalize.js';
import { parseServerFrame, type ParsedFrame } from './frames.js';
import type { ClientFrame, ServerFrame } from './wire.js';
import { LOOPBACK_TEXT_LIMIT } from './wire.js';

export interface LoopbackConnectorConfig {
  endpoint: string;
  token: Secret;
  /** How long one call waits for its `result` before failing with SB_E_TIMEOUT. Default 30 s (not in the YAML; tests shorten it). */
  callTimeoutMs?: number;
}

/** Default wait for a call's `result`: past it the call fails instead of hanging the agent's reply. */
export const LOOPBACK_CALL_TIMEOUT_MS = 30_000;

type Pending = { resolve: (id: string | undefined) => void; reject: (err: Error) => void };

/** A failed call that must not be sent again: the server may already have carried it out. */
const notRetryable = (err: unknown): boolean => err instanceof SbError && err.fields.retryable === false;

export class LoopbackConnector implements Connector {
  readonly name: string;
  readonly platform = 'loopback';
  readonly transport = 'outbound-socket' as const;
  readonly #config: LoopbackConnectorConfig;
  readonly #deps: ConnectorDeps;
  #socket: Socket | undefined;
  #ctx: ConnectorContext | undefined;
  #signal: AbortSignal | undefined;
  #req = 0;
  readonly #pending = new Map<number, Pending>();
  /** Events are journaled strictly in arrival order, one after another. */
  #chain: Promise<void> = Promise.resolve();

  constructor(config: LoopbackConnectorConfig, deps: ConnectorDeps) {
    this.name = deps.name;
    this.#config = config;
    this.#deps = deps;
  }

  listeners(): ListenerInfo[] {
    return [];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    this.#ctx = ctx;
    this.#signal = signal;
    this.#deps.state.set('connecting');
    await this.#connect(signal);
    this.#deps.state.set('online');
  }

  /** Open a socket and complete the handshake; rejects fatally on a bad token. */
  #connect(signal: AbortSignal): Promise<void> {
    const { host, port } = splitHostPort(this.#config.endpoint);
    return new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host, port });
      let ready = false;
      const onAbort = () => socket.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('error', (err) => {
        if (!ready) reject(new RetryableConnectorError(`cannot reach loopback server at ${this.#config.endpoint}: ${err.message}`, { cause: err }));
      });
      socket.on('close', () => {
        signal.removeEventListener('abort', onAbort);
        if (!ready) return reject(new RetryableConnectorError('connection closed during handshake'));
        if (this.#socket === socket) this.#onDropped();
      });
      socket.on('connect', () => writeLine(socket, { op: 'hello', token: this.#config.token.reveal() } satisfies ClientFrame));
      readLines(socket, (line) => {
        const parsed = parseServerFrame(line);
        if (!parsed.ok) {
          if (!ready) {
            socket.destroy();
            reject(new RetryableConnectorError(`the loopback server sent a malformed handshake frame (${parsed.reason}); reconnecting`));
            return;
          }
          this.#onBadFrame(socket, parsed);
          return;
        }
        const frame = parsed.frame;
        if (!ready) {
          if (frame.op === 'ready') {
            ready = true;
            this.#socket = socket;
            resolve();
          } else if (frame.op === 'error' && frame.code === 'unauthorized') {
            reject(new FatalConnectorError('the loopback server rejected the token (unauthorized); check `token`'));
          } else {
            reject(new RetryableConnectorError(`unexpected handshake frame ${frame.op}`));
          }
          return;
        }
        try {
          this.#onFrame(socket, frame);
        } catch (err) {
          // A frame that passed the checks and still throws must not end the runtime: count it, skip it.
          this.#deps.log.error({ reason: describeError(err) }, 'could not handle a frame from the loopback server; skipped');
          this.#ctx?.reject('frame-error');
        }
      });
    });
  }

  /**
   * A line that is not a well-formed frame: logged (reason and field paths, never its content),
   * counted, and skipped, so the events around it keep flowing on the same connection. A malformed
   * event is acked in turn: it can never be journaled, and unacked it would come back on every reconnect.
   */
  #onBadFrame(socket: Socket, bad: Exclude<ParsedFrame, { ok: true }>): void {
    this.#deps.log.warn(
      { reason: bad.reason, ...(bad.fields ? { fields: bad.fields } : {}), ...(bad.seq !== undefined ? { seq: bad.seq } : {}) },
      'the loopback server sent a frame that is not valid; counted as rejected and skipped',
    );
    this.#ctx?.reject(bad.reason);
    if (bad.req !== undefined) {
      const fields = bad.fields?.join(', ') ?? '(frame)';
      this.#settle(bad.req)?.reject(
        new SbError('SB_E_SEND', `the loopback server answered call ${bad.req} with a malformed result (wrong: ${fields}); protocol error, not retried since it may have been carried out`, {
          fields: { req: bad.req, wrong: bad.fields ?? [], retryable: false },
        }),
      );
    }
    const seq = bad.seq;
    if (seq !== undefined) this.#chain = this.#chain.then(() => void writeLine(socket, { op: 'ack', seq } satisfies ClientFrame));
  }

  #onFrame(socket: Socket, frame: ServerFrame): void {
    if (frame.op === 'event') {
      const ctx = this.#ctx!;
      const draft = normalizeUpdate(this.name, frame.update);
      this.#chain = this.#chain.then(async () => {
        try {
          await ctx.ingest(draft);
          // Journaled (or a known duplicate): only now may the platform forget it.
          writeLine(socket, { op: 'ack', seq: frame.seq } satisfies ClientFrame);
        } catch (err) {
          // Not journaled: do not ack; a fresh connection makes the platform redeliver it.
          this.#deps.log.error({ err }, 'could not journal an event; reconnecting so it is redelivered');
          socket.destroy();
        }
      });
    } else if (frame.op === 'result') {
      const pending = this.#settle(frame.req);
      if (!pending) return;
      if (frame.ok) pending.resolve(frame.message_id);
      else {
        const retryAfterMs = frame.retry_after !== undefined ? frame.retry_after * 1000 : undefined;
        pending.reject(new RetryableConnectorError(`loopback server refused the call: ${frame.code}`, retryAfterMs !== undefined ? { retryAfterMs } : {}));
      }
    }
  }

  /** The connection dropped while online: reconnect with backoff (the platform redelivers un-acked events). */
  #onDropped(): void {
    this.#socket = undefined;
    this.#failPending(new RetryableConnectorError('connection dropped'));
    const signal = this.#signal;
    const ctx = this.#ctx;
    if (!signal || signal.aborted || !ctx) return;
    this.#deps.state.set('reconnecting', 'connection dropped');
    withRetries(() => this.#connect(signal), {
      signal,
      backoff: new Backoff({ initialMs: 100, maxMs: 10_000 }),
      isFatal: (err) => err instanceof FatalConnectorError,
      onRetry: (err, delay) => this.#deps.log.warn({ delay, reason: describeError(err) }, 'reconnect failed; retrying'),
    }).then(
      () => this.#deps.state.set('online'),
      (err) => {
        if (!isAbort(err)) ctx.fail(err);
      },
    );
  }

  async stop(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    // The close handler only fails calls on a drop while online; a stop must not leave any waiting.
    this.#failPending(new SbError('SB_E_SEND', `connector ${this.name} stopped before the loopback server answered`, { fields: { retryable: false } }));
    await this.#chain;
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  async send(cmd: OutboundCommand): Promise<SendResult> {
    const frames: ((req: number) => ClientFrame)[] = [];
    switch (cmd.type) {
      case 'send':
      case 'reply':
        for (const chunk of splitText(cmd.text, LOOPBACK_TEXT_LIMIT)) {
          frames.push((req) => ({ op: 'send', req, chat: cmd.conversation, text: chunk, ...(cmd.type === 'reply' ? { reply_to: cmd.replyTo } : {}), ...(cmd.thread ? { thread: cmd.thread } : {}) }));
        }
        break;
      case 'buttons':
        frames.push((req) => ({ op: 'send', req, chat: cmd.conversation, text: cmd.text, buttons: cmd.buttons.map(({ id, label, value }) => ({ id, label, ...(value !== undefined ? { value } : {}) })) }));
        break;
      case 'edit':
        frames.push((req) => ({ op: 'edit', req, chat: cmd.conversation, message_id: cmd.messageId, text: cmd.text.slice(0, LOOPBACK_TEXT_LIMIT) }));
        break;
      case 'react':
        frames.push((req) => ({ op: 'react', req, chat: cmd.conversation, message_id: cmd.messageId, emoji: cmd.emoji }));
        break;
      case 'typing':
        frames.push((req) => ({ op: 'typing', req, chat: cmd.conversation }));
        break;
    }
    const messageIds: string[] = [];
    for (const frame of frames) {
      const id = await withRetries(() => this.#call(frame), {
        signal: this.#signal ?? new AbortController().signal,
        backoff: new Backoff({ initialMs: 200, maxMs: 5000 }),
        maxAttempts: 4,
        isFatal: notRetryable,
      });
      if (id) messageIds.push(id);
    }
    return { messageIds };
  }

  #call(frame: (req: number) => ClientFrame): Promise<string | undefined> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(new SbError('SB_E_SEND', `connector ${this.name} is not connected; try again when it is online`));
    const req = ++this.#req;
    const timeoutMs = this.#config.callTimeoutMs ?? LOOPBACK_CALL_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      // A lost or unreadable reply must not hang the send (and the conversation's queue) forever.
      const timer = setTimeout(() => {
        this.#settle(req)?.reject(
          new SbError('SB_E_TIMEOUT', `the loopback server did not answer call ${req} within ${timeoutMs} ms; it may or may not have been carried out`, {
            fields: { req, retryable: false },
          }),
        );
      }, timeoutMs);
      timer.unref();
      const done = () => clearTimeout(timer);
      this.#pending.set(req, { resolve: (id) => (done(), resolve(id)), reject: (err) => (done(), reject(err)) });
      writeLine(socket, frame(req));
    });
  }

  /** Take the call waiting for `req` out of the pending table (undefined when none waits). */
  #settle(req: number): Pending | undefined {
    const pending = this.#pending.get(req);
    this.#pending.delete(req);
    return pending;
  }

  /** Fail every call still waiting for its result. */
  #failPending(err: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(err);
  }
}


