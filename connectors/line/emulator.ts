/**
 * A fake LINE platform on 127.0.0.1 (port 0): the Messaging API the real @line/bot-sdk client calls
 * (reply, push, loading animation, bot info — see emulator-api.ts), and the webhook side that signs
 * events with the channel secret and POSTs them to the bot (emulator-webhook.ts). Tests and
 * `switchboard sandbox` drive it through control methods: set the webhook URL, inject a user's
 * text / sticker / image / postback / follow / join, redeliver an event, fail the next API calls,
 * read what the bot sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ListenerInfo } from '../../src/connector.js';
import type { SandboxPlatform } from '../../src/registry-types.js';
import { MessagingApiState, type ApiCall, type FailureSpec, type SentRecord } from './emulator-api.js';
import { WebhookDeliverer, type DeliveryRecord, type SignOptions } from './emulator-webhook.js';

export type { ApiCall, DeliveryRecord, FailureSpec, SentRecord, SignOptions };

/** Where an injected event comes from (LINE's `source`). Default: a DM from {@link DEFAULT_USER}. */
export type EmuSource = { type: 'user'; userId: string } | { type: 'group'; groupId: string; userId?: string } | { type: 'room'; roomId: string; userId?: string };

export interface InjectOptions {
  source?: EmuSource;
  sign?: SignOptions;
}

/** An injected event: what was sent, the conversation it belongs to, and its delivery (with redeliveries). */
export interface Injected {
  event: EmuEvent;
  conversation: string;
  delivery: Promise<DeliveryRecord>;
}

/** A webhook event as the emulator builds it. */
export interface EmuEvent {
  type: string;
  webhookEventId: string;
  timestamp: number;
  source: EmuSource;
  replyToken?: string;
  message?: { id: string; type: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface LineEmulatorOptions {
  channelSecret?: string;
  accessToken?: string;
  /** Redeliver deliveries not answered 2xx (default true: turn it on in the LINE console). */
  redelivery?: boolean;
  /** Default 100 ms. */
  redeliveryDelayMs?: number;
  /** Attempts per delivery, the first included. Default 5. */
  maxAttempts?: number;
  /** The clock reply tokens expire by. Default Date.now. */
  now?: () => number;
}

/** A running emulator. */
export interface LineEmulator {
  /** What to put in the connector's `api_base`. */
  readonly apiBase: string;
  readonly channelSecret: string;
  readonly accessToken: string;
  /** The bot's user id (the webhook body's `destination`). */
  readonly botUserId: string;
  readonly sent: readonly SentRecord[];
  readonly calls: readonly ApiCall[];
  readonly loading: readonly { chatId: string; seconds: number }[];
  readonly deliveries: readonly DeliveryRecord[];
  /** Where webhook events are POSTed (the console's "Webhook URL"). */
  setWebhookUrl(url: string): void;
  injectText(text: string, options?: InjectOptions): Injected;
  injectSticker(options?: InjectOptions): Injected;
  injectImage(options?: InjectOptions): Injected;
  /** A press of a button whose postback data is `data`. */
  injectPostback(data: string, options?: InjectOptions): Injected;
  injectFollow(options?: InjectOptions): Injected;
  /** The bot added to a group. */
  injectJoin(groupId: string, options?: InjectOptions): Injected;
  /** Any event; type-specific fields as given. */
  injectEvent(fields: { type: string; [k: string]: unknown }, options?: InjectOptions): Injected;
  /** Send an event again, as LINE's redelivery does: same webhookEventId, isRedelivery true. */
  redeliver(event: EmuEvent, options?: InjectOptions): Promise<DeliveryRecord>;
  /** Answer the next `n` Messaging API calls with an error. */
  failNextCalls(n: number, spec: FailureSpec): void;
  /** Deliveries POSTed and not yet answered. */
  unacked(): number;
  /** Cut the next delivery halfway through (and every idle socket). */
  dropConnection(): void;
  /** Every text the bot sent (text messages, and the text of template messages), in order. */
  texts(): string[];
  onSent(listener: (r: SentRecord) => void): void;
  close(): Promise<void>;
}

/** A DM user for injected events when no source is given. */
export const DEFAULT_USER = 'U1f2e3d4c5b6a79881f2e3d4c5b6a7988';

/** A channel secret and access token shaped like real ones (32 hex; ~170 base64 characters). */
export function fakeLineCredentials(): { channelSecret: string; accessToken: string } {
  return { channelSecret: randomBytes(16).toString('hex'), accessToken: `${randomBytes(129).toString('base64').replace(/=+$/, '')}=` };
}

/** Start the emulator on 127.0.0.1. */
export async function startLineEmulator(options: LineEmulatorOptions = {}): Promise<LineEmulator> {
  const creds = { ...fakeLineCredentials(), ...pick(options) };
  const now = options.now ?? Date.now;
  const api = new MessagingApiState(creds.accessToken, now);
  const hooks = new WebhookDeliverer({
    channelSecret: creds.channelSecret,
    destination: api.botUserId,
    redelivery: options.redelivery ?? true,
    redeliveryDelayMs: options.redeliveryDelayMs ?? 100,
    maxAttempts: options.maxAttempts ?? 5,
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => void api.handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('line emulator did not bind');
  let seq = 0;
  let messageSeq = 500_000_000_000_000_000n;

  const inject = (fields: { type: string; [k: string]: unknown }, o: InjectOptions = {}, withReply = true): Injected => {
    const source = o.source ?? { type: 'user', userId: DEFAULT_USER };
    const conversation = source.type === 'user' ? source.userId : source.type === 'group' ? source.groupId : source.roomId;
    const event: EmuEvent = { mode: 'active', timestamp: now(), webhookEventId: eventId(++seq), source, ...fields };
    if (withReply) event.replyToken = api.issueReplyToken(conversation);
    return { event, conversation, delivery: hooks.deliver([event], o.sign) };
  };
  const message = (m: Record<string, unknown>) => {
    const id = String(messageSeq++);
    return { id, quoteToken: `q${id}`, ...m };
  };

  return {
    apiBase: `http://127.0.0.1:${address.port}`,
    channelSecret: creds.channelSecret,
    accessToken: creds.accessToken,
    botUserId: api.botUserId,
    sent: api.sent,
    calls: api.calls,
    loading: api.loading,
    deliveries: hooks.deliveries,
    setWebhookUrl: (url) => {
      hooks.url = url;
    },
    injectText: (text, o) => inject({ type: 'message', message: message({ type: 'text', text }) }, o),
    injectSticker: (o) => inject({ type: 'message', message: message({ type: 'sticker', packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC', keywords: ['hello'] }) }, o),
    injectImage: (o) => inject({ type: 'message', message: message({ type: 'image', contentProvider: { type: 'line' } }) }, o),
    injectPostback: (data, o) => inject({ type: 'postback', postback: { data } }, o),
    injectFollow: (o) => inject({ type: 'follow', follow: { isUnblocked: false } }, o),
    injectJoin: (groupId, o) => inject({ type: 'join' }, { ...o, source: { type: 'group', groupId } }),
    injectEvent: (fields, o) => inject(fields, o, fields.type !== 'unfollow' && fields.type !== 'leave' && fields.type !== 'unsend'),
    redeliver: (event, o) => hooks.deliver([event], o?.sign, true),
    failNextCalls: (n, spec) => api.failNextCalls(n, spec),
    unacked: () => hooks.unacked(),
    dropConnection: () => hooks.dropConnection(),
    texts: () => api.sent.flatMap((r) => r.messages.map(textOf).filter((t): t is string => t !== undefined)),
    onSent: (listener) => api.onSent(listener),
    close: () =>
      new Promise<void>((resolve) => {
        hooks.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The text a user reads in a sent message: a text message's, or the body text of a Flex bubble (buttons). */
export function textOf(m: Record<string, unknown>): string | undefined {
  if (m.type === 'text' && typeof m.text === 'string') return m.text;
  if (m.type !== 'flex') return undefined;
  const body = (m.contents as { body?: { contents?: { text?: unknown }[] } } | undefined)?.body;
  const text = body?.contents?.[0]?.text;
  return typeof text === 'string' ? text : typeof m.altText === 'string' ? m.altText : undefined;
}

/** The postback buttons of a sent Flex bubble: label and data, as a user would press them. */
export function buttonsOf(m: Record<string, unknown>): { label: string; data: string }[] {
  const footer = (m.contents as { footer?: { contents?: { action?: { type?: unknown; label?: unknown; data?: unknown } }[] } } | undefined)?.footer;
  return (footer?.contents ?? []).flatMap((c) => (c.action?.type === 'postback' ? [{ label: String(c.action.label), data: String(c.action.data) }] : []));
}

/** A free loopback port, for a listener whose address must be known before it starts (the sandbox's public_url). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The sandbox's LINE: the emulator, and a block whose listener binds a loopback port chosen now, with
 * that same address as `public_url` (there is no tunnel in the sandbox: the emulator is "LINE" and
 * POSTs straight to the listener). `attach` learns the hook path once the runtime listens.
 */
export async function startSandbox(): Promise<SandboxPlatform> {
  const emulator = await startLineEmulator();
  const port = await freeLoopbackPort();
  const you = DEFAULT_USER;
  return {
    block: {
      platform: 'line',
      channel_secret: { env: 'SANDBOX_LINE_CHANNEL_SECRET' },
      access_token: { env: 'SANDBOX_LINE_ACCESS_TOKEN' },
      api_base: emulator.apiBase,
      webhook: { bind: `127.0.0.1:${port}`, public_url: `http://127.0.0.1:${port}` },
    },
    env: { SANDBOX_LINE_CHANNEL_SECRET: emulator.channelSecret, SANDBOX_LINE_ACCESS_TOKEN: emulator.accessToken },
    endpoints: { api_base: emulator.apiBase, webhook_bind: `127.0.0.1:${port}` },
    attach: (listeners: ListenerInfo[]) => {
      const url = listeners[0]?.publicUrl;
      if (url) emulator.setWebhookUrl(url);
    },
    injectText: (text) => emulator.injectText(text, { source: { type: 'user', userId: you } }).conversation,
    onBotMessage: (listener) =>
      emulator.onSent((r) => {
        for (const m of r.messages) {
          const text = textOf(m);
          if (text !== undefined) listener({ conversation: r.to, text });
        }
      }),
    close: () => emulator.close(),
  };
}

function eventId(n: number): string {
  // ULID-shaped, as LINE's are: 26 Crockford base32 characters.
  return `01${randomBytes(15).toString('hex').toUpperCase().replace(/[ILOU]/g, '0').slice(0, 16)}${String(n).padStart(8, '0')}`;
}

function pick(o: LineEmulatorOptions): { channelSecret?: string; accessToken?: string } {
  return { ...(o.channelSecret !== undefined ? { channelSecret: o.channelSecret } : {}), ...(o.accessToken !== undefined ? { accessToken: o.accessToken } : {}) };
}
