/**
 * A local server speaking the loopback wire protocol on 127.0.0.1, port 0 — the "platform" the loopback
 * connector dials out to. Tests and `switchboard sandbox` drive it through its control methods.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { readLines, writeLine } from '../../src/control/ndjson.js';
import type { ClientFrame, LoopbackChat, LoopbackUpdate, LoopbackUser, ServerFrame } from './wire.js';

export interface SentMessage {
  op: 'send' | 'edit' | 'react' | 'typing';
  chat: string;
  text?: string;
  message_id: string;
  reply_to?: string;
  thread?: string;
  emoji?: string;
  buttons?: { id: string; label: string; value?: string }[];
}

export interface InjectOptions {
  chat?: Partial<LoopbackChat>;
  from?: Partial<LoopbackUser>;
  reply_to?: string;
  thread?: string;
}

export interface LoopbackEmulator {
  /** `host:port` to put in the connector's `endpoint`. */
  readonly endpoint: string;
  /** Every send/edit/react/typing the bot made, in order. */
  readonly sent: SentMessage[];
  /** Queue a user message; returns its platform id. */
  injectMessage(text: string, options?: InjectOptions): string;
  /** Queue an edit of an earlier message. */
  injectEdit(messageId: string, text: string, options?: InjectOptions): string;
  /** Queue a button press on a message the bot sent. */
  injectButton(messageId: string, action: string, value?: string, options?: InjectOptions): string;
  /** Queue an event whose update is whatever is given (a malformed one, as a buggy platform sends); returns its seq. */
  injectRawUpdate(update: unknown): number;
  /** Write one line verbatim to the live connection (not queued, never redelivered): garbage, `null`, a frame without fields. */
  injectRawLine(line: string): void;
  /** Close every client connection abruptly (a network drop). Un-acked events are redelivered. */
  dropConnections(): void;
  /**
   * Answer the next send-like call with the line `answer(req)` returns, verbatim (a malformed result,
   * as a buggy platform sends), or not at all when it returns undefined (a lost reply). Not recorded in `sent`.
   */
  answerNextCall(answer: (req: number) => string | undefined): void;
  /** Answer the next `n` send-like calls with this failure. */
  failNextCalls(n: number, kind: 'rate_limited' | 'server_error', retryAfterSeconds?: number): void;
  /** Events delivered but not yet acked. */
  unacked(): number;
  /** Events queued and not yet acked (delivered or not). */
  pending(): number;
  /** Number of handshakes accepted so far. */
  readonly connections: number;
  /** Number of handshakes attempted (accepted or refused). */
  readonly handshakes: number;
  /** Called with every message the bot sends, edits, reacts or types. */
  onSent(listener: (m: SentMessage) => void): void;
  /** Resolve once `condition()` holds (checked whenever the bot sends or acks). */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  token: string;
  /** Default 0 (any free port). */
  port?: number;
}

/** Start the emulator on 127.0.0.1. */
export async function startLoopbackEmulator(options: EmulatorOptions): Promise<LoopbackEmulator> {
  const expected = Buffer.from(options.token);
  const queue: { seq: number; update: LoopbackUpdate }[] = [];
  const sent: SentMessage[] = [];
  const clients = new Set<Socket>();
  const inflight = new Map<Socket, Set<number>>();
  const waiters = new Set<() => void>();
  const sentListeners: ((m: SentMessage) => void)[] = [];
  let seq = 0;
  let nextId = 1;
  let connections = 0;
  let handshakes = 0;
  let failures: { left: number; kind: 'rate_limited' | 'server_error'; retryAfter?: number } | undefined;
  const rawAnswers: ((req: number) => string | undefined)[] = [];

  const now = () => Date.now();
  const chatOf = (o?: InjectOptions): LoopbackChat => ({ id: 'c1', type: 'dm', ...o?.chat });
  const userOf = (o?: InjectOptions): LoopbackUser => ({ id: 'u1', name: 'Ada', ...o?.from });

  function deliver(socket: Socket, item: { seq: number; update: LoopbackUpdate }): void {
    inflight.get(socket)?.add(item.seq);
    writeLine(socket, { op: 'event', seq: item.seq, update: item.update } satisfies ServerFrame);
  }

  /** Queue an update; returns its seq. */
  function enqueue(update: LoopbackUpdate): number {
    const item = { seq: ++seq, update };
    queue.push(item);
    // Like a platform, deliver to one live session (the newest), never to several.
    const target = [...clients].at(-1);
    if (target) deliver(target, item);
    return item.seq;
  }

  function push(update: LoopbackUpdate): string {
    enqueue(update);
    return update.id;
  }

  function notify(): void {
    for (const w of waiters) w();
  }

  function onFrame(socket: Socket, frame: ClientFrame, authed: boolean): boolean {
    if (!authed) {
      if (frame.op !== 'hello' || typeof frame.token !== 'string') {
        writeLine(socket, { op: 'error', code: 'bad_request', message: 'hello first' } satisfies ServerFrame);
        socket.end();
        return false;
      }
      handshakes++;
      const given = Buffer.from(frame.token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        writeLine(socket, { op: 'error', code: 'unauthorized', message: 'invalid token' } satisfies ServerFrame);
        socket.end();
        return false;
      }
      connections++;
      clients.add(socket);
      inflight.set(socket, new Set());
      writeLine(socket, { op: 'ready', bot: { id: 'b1', name: 'loopbot', bot: true } } satisfies ServerFrame);
      // Redeliver everything not yet acked, in order (a fresh session sees what the last one missed).
      for (const item of queue) deliver(socket, item);
      return true;
    }
    switch (frame.op) {
      case 'ack': {
        const i = queue.findIndex((q) => q.seq === frame.seq);
        if (i !== -1) queue.splice(i, 1);
        inflight.get(socket)?.delete(frame.seq);
        notify();
        return true;
      }
      case 'send':
      case 'edit':
      case 'react':
      case 'typing': {
        const raw = rawAnswers.shift();
        if (raw) {
          const line = raw(frame.req);
          if (line !== undefined) socket.write(line + '\n');
          return true;
        }
        if (failures && failures.left > 0) {
          failures.left--;
          writeLine(socket, {
            op: 'result', req: frame.req, ok: false, code: failures.kind,
            message: failures.kind === 'rate_limited' ? 'too many requests' : 'internal error',
            ...(failures.retryAfter !== undefined ? { retry_after: failures.retryAfter } : {}),
          } satisfies ServerFrame);
          return true;
        }
        const message_id = frame.op === 'send' ? `m${nextId++}` : frame.op === 'typing' ? '' : frame.message_id;
        const record: SentMessage = {
          op: frame.op,
          chat: frame.chat,
          message_id,
          ...('text' in frame ? { text: frame.text } : {}),
          ...(frame.op === 'send' && frame.reply_to ? { reply_to: frame.reply_to } : {}),
          ...(frame.op === 'send' && frame.thread ? { thread: frame.thread } : {}),
          ...(frame.op === 'send' && frame.buttons ? { buttons: frame.buttons } : {}),
          ...(frame.op === 'react' ? { emoji: frame.emoji } : {}),
        };
        sent.push(record);
        for (const l of sentListeners) l(record);
        writeLine(socket, { op: 'result', req: frame.req, ok: true, ...(message_id ? { message_id } : {}) } satisfies ServerFrame);
        notify();
        return true;
      }
      default:
        return true;
    }
  }

  const server: Server = createServer((socket) => {
    let authed = false;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clients.delete(socket);
      inflight.delete(socket);
    });
    readLines(socket, (line) => {
      let frame: ClientFrame;
      try {
        frame = JSON.parse(line) as ClientFrame;
      } catch {
        socket.destroy();
        return;
      }
      authed = onFrame(socket, frame, authed) && true;
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator did not bind');

  return {
    endpoint: `127.0.0.1:${address.port}`,
    sent,
    get connections() {
      return connections;
    },
    get handshakes() {
      return handshakes;
    },
    injectMessage: (text, o) =>
      push({ type: 'message', id: `m${nextId++}`, chat: chatOf(o), from: userOf(o), text, date: now(), ...(o?.reply_to ? { reply_to: o.reply_to } : {}), ...(o?.thread ? { thread: o.thread } : {}) }),
    injectEdit: (messageId, text, o) => push({ type: 'edit', id: `e${nextId++}`, message_id: messageId, chat: chatOf(o), from: userOf(o), text, date: now() }),
    injectButton: (messageId, action, value, o) =>
      push({ type: 'button', id: `b${nextId++}`, message_id: messageId, chat: chatOf(o), from: userOf(o), action, ...(value !== undefined ? { value } : {}), date: now() }),
    injectRawUpdate: (update) => enqueue(update as LoopbackUpdate),
    injectRawLine: (line) => {
      const target = [...clients].at(-1);
      if (target) target.write(line + '\n');
    },
    dropConnections: () => {
      for (const s of clients) s.destroy();
      clients.clear();
    },
    answerNextCall: (answer) => void rawAnswers.push(answer),
    failNextCalls: (n, kind, retryAfterSeconds) => {
      failures = { left: n, kind, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) };
    },
    onSent: (listener) => void sentListeners.push(listener),
    unacked: () => [...inflight.values()].reduce((n, s) => n + s.size, 0),
    pending: () => queue.length,
    waitFor: (condition, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (condition()) return resolve();
        const check = () => {
          if (!condition()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`emulator: condition not met within ${timeoutMs} ms (sent ${sent.length}, pending ${queue.length})`));
        }, timeoutMs);
        waiters.add(check);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of clients) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The sandbox's view of this emulator: a running loopback "platform" and the block that reaches it. */
export async function startSandbox(): Promise<import('../../src/registry-types.js').SandboxPlatform> {
  const token = `lb-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const emulator = await startLoopbackEmulator({ token });
  return {
    block: { platform: 'loopback', endpoint: emulator.endpoint, token: { env: 'SANDBOX_LOOPBACK_TOKEN' } },
    env: { SANDBOX_LOOPBACK_TOKEN: token },
    endpoints: { server: emulator.endpoint },
    injectText: (text) => {
      emulator.injectMessage(text, { chat: { id: 'sandbox-chat', type: 'dm' }, from: { id: 'sandbox-user', name: 'You' } });
      return 'sandbox-chat';
    },
    onBotMessage: (listener) =>
      emulator.onSent((m) => {
        if (m.op === 'send' || m.op === 'edit') listener({ conversation: m.chat, text: m.text ?? '' });
      }),
    close: () => emulator.close(),
  };
}
