/**
 * A local Feishu / Lark open platform on 127.0.0.1 (port 0), enough of the wire protocol that the
 * real SDK runs against it: `POST /callback/ws/endpoint` (app id + secret → a one-time WebSocket URL
 * and ClientConfig), the protobuf long connection (see emulator-wire.ts), the tenant token, and
 * message create / reply / update / reactions. Tests and `switchboard sandbox` drive it through
 * control methods: inject messages and button presses, drop the connection or close it cleanly,
 * answer the next calls with 429 / 5xx, read what the bot sent.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { SandboxPlatform } from '../../src/registry-types.js';
import { Wire, type ClientConfig } from './emulator-wire.js';

/** A message the bot sent, replied, edited or reacted with. */
export interface SentRecord {
  call: 'create' | 'reply' | 'update' | 'reaction';
  chatId: string;
  messageId: string;
  replyTo?: string;
  msgType: string;
  /** The parsed `content` (or the reaction). */
  content: Record<string, unknown>;
  /** Plain text: a text message's text, a card's first text block, a reaction's emoji type. */
  text: string;
}

/** One HTTP request the emulator received. */
export interface CallRecord {
  method: string;
  path: string;
  status: number;
}

export interface InjectOptions {
  chatId?: string;
  chatType?: 'p2p' | 'group';
  /** The sender's open id. */
  sender?: string;
  senderType?: 'user' | 'app';
  parentId?: string;
  mentions?: { key: string; name: string; openId: string }[];
  /** Split the event into at least this many fragments. */
  fragments?: number;
}

export interface Injected {
  eventId: string;
  messageId: string;
  chatId: string;
}

export interface FeishuEmulatorOptions {
  appId: string;
  appSecret: string;
  port?: number;
  /** Defaults: PingInterval 120, ReconnectCount -1, ReconnectInterval 1, ReconnectNonce 0 (Feishu uses 120 / 30). */
  clientConfig?: Partial<ClientConfig>;
  /** Lifetime of a tenant token, seconds. Default 7200. */
  tokenExpireSeconds?: number;
  readyDelayMs?: number;
  redeliverAfterMs?: number;
  window?: number;
  fragmentBytes?: number;
}

export type FailureStatus = 429 | 500 | 502 | 503;

export interface FeishuEmulator {
  /** What to put in the connector's `domain`. */
  readonly domain: string;
  readonly appId: string;
  /** The p2p chat injections go to by default, and the user in it. */
  readonly chatId: string;
  readonly userOpenId: string;
  readonly sent: readonly SentRecord[];
  readonly calls: readonly CallRecord[];
  injectMessage(text: string, options?: InjectOptions): Injected;
  /** A rich-text post (`{title, content: [[{tag, ...}]]}`). */
  injectPost(post: { title?: string; content: unknown[][] }, options?: InjectOptions): Injected;
  /** A press of a card button on message `messageId`; `value` is the button's value object. */
  injectButton(messageId: string, value: Record<string, unknown>, options?: { chatId?: string; operator?: string }): string;
  /** Any v2 event: `{header, event}` is built around `event`. Returns the event id. */
  injectEvent(eventType: string, event: Record<string, unknown>, options?: { fragments?: number }): string;
  /** Push an event again, acknowledged or not (the platform redelivering). */
  redeliver(eventId: string): void;
  /** Destroy every WebSocket abruptly (a network drop); returns how many. */
  dropConnection(): number;
  /** Close every WebSocket with a close frame, as the platform does before maintenance. */
  sendDisconnect(): number;
  /** Answer the next `n` HTTP calls (whose path contains `pathIncludes`, default any) with this status. */
  failNextCalls(n: number, status: FailureStatus, options?: { pathIncludes?: string; retryAfterSeconds?: number }): void;
  /** Events not yet acknowledged with code 200. */
  unacked(): number;
  acks(): number;
  nacks(): number;
  /** Event deliveries pushed so far, redeliveries included. */
  deliveries(): number;
  /** Open long connections. */
  connections(): number;
  /** Successful tenant-token fetches; endpoint fetches. */
  tokenFetches(): number;
  endpointFetches(): number;
  /** Calls made with an expired or unknown tenant token. */
  badTokenCalls(): number;
  onSent(listener: (r: SentRecord) => void): void;
  close(): Promise<void>;
}

const SERVICE_ID = 77;

/** Start the emulator on 127.0.0.1. */
export async function startFeishuEmulator(options: FeishuEmulatorOptions): Promise<FeishuEmulator> {
  const clientConfig: ClientConfig = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0, ...options.clientConfig };
  const wire = new Wire({
    service: SERVICE_ID,
    clientConfig,
    readyDelayMs: options.readyDelayMs ?? 20,
    redeliverAfterMs: options.redeliverAfterMs ?? 100,
    window: options.window ?? 200,
    fragmentBytes: options.fragmentBytes ?? 64 * 1024,
  });
  const secret = Buffer.from(options.appSecret);
  const secretOk = (given: unknown) => {
    const b = Buffer.from(typeof given === 'string' ? given : '');
    return b.length === secret.length && timingSafeEqual(b, secret);
  };
  const tokens = new Map<string, number>();
  const tickets = new Set<string>();
  const messages = new Map<string, { chatId: string; msgType: string; fromBot: boolean }>();
  const sent: SentRecord[] = [];
  const calls: CallRecord[] = [];
  const sockets = new Set<Socket>();
  const sentListeners: ((r: SentRecord) => void)[] = [];
  const chatId = `oc_${hex(16)}`;
  const userOpenId = `ou_${hex(16)}`;
  let tokenFetches = 0;
  let endpointFetches = 0;
  let badTokenCalls = 0;
  let failure: { left: number; status: FailureStatus; path?: string; retryAfter: number } | undefined;
  let port = 0;

  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
  };

  const record = (r: SentRecord) => {
    sent.push(r);
    for (const l of sentListeners) l(r);
  };

  const newMessage = (chat: string, msgType: string, fromBot: boolean) => {
    const id = `om_${hex(16)}`;
    messages.set(id, { chatId: chat, msgType, fromBot });
    return id;
  };

  const textOf = (msgType: string, content: Record<string, unknown>): string => {
    if (msgType === 'text') return String(content.text ?? '');
    const first = (content.elements as { text?: { content?: string } }[] | undefined)?.[0]?.text?.content;
    return first ?? JSON.stringify(content);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readJson(req);
    const status = () => res.statusCode;
    res.on('finish', () => calls.push({ method: req.method ?? '', path: url.pathname, status: status() }));
    if (failure && failure.left > 0 && (!failure.path || url.pathname.includes(failure.path))) {
      failure.left--;
      if (failure.status === 429) return reply(res, 429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': String(failure.retryAfter) });
      return reply(res, failure.status, { code: 1, msg: 'internal error' });
    }
    if (req.method === 'POST' && url.pathname === '/callback/ws/endpoint') {
      endpointFetches++;
      if (body.AppID !== options.appId || !secretOk(body.AppSecret)) return reply(res, 200, { code: 1000040344, msg: 'app_id or app_secret is invalid', data: {} });
      const ticket = hex(16);
      tickets.add(ticket);
      // device_id and service_id must not come first: the SDK parses the whole URL with qs.
      const URL_ = `ws://127.0.0.1:${port}/ws/v2?fpid=1&aid=1&device_id=d${hex(4)}&access_key=${hex(8)}&service_id=${SERVICE_ID}&ticket=${ticket}`;
      return reply(res, 200, { code: 0, msg: 'ok', data: { URL: URL_, ClientConfig: clientConfig } });
    }
    if (req.method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (body.app_id !== options.appId) return reply(res, 400, { code: 10003, msg: 'invalid param' });
      if (!secretOk(body.app_secret)) return reply(res, 200, { code: 10014, msg: 'app secret invalid' });
      const token = `t-${hex(20)}`;
      const expire = options.tokenExpireSeconds ?? 7200;
      tokens.set(token, Date.now() + expire * 1000);
      tokenFetches++;
      return reply(res, 200, { code: 0, msg: 'ok', tenant_access_token: token, expire });
    }
    if (!url.pathname.startsWith('/open-apis/im/v1/messages')) return reply(res, 404, { code: 404, msg: 'not found' });
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const until = bearer ? tokens.get(bearer) : undefined;
    if (until === undefined || until <= Date.now()) {
      badTokenCalls++;
      return reply(res, 400, { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' });
    }
    const content = parseContent(body.content);
    const msgType = typeof body.msg_type === 'string' ? body.msg_type : 'text';
    const idPath = /^\/open-apis\/im\/v1\/messages\/(om_[A-Za-z0-9_]+)(\/reply|\/reactions)?$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/open-apis/im/v1/messages') {
      if (url.searchParams.get('receive_id_type') !== 'chat_id' || typeof body.receive_id !== 'string') return reply(res, 400, { code: 230001, msg: 'invalid receive_id' });
      const id = newMessage(body.receive_id, msgType, true);
      record({ call: 'create', chatId: body.receive_id, messageId: id, msgType, content, text: textOf(msgType, content) });
      return reply(res, 200, { code: 0, msg: 'success', data: { message_id: id, chat_id: body.receive_id, msg_type: msgType } });
    }
    const target = idPath ? messages.get(idPath[1]!) : undefined;
    if (!idPath || !target) return reply(res, 400, { code: 230001, msg: 'invalid message_id' });
    const messageId = idPath[1]!;
    if (req.method === 'POST' && idPath[2] === '/reply') {
      const id = newMessage(target.chatId, msgType, true);
      record({ call: 'reply', chatId: target.chatId, messageId: id, replyTo: messageId, msgType, content, text: textOf(msgType, content) });
      return reply(res, 200, { code: 0, msg: 'success', data: { message_id: id, chat_id: target.chatId, parent_id: messageId } });
    }
    if (req.method === 'POST' && idPath[2] === '/reactions') {
      const emoji = String((body.reaction_type as { emoji_type?: unknown } | undefined)?.emoji_type ?? '');
      record({ call: 'reaction', chatId: target.chatId, messageId, msgType: 'reaction', content: { emoji_type: emoji }, text: emoji });
      return reply(res, 200, { code: 0, msg: 'success', data: { reaction_id: hex(8) } });
    }
    if (req.method === 'PUT' && !idPath[2]) {
      if (!target.fromBot) return reply(res, 400, { code: 230027, msg: 'the message was not sent by the bot' });
      if (msgType !== 'text' && msgType !== 'post') return reply(res, 400, { code: 230001, msg: 'only text and post messages can be edited' });
      record({ call: 'update', chatId: target.chatId, messageId, msgType, content, text: textOf(msgType, content) });
      return reply(res, 200, { code: 0, msg: 'success', data: { message_id: messageId } });
    }
    return reply(res, 404, { code: 404, msg: 'not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, { code: 1, msg: 'internal error' }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/ws/v2' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void wire.attach(ws));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('feishu emulator did not bind');
  port = address.port;

  const envelope = (eventType: string, event: Record<string, unknown>) => {
    const eventId = hex(16);
    return {
      eventId,
      body: {
        schema: '2.0',
        header: { event_id: eventId, token: '', create_time: String(Date.now()), event_type: eventType, tenant_key: 'tenant_emu', app_id: options.appId },
        event,
      },
    };
  };

  const injectContent = (msgType: string, content: unknown, o: InjectOptions = {}): Injected => {
    const chat = o.chatId ?? chatId;
    const messageId = newMessage(chat, msgType, false);
    const { eventId, body } = envelope('im.message.receive_v1', {
      sender: { sender_id: { open_id: o.sender ?? userOpenId, union_id: `on_${hex(16)}`, user_id: hex(4) }, sender_type: o.senderType ?? 'user', tenant_key: 'tenant_emu' },
      message: {
        message_id: messageId,
        ...(o.parentId ? { parent_id: o.parentId, root_id: o.parentId } : {}),
        create_time: String(Date.now()),
        update_time: String(Date.now()),
        chat_id: chat,
        chat_type: o.chatType ?? (chat === chatId ? 'p2p' : 'group'),
        message_type: msgType,
        content: JSON.stringify(content),
        ...(o.mentions ? { mentions: o.mentions.map((m) => ({ key: m.key, id: { open_id: m.openId }, name: m.name, tenant_key: 'tenant_emu' })) } : {}),
      },
    });
    wire.enqueue(eventId, body, o.fragments);
    return { eventId, messageId, chatId: chat };
  };

  const closeSockets = (how: (ws: import('ws').WebSocket) => void) => {
    const n = wire.connections.size;
    for (const c of [...wire.connections]) how(c.ws);
    return n;
  };

  return {
    domain: `http://127.0.0.1:${port}`,
    appId: options.appId,
    chatId,
    userOpenId,
    sent,
    calls,
    injectMessage: (text, o) => injectContent('text', { text }, o),
    injectPost: (post, o) => injectContent('post', post, o),
    injectButton: (messageId, value, o = {}) => {
      const { eventId, body } = envelope('card.action.trigger', {
        operator: { tenant_key: 'tenant_emu', open_id: o.operator ?? userOpenId, user_id: hex(4), union_id: `on_${hex(16)}` },
        token: `c-${hex(16)}`,
        action: { value, tag: 'button' },
        host: 'im_message',
        context: { open_message_id: messageId, open_chat_id: o.chatId ?? messages.get(messageId)?.chatId ?? chatId },
      });
      wire.enqueue(eventId, body);
      return eventId;
    },
    injectEvent: (eventType, event, o = {}) => {
      const { eventId, body } = envelope(eventType, event);
      wire.enqueue(eventId, body, o.fragments);
      return eventId;
    },
    redeliver: (eventId) => wire.redeliver(eventId),
    dropConnection: () => closeSockets((ws) => ws.terminate()),
    sendDisconnect: () => closeSockets((ws) => ws.close(1000, 'server maintenance')),
    failNextCalls: (n, status, o = {}) => {
      failure = { left: n, status, retryAfter: o.retryAfterSeconds ?? 1, ...(o.pathIncludes ? { path: o.pathIncludes } : {}) };
    },
    unacked: () => wire.unacked(),
    acks: () => wire.acks,
    nacks: () => wire.nacks,
    deliveries: () => [...wire.events.values()].reduce((n, e) => n + e.deliveries, 0),
    connections: () => wire.connections.size,
    tokenFetches: () => tokenFetches,
    endpointFetches: () => endpointFetches,
    badTokenCalls: () => badTokenCalls,
    onSent: (listener) => void sentListeners.push(listener),
    close: () =>
      new Promise<void>((resolve) => {
        wire.close();
        for (const c of wire.connections) c.ws.terminate();
        wss.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  if (chunks.length === 0) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString());
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseContent(content: unknown): Record<string, unknown> {
  if (typeof content !== 'string') return {};
  try {
    const v: unknown = JSON.parse(content);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A realistic app id (cli_ + 16 hex) and secret (32 alphanumerics), so redaction is tested on the real shape. */
export function fakeAppCredentials(): { appId: string; appSecret: string } {
  return { appId: `cli_${hex(8)}`, appSecret: randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32) };
}

/** The sandbox's Feishu: a running emulator, the block that reaches it, and a DM to type into. */
export async function startSandbox(): Promise<SandboxPlatform> {
  const creds = fakeAppCredentials();
  const emulator = await startFeishuEmulator(creds);
  return {
    block: { platform: 'feishu', app_id: creds.appId, app_secret: { env: 'SANDBOX_FEISHU_APP_SECRET' }, domain: emulator.domain },
    env: { SANDBOX_FEISHU_APP_SECRET: creds.appSecret },
    endpoints: { domain: emulator.domain, ws: `${emulator.domain.replace('http', 'ws')}/ws/v2` },
    injectText: (text) => emulator.injectMessage(text).chatId,
    onBotMessage: (listener) =>
      emulator.onSent((r) => {
        if (r.call !== 'reaction') listener({ conversation: r.chatId, text: r.text });
      }),
    close: () => emulator.close(),
  };
}
