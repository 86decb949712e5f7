/**
 * A local Telegram Bot API server on 127.0.0.1 (port 0): `/bot<token>/<method>`, JSON (or form/query)
 * in, `{ok, result | error_code, description, parameters}` out — enough of the wire protocol that the
 * real grammY client runs against it. Tests and `switchboard sandbox` drive it through control methods:
 * inject messages, edits and button presses, drop connections, fail the next calls, read what the bot sent.
 *
 * Semantics kept from Telegram: a wrong token is 401; `getUpdates` confirms every update below `offset`
 * and waits up to `timeout` seconds for new ones; a second `getUpdates` while one waits ends the waiting
 * one with 409 (the newer request wins, as on Telegram); updates stay queued until confirmed.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SandboxPlatform } from '../../src/registry-types.js';
import { BotApiError, BotApiState, type EmuMessage, type EmuUpdate, type EmuUser, type InjectOptions, type SentRecord } from './emulator-store.js';
import { readParams } from './emulator-params.js';

/** The shapes tests read from the emulator. */
export type { EmuMessage, EmuUpdate, InjectOptions, SentRecord } from './emulator-store.js';

/** One request the emulator received (also the refused ones). */
export interface CallRecord {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** False when the token in the URL was wrong (answered 401). */
  authorized: boolean;
}

/** How `failNextCalls` answers: an HTTP error, or `drop` — the connection cut mid-answer. */
export type FailureKind = 429 | 500 | 502 | 'drop';

/** A running emulator: its address, what it saw, and the control methods. */
export interface TelegramEmulator {
  /** What to put in the connector's `api_root`. */
  readonly apiRoot: string;
  readonly bot: EmuUser;
  /** Every request, in arrival order. */
  readonly calls: readonly CallRecord[];
  /** Everything the bot sent, edited, reacted, typed or answered, in order. */
  readonly sent: readonly SentRecord[];
  readonly answeredCallbacks: ReadonlySet<string>;
  /** Queue a user's text message (a `/command` gets its entity); returns the message. */
  injectMessage(text: string, options?: InjectOptions): EmuMessage;
  /** Queue an edit of a user's earlier message. */
  injectEdit(messageId: number, text: string, options?: InjectOptions): EmuMessage;
  /** Queue a press of a button (by its callback_data) on a message the bot sent; returns the query id. */
  injectCallback(messageId: number, data: string, options?: InjectOptions): string;
  /** Queue any update body, e.g. `{ message_reaction: {...} }`. */
  injectUpdate(body: Record<string, unknown>): EmuUpdate;
  /** From now on refuse the token with 401, as after a revocation with @BotFather. */
  revokeToken(): void;
  /** Destroy every open connection, the pending long poll included (a network drop); returns how many. */
  dropConnections(): number;
  /** Answer the next `n` calls (of `methods`, default any) with this failure instead of serving them. */
  failNextCalls(n: number, kind: FailureKind, options?: { retryAfter?: number; methods?: string[] }): void;
  /** True while a long poll is waiting for updates. */
  isPolling(): boolean;
  /** Updates not yet confirmed by a getUpdates offset. */
  pending(): number;
  /** The highest offset a getUpdates call has confirmed with. */
  confirmedOffset(): number;
  /** Calls of one method so far. */
  count(method: string): number;
  /** Called with every record added to `sent`. */
  onSent(listener: (record: SentRecord) => void): void;
  /** Resolve once `condition()` holds; reject after `timeoutMs` (default 5 s). */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** How to start an emulator. */
export interface TelegramEmulatorOptions {
  /** The bot token it accepts; its numeric prefix is the bot's id, as with Telegram. */
  token: string;
  /** Default 0: any free port. */
  port?: number;
  firstUpdateId?: number;
}

const CONFLICT = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

interface HeldPoll {
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

/** Start the emulator on 127.0.0.1. */
export async function startTelegramEmulator(options: TelegramEmulatorOptions): Promise<TelegramEmulator> {
  const expected = Buffer.from(options.token);
  const botId = Number(options.token.split(':')[0]) || 1;
  const state = new BotApiState(botId, options.firstUpdateId);
  const calls: CallRecord[] = [];
  const sockets = new Set<Socket>();
  const sentListeners: ((r: SentRecord) => void)[] = [];
  let failure: { left: number; kind: FailureKind; retryAfter: number; methods?: string[] } | undefined;
  let held: HeldPoll | undefined;
  let releaseScheduled = false;

  let revoked = false;
  const tokenOk = (given: string) => {
    if (revoked) return false;
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };

  function nextFailure(method: string) {
    if (!failure || failure.left <= 0 || (failure.methods && !failure.methods.includes(method))) return undefined;
    failure.left--;
    return failure;
  }

  function answerPoll(poll: HeldPoll): void {
    clearTimeout(poll.timer);
    if (held === poll) held = undefined;
    send(poll.res, 200, { ok: true, result: state.take(poll.limit) });
  }

  /** New updates end a waiting long poll — on the next turn, so a burst of injections goes out as one batch. */
  function scheduleRelease(): void {
    if (releaseScheduled || !held) return;
    releaseScheduled = true;
    setImmediate(() => {
      releaseScheduled = false;
      if (held) answerPoll(held);
    });
  }

  function getUpdates(res: ServerResponse, p: Record<string, unknown>): void {
    state.confirm(p.offset !== undefined ? Number(p.offset) : undefined);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100) || 100));
    const timeout = Math.max(0, Number(p.timeout ?? 0) || 0);
    if (held) {
      // As Telegram does: the newer request wins, the one still waiting is ended with 409.
      const older = held;
      held = undefined;
      clearTimeout(older.timer);
      send(older.res, 409, { ok: false, error_code: 409, description: CONFLICT });
    }
    if (state.updates.length > 0 || timeout === 0) return send(res, 200, { ok: true, result: state.take(limit) });
    const poll: HeldPoll = { res, limit, timer: setTimeout(() => answerPoll(poll), timeout * 1000) };
    held = poll;
    res.on('close', () => {
      if (held !== poll) return;
      held = undefined;
      clearTimeout(poll.timer);
    });
  }

  function serveFailure(res: ServerResponse, method: string, p: Record<string, unknown>, f: NonNullable<typeof failure>): void {
    if (f.kind === 429) {
      send(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${f.retryAfter}`, parameters: { retry_after: f.retryAfter } });
    } else if (f.kind === 500) {
      send(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    } else if (f.kind === 502) {
      // Telegram's front proxy answers 502 with HTML, not JSON: the client must cope with that too.
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    } else if (method === 'getUpdates') {
      // The dangerous case for at-least-once: the updates were on the wire, the client never got them whole.
      state.confirm(p.offset !== undefined ? Number(p.offset) : undefined);
      const body = JSON.stringify({ ok: true, result: state.take(Number(p.limit ?? 100) || 100) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    } else {
      res.socket?.destroy();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/.exec(url.pathname);
    if (!route) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    let params: Record<string, unknown>;
    try {
      params = await readParams(req, url);
    } catch {
      return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: can\'t parse request body' });
    }
    const method = route[2]!;
    const authorized = tokenOk(decodeURIComponent(route[1]!));
    calls.push({ method, params, at: Date.now(), authorized });
    if (!authorized) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const f = nextFailure(method);
    if (f) return serveFailure(res, method, params, f);
    if (method === 'getUpdates') return getUpdates(res, params);
    const before = state.sent.length;
    try {
      send(res, 200, { ok: true, result: state.call(method, params) });
    } catch (err) {
      if (!(err instanceof BotApiError)) throw err;
      send(res, err.code, { ok: false, error_code: err.code, description: err.description, ...(err.parameters ? { parameters: err.parameters } : {}) });
    }
    for (const record of state.sent.slice(before)) for (const l of sentListeners) l(record);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('telegram emulator did not bind');

  const inject = <T>(make: () => T): T => {
    const out = make();
    scheduleRelease();
    return out;
  };

  return {
    apiRoot: `http://127.0.0.1:${address.port}`,
    bot: state.bot,
    calls,
    sent: state.sent,
    answeredCallbacks: state.answeredCallbacks,
    injectMessage: (text, o) => inject(() => state.injectMessage(text, o)),
    injectEdit: (id, text, o) => inject(() => state.injectEdit(id, text, o)),
    injectCallback: (id, data, o) => inject(() => state.injectCallback(id, data, o)),
    injectUpdate: (body) => inject(() => state.push(body)),
    revokeToken: () => {
      revoked = true;
    },
    dropConnections: () => {
      if (held) clearTimeout(held.timer);
      held = undefined;
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      sockets.clear();
      return n;
    },
    failNextCalls: (n, kind, o = {}) => {
      failure = { left: n, kind, retryAfter: o.retryAfter ?? 1, ...(o.methods ? { methods: o.methods } : {}) };
    },
    isPolling: () => held !== undefined,
    pending: () => state.updates.length,
    confirmedOffset: () => state.confirmedOffset,
    count: (method) => calls.filter((c) => c.method === method).length,
    onSent: (listener) => void sentListeners.push(listener),
    waitFor: (condition, timeoutMs = 5_000) => waitFor(condition, timeoutMs, () => `sent ${state.sent.length}, pending ${state.updates.length}, calls ${calls.length}`),
    close: () =>
      new Promise<void>((resolve) => {
        if (held) clearTimeout(held.timer);
        held = undefined;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`telegram emulator: condition not met within ${timeoutMs} ms (${describe()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A token shaped like a real one (`<bot id>:<35 characters>`), so redaction is tested on the real shape. */
export function fakeBotToken(): string {
  return `${randomInt(1_000_000_000, 8_000_000_000)}:AA${randomBytes(25).toString('base64url').slice(0, 33)}`;
}

/** The sandbox's Telegram: a running emulator, the block that reaches it, and a chat to type into. */
export async function startSandbox(): Promise<SandboxPlatform> {
  const token = fakeBotToken();
  const emulator = await startTelegramEmulator({ token });
  const you = { id: 4242, first_name: 'You', username: 'you', is_bot: false };
  return {
    block: { platform: 'telegram', token: { env: 'SANDBOX_TELEGRAM_TOKEN' }, api_root: emulator.apiRoot, polling: { timeout: 10 } },
    env: { SANDBOX_TELEGRAM_TOKEN: token },
    endpoints: { api_root: emulator.apiRoot },
    injectText: (text) => String(emulator.injectMessage(text, { from: you }).chat.id),
    onBotMessage: (listener) =>
      emulator.onSent((r) => {
        if ((r.method === 'sendMessage' || r.method === 'editMessageText') && r.chat_id) {
          listener({ conversation: r.message_thread_id ? `${r.chat_id}:${r.message_thread_id}` : r.chat_id, text: r.text ?? '' });
        }
      }),
    close: () => emulator.close(),
  };
}
