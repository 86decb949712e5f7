/**
 * A local Slack on 127.0.0.1 (port 0): the Web API (`POST /api/<method>`, form or JSON in, `{ok, ...}`
 * out, 429 with `Retry-After`) and Socket Mode (`apps.connections.open` → a one-time `ws://` URL,
 * `hello`, envelopes with ack tracking, redelivery of un-acked envelopes with `retry_attempt`,
 * `disconnect` messages). Enough of the wire protocol that Bolt's real clients run against it. Tests,
 * the benchmark and `switchboard sandbox` drive it through control methods.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SandboxPlatform } from '../../src/registry-types.js';
import { DEFAULT_CHANNEL, SlackApiError, SlackState, type EmuEnvelope, type InjectOptions, type SentRecord } from './emulator-store.js';

export type { EmuEnvelope, InjectOptions, SentRecord } from './emulator-store.js';
export { DEFAULT_CHANNEL, DEFAULT_USER } from './emulator-store.js';

/** One Web API request the emulator received (also the refused ones). */
export interface CallRecord {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** Which token authenticated it, if any. */
  as: 'app' | 'bot' | 'none';
}

/** How `failNextCalls` answers: 429 (with Retry-After), 500, or 503. */
export type FailureKind = 429 | 500 | 503;

export interface SlackEmulator {
  /** What to put in the connector's `api_url`. */
  readonly apiUrl: string;
  readonly bot: { user_id: string; bot_id: string };
  readonly calls: readonly CallRecord[];
  /** Everything the bot posted, edited or reacted, in order. */
  readonly sent: readonly SentRecord[];
  /** Queue a user's message; returns its ts and channel. */
  injectMessage(text: string, options?: InjectOptions): { ts: string; channel: string; envelopeId: string };
  /** Queue any event (app_mention, message_changed, reaction_added, ...) in an events_api envelope. */
  injectEvent(event: Record<string, unknown>): EmuEnvelope;
  /** Queue a press of button `actionId` on the bot's message `ts`. */
  injectButton(channel: string, ts: string, actionId: string, value?: string, user?: string): EmuEnvelope;
  injectSlashCommand(command: string, text: string, channel?: string): EmuEnvelope;
  /** Destroy every socket and HTTP connection (a network drop); returns how many. */
  dropConnections(): number;
  /** Stop reading the open sockets: a peer that never answers a close frame (nor anything else). */
  stallSockets(): void;
  /** Send `{"type":"disconnect","reason":...}` on the open socket(s). */
  sendDisconnect(reason?: 'refresh_requested' | 'warning' | 'too_many_websockets' | 'link_disabled'): void;
  /** Answer the next `n` Web API calls (of `methods`, default any) with this failure. */
  failNextCalls(n: number, kind: FailureKind, options?: { retryAfter?: number; methods?: string[] }): void;
  /** From now on refuse both tokens with `invalid_auth`, as after an app's tokens were revoked. */
  revokeTokens(): void;
  /** Envelopes sent (or queued) and not yet acked. */
  unacked(): number;
  /** Envelopes acked so far. */
  acked(): number;
  /** Envelopes delivered more than once (redeliveries). */
  redeliveries(): number;
  /** Sockets open right now, and the most ever open at once (per app token — there is one). */
  openSockets(): number;
  maxConcurrentSockets(): number;
  /** Sockets opened over the emulator's life. */
  connections(): number;
  count(method: string): number;
  onSent(listener: (record: SentRecord) => void): void;
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SlackEmulatorOptions {
  appToken: string;
  botToken: string;
  port?: number;
  /** Redeliver an envelope not acked within this long (Slack: a few seconds). Default 3 s. */
  redeliverAfterMs?: number;
  /** Post the bot's own messages back as `message` events, as Slack does. Default false. */
  echoBotMessages?: boolean;
}

/** Start the emulator on 127.0.0.1. */
export async function startSlackEmulator(options: SlackEmulatorOptions): Promise<SlackEmulator> {
  const state = new SlackState();
  const appToken = Buffer.from(options.appToken);
  const botToken = Buffer.from(options.botToken);
  const redeliverAfter = options.redeliverAfterMs ?? 3_000;
  const calls: CallRecord[] = [];
  const httpSockets = new Set<Socket>();
  const open = new Set<WebSocket>();
  /** The TCP socket under each WebSocket, so a test can stall it. */
  const raw = new WeakMap<WebSocket, Duplex>();
  const tickets = new Set<string>();
  const sentListeners: ((r: SentRecord) => void)[] = [];
  let failure: { left: number; kind: FailureKind; retryAfter: number; methods?: string[] } | undefined;
  let revoked = false;
  let maxConcurrent = 0;
  let connections = 0;
  let redeliveries = 0;
  let port = 0;

  const same = (given: string, expected: Buffer) => {
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };
  const whoIs = (token: string | undefined): CallRecord['as'] => {
    if (!token || revoked) return 'none';
    return same(token, appToken) ? 'app' : same(token, botToken) ? 'bot' : 'none';
  };

  /** The socket envelopes go out on: the newest open one (Slack spreads over all; one is enough here). */
  const current = (): WebSocket | undefined => [...open].at(-1);

  function deliver(e: EmuEnvelope, ws: WebSocket): void {
    e.deliveries++;
    if (e.deliveries > 1) redeliveries++;
    e.sentAt = Date.now();
    ws.send(JSON.stringify({
      envelope_id: e.envelope_id, type: e.type, payload: e.payload, accepts_response_payload: e.accepts_response_payload,
      ...(e.type === 'events_api' ? { retry_attempt: e.deliveries - 1, retry_reason: e.deliveries > 1 ? 'timeout' : '' } : {}),
    }));
  }

  function flush(): void {
    const ws = current();
    if (!ws) return;
    for (const e of state.envelopes.values()) if (e.sentAt === 0) deliver(e, ws);
  }

  let flushScheduled = false;
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      flush();
    });
  }

  const redeliverTimer = setInterval(() => {
    const ws = current();
    if (!ws) return;
    const now = Date.now();
    for (const e of state.envelopes.values()) if (e.sentAt > 0 && now - e.sentAt >= redeliverAfter) deliver(e, ws);
  }, Math.max(50, Math.floor(redeliverAfter / 4)));
  redeliverTimer.unref();

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  wss.on('connection', (ws: WebSocket) => {
    open.add(ws);
    connections++;
    maxConcurrent = Math.max(maxConcurrent, open.size);
    ws.on('message', (data) => {
      try {
        const m = JSON.parse(String(data)) as { envelope_id?: unknown };
        if (typeof m.envelope_id === 'string') state.ack(m.envelope_id);
      } catch {
        // Slack ignores what it cannot parse; so do we.
      }
    });
    ws.on('close', () => {
      open.delete(ws);
      // What was in flight on this socket was never acked: it goes out again on the next one.
      for (const e of state.envelopes.values()) e.sentAt = 0;
      scheduleFlush();
    });
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ type: 'hello', num_connections: open.size, debug_info: { host: 'emulator', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0EMULATOR' } }));
    scheduleFlush();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
    if (!route || req.method !== 'POST') return json(res, 404, { ok: false, error: 'unknown_method' });
    const params = await readParams(req);
    const method = route[1]!;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof params.token === 'string' ? params.token : undefined);
    const as = whoIs(bearer);
    calls.push({ method, params, at: Date.now(), as });
    if (failure && failure.left > 0 && (!failure.methods || failure.methods.includes(method))) {
      failure.left--;
      if (failure.kind === 429) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(failure.retryAfter) }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      return json(res, failure.kind, { ok: false, error: 'internal_error' });
    }
    if (as === 'none') return json(res, 200, { ok: false, error: bearer ? 'invalid_auth' : 'not_authed' });
    if (method === 'auth.test') {
      return json(res, 200, as === 'bot'
        ? { ok: true, url: 'https://emulator.slack.test/', team: 'Emulator', user: state.bot.name, team_id: 'T0EMULATOR', user_id: state.bot.user_id, bot_id: state.bot.bot_id }
        : { ok: true, app_id: 'A0EMULATOR', team_id: 'T0EMULATOR' });
    }
    if (method === 'apps.connections.open') {
      if (as !== 'app') return json(res, 200, { ok: false, error: 'not_allowed_token_type' });
      const ticket = randomBytes(12).toString('hex');
      tickets.add(ticket);
      return json(res, 200, { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A0EMULATOR` });
    }
    if (as !== 'bot') return json(res, 200, { ok: false, error: 'not_allowed_token_type' });
    const before = state.sent.length;
    try {
      json(res, 200, { ok: true, ...state.call(method, params) });
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      return json(res, 200, { ok: false, error: err.error });
    }
    for (const record of state.sent.slice(before)) {
      for (const l of sentListeners) l(record);
      if (options.echoBotMessages && record.method === 'chat.postMessage') {
        state.pushEvent({ type: 'message', channel: record.channel, user: state.bot.user_id, bot_id: state.bot.bot_id, text: record.text, ts: record.ts, event_ts: record.ts, ...(record.thread_ts ? { thread_ts: record.thread_ts } : {}) });
        scheduleFlush();
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { ok: false, error: 'internal_error' }));
  });
  server.on('connection', (socket) => {
    httpSockets.add(socket);
    socket.on('close', () => httpSockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const ticket = url.searchParams.get('ticket') ?? '';
    // A ticket opens one socket, once, as on Slack.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      raw.set(ws, socket);
      wss.emit('connection', ws, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('slack emulator did not bind');
  port = address.port;

  const queued = <T>(make: () => T): T => {
    const out = make();
    scheduleFlush();
    return out;
  };

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    bot: state.bot,
    calls,
    sent: state.sent,
    injectMessage: (text, o) => queued(() => {
      const m = state.message(text, o);
      return { ts: m.ts, channel: m.channel, envelopeId: m.envelope.envelope_id };
    }),
    injectEvent: (event) => queued(() => state.pushEvent(event)),
    injectButton: (channel, ts, actionId, value, user) => queued(() => state.buttonPress(channel, ts, actionId, value, user)),
    injectSlashCommand: (command, text, channel) => queued(() => state.slashCommand(command, text, channel)),
    dropConnections: () => {
      const n = open.size + httpSockets.size;
      for (const ws of open) ws.terminate();
      for (const s of httpSockets) s.destroy();
      return n;
    },
    stallSockets: () => {
      for (const ws of open) raw.get(ws)?.pause();
    },
    sendDisconnect: (reason = 'refresh_requested') => {
      for (const ws of open) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'emulator' } }));
    },
    failNextCalls: (n, kind, o = {}) => {
      failure = { left: n, kind, retryAfter: o.retryAfter ?? 1, ...(o.methods ? { methods: o.methods } : {}) };
    },
    revokeTokens: () => {
      revoked = true;
    },
    unacked: () => state.envelopes.size,
    acked: () => state.acked,
    redeliveries: () => redeliveries,
    openSockets: () => open.size,
    maxConcurrentSockets: () => maxConcurrent,
    connections: () => connections,
    count: (method) => calls.filter((c) => c.method === method).length,
    onSent: (listener) => void sentListeners.push(listener),
    waitFor: (condition, timeoutMs = 5_000) => waitFor(condition, timeoutMs, () => `sent ${state.sent.length}, unacked ${state.envelopes.size}, sockets ${open.size}`),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(redeliverTimer);
        for (const ws of open) ws.terminate();
        for (const s of httpSockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`slack emulator: condition not met within ${timeoutMs} ms (${describe()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Tokens shaped like real ones (`xapp-1-A…-…-…`, `xoxb-…-…-…`), so redaction is tested on the real shape. */
export function fakeSlackTokens(): { appToken: string; botToken: string } {
  const hex = (n: number) => randomBytes(n).toString('hex');
  const digits = () => String(1_000_000_000 + Math.floor(Math.random() * 8_000_000_000));
  return {
    appToken: `xapp-1-A0${hex(4).toUpperCase()}-${digits()}-${hex(32)}`,
    botToken: `xoxb-${digits()}-${digits()}-${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`,
  };
}

/** The sandbox's Slack: a running emulator, the block that reaches it, and a channel to type into. */
export async function startSandbox(): Promise<SandboxPlatform> {
  const tokens = fakeSlackTokens();
  const emulator = await startSlackEmulator(tokens);
  return {
    block: { platform: 'slack', app_token: { env: 'SANDBOX_SLACK_APP_TOKEN' }, bot_token: { env: 'SANDBOX_SLACK_BOT_TOKEN' }, api_url: emulator.apiUrl },
    env: { SANDBOX_SLACK_APP_TOKEN: tokens.appToken, SANDBOX_SLACK_BOT_TOKEN: tokens.botToken },
    endpoints: { api_url: emulator.apiUrl },
    injectText: (text) => emulator.injectMessage(text, { channel: DEFAULT_CHANNEL }).channel,
    onBotMessage: (listener) =>
      emulator.onSent((r) => {
        if (r.method === 'chat.postMessage' || r.method === 'chat.update') {
          listener({ conversation: r.thread_ts ? `${r.channel}:${r.thread_ts}` : r.channel, text: r.text ?? '' });
        }
      }),
    close: () => emulator.close(),
  };
}
