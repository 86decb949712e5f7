/**
 * A local Discord on 127.0.0.1, port 0: REST v10 (`/api/v10/...`) and the Gateway WebSocket on one HTTP
 * server, so the real discord.js runs against it in tests, benchmarks and `switchboard sandbox`.
 * Tests drive it through the control methods below: inject user activity, break the connection in
 * the ways Discord does, make REST answer 429/5xx, and read what the bot sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { SandboxPlatform } from '../../src/registry-types.js';
import { GatewayHub, type GatewayCounters } from './emulator-gateway.js';
import { restHandler, type RestState, type SentCall } from './emulator-rest.js';
import { World, type EmuUser, type InjectOptions, type Json } from './emulator-world.js';

export type { SentCall } from './emulator-rest.js';
export type { InjectOptions, EmuUser } from './emulator-world.js';

/** Options of `startDiscordEmulator`; all have Discord-like defaults. */
export interface DiscordEmulatorOptions {
  /** The bot token it accepts; default: a made-up token shaped like Discord's. */
  token?: string;
  /** HELLO's heartbeat interval. Default 41250 ms, like Discord; tests use less. */
  heartbeatIntervalMs?: number;
  /** How long a disconnected session stays resumable. Default 2 minutes. */
  resumeWindowMs?: number;
  /** Dispatches kept per session for replay. Default 50,000. */
  maxBuffer?: number;
}

/** Ids of the emulated guild, for aiming injections and sends. */
export interface EmulatorIds {
  botId: string;
  guildId: string;
  general: string;
  random: string;
  ops: string;
  /** A public thread under #general. */
  thread: string;
  /** The default user who writes injected messages. */
  userId: string;
}

/** A running emulator and its control API (tests, benchmarks, sandbox). */
export interface DiscordEmulator {
  /** What the connector's `api_base` should be: `http://127.0.0.1:PORT/api`. */
  readonly apiBase: string;
  readonly gatewayUrl: string;
  readonly token: string;
  readonly ids: EmulatorIds;
  /** Everything the bot did through REST, in order. */
  readonly sent: SentCall[];
  /** Every REST request answered, with its status. */
  readonly calls: { method: string; path: string; status: number }[];
  readonly counters: GatewayCounters;
  /** A user posts `text`; returns the message id. */
  injectMessage(text: string, options?: InjectOptions): string;
  /** The author edits an earlier message. */
  injectEdit(messageId: string, text: string): void;
  /** An earlier message is deleted. */
  injectDelete(messageId: string): void;
  /** A user adds a reaction to a message. */
  injectReaction(messageId: string, emoji: string, user?: Partial<EmuUser>): void;
  /** A user presses the button `customId` on a message the bot sent; returns the interaction id. */
  injectButton(messageId: string, customId: string, user?: Partial<EmuUser>): string;
  /** Cut every Gateway socket abruptly; sessions stay resumable and keep collecting dispatches. Returns how many sockets carried a live session. */
  dropConnections(): number;
  /** Send op 7 RECONNECT. Returns how many sockets carried a live session. */
  sendReconnect(): number;
  /** Send op 9 INVALID_SESSION with `d: resumable`. */
  invalidateSession(resumable: boolean): void;
  /** Close every Gateway socket with this close code. */
  closeConnections(code: number): void;
  /** Close the socket of the next IDENTIFY/RESUME with this code. */
  failNextHandshake(code: number): void;
  /** Hold dispatches back (they queue in the sessions, as behind a slow link) until `releaseDelivery`. */
  holdDelivery(): void;
  /** Write everything held, in order, at once: a burst (benchmarks measure the client's capacity). */
  releaseDelivery(): void;
  /** Answer the next `n` non-GET REST calls with this status (429 with `retryAfterSeconds`). */
  failNextCalls(n: number, status: 429 | 500 | 502 | 503, retryAfterSeconds?: number): void;
  /** Dispatches sent beyond the sequence the client last reported in a heartbeat. */
  unacked(): number;
  /** Gateway sockets open right now. */
  openSockets(): number;
  onSent(listener: (call: SentCall) => void): void;
  /** Resolve once `condition()` holds (polled), or reject after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A token shaped like Discord's (`base64(bot id).timestamp.hmac`), made up and valid only here. */
export function fakeBotToken(botId: string): string {
  return `${Buffer.from(botId).toString('base64url')}.${randomBytes(4).toString('base64url').slice(0, 6)}.${randomBytes(28).toString('base64url')}`;
}

/** Start the emulator on 127.0.0.1 (a free port). */
export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const world = new World();
  const token = options.token ?? fakeBotToken(world.bot.id);
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `127.0.0.1:${port}`;
  const gatewayUrl = `ws://${base}/gateway`;
  const hub = new GatewayHub({
    token, world, gatewayUrl, resumeUrl: `ws://${base}/gateway-resume`,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250, resumeWindowMs: options.resumeWindowMs ?? 120_000, maxBuffer: options.maxBuffer ?? 50_000,
  });
  const listeners: ((call: SentCall) => void)[] = [];
  const state: RestState = {
    token, world, hub, gatewayUrl, sent: [], calls: [], interactions: new Map(), failures: undefined,
    onSent: (call) => listeners.forEach((l) => l(call)),
  };
  const rest = restHandler(state);
  server.on('request', (req, res) => {
    if ((req.url ?? '').startsWith('/api/v10/')) rest(req, res);
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"404: Not Found","code":0}');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith('/gateway')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, path));
  });

  const message = (id: string): Json => {
    const m = world.messages.get(id);
    if (!m) throw new Error(`emulator: no message ${id}`);
    return m;
  };
  const guildOf = (m: Json) => world.channels.get(String(m.channel_id))?.guild_id;
  const general = world.channelByName('general')!;

  return {
    apiBase: `http://${base}/api`,
    gatewayUrl,
    token,
    ids: {
      botId: world.bot.id, guildId: world.guildId, general: general.id, random: world.channelByName('random')!.id,
      ops: world.channelByName('ops')!.id, thread: world.channelByName('agent-thread')!.id, userId: world.defaultUser.id,
    },
    sent: state.sent,
    calls: state.calls,
    counters: hub.counters,
    injectMessage(text, options = {}) {
      const author = world.userOf(options.author);
      const channel = world.resolveChannel(options, author);
      const m = world.messagePayload(channel, author, text, options.reply_to ? { reply_to: options.reply_to } : {});
      hub.dispatch('MESSAGE_CREATE', world.dispatchForm(m));
      return String(m.id);
    },
    injectEdit(messageId, text) {
      const m = message(messageId);
      m.content = text;
      m.edited_timestamp = new Date().toISOString();
      hub.dispatch('MESSAGE_UPDATE', world.dispatchForm(m));
    },
    injectDelete(messageId) {
      const m = message(messageId);
      world.messages.delete(messageId);
      const guild = guildOf(m);
      hub.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: m.channel_id, ...(guild ? { guild_id: guild } : {}) });
    },
    injectReaction(messageId, emoji, user) {
      const m = message(messageId);
      const who = world.userOf(user);
      const guild = guildOf(m);
      hub.dispatch('MESSAGE_REACTION_ADD', {
        user_id: who.id, channel_id: m.channel_id, message_id: messageId, emoji: { id: null, name: emoji }, burst: false, type: 0,
        message_author_id: (m.author as { id: string }).id,
        ...(guild ? { guild_id: guild, member: { ...world.memberPayload(who), user: world.userPayload(who) } } : {}),
      });
    },
    injectButton(messageId, customId, user) {
      const m = message(messageId);
      if ((m.author as { id: string }).id !== world.bot.id) throw new Error('emulator: buttons can only be pressed on a message the bot sent');
      const interactionToken = `aW50ZXJhY3Rpb24.${randomBytes(24).toString('base64url')}`;
      const interaction = world.buttonInteraction(m, customId, world.userOf(user), interactionToken);
      state.interactions.set(String(interaction.id), { token: interactionToken, answered: false });
      hub.dispatch('INTERACTION_CREATE', interaction);
      return String(interaction.id);
    },
    dropConnections: () => hub.drop(),
    sendReconnect: () => hub.reconnect(),
    invalidateSession: (resumable) => hub.invalidate(resumable),
    closeConnections: (code) => hub.closeAll(code),
    failNextHandshake: (code) => hub.failNextHandshake(code),
    holdDelivery: () => hub.hold(),
    releaseDelivery: () => hub.release(),
    failNextCalls(n, status, retryAfterSeconds = 1) {
      state.failures = { left: n, status, retryAfter: retryAfterSeconds };
    },
    unacked: () => hub.unacked(),
    openSockets: () => hub.openSockets,
    onSent: (listener) => void listeners.push(listener),
    waitFor: (condition, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          if (condition()) return resolve();
          if (Date.now() > deadline) return reject(new Error(`emulator: condition not met within ${timeoutMs} ms (sent ${state.sent.length})`));
          setTimeout(check, 10);
        };
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The sandbox's Discord: an emulator and the connector block that reaches it. */
export async function startSandbox(): Promise<SandboxPlatform> {
  const emulator = await startDiscordEmulator();
  const you = { id: '100000000000000001', username: 'you', global_name: 'You' };
  return {
    block: { platform: 'discord', token: { env: 'SANDBOX_DISCORD_TOKEN' }, api_base: emulator.apiBase },
    env: { SANDBOX_DISCORD_TOKEN: emulator.token },
    endpoints: { api: emulator.apiBase, gateway: emulator.gatewayUrl },
    injectText: (text) => {
      emulator.injectMessage(text, { channel: 'general', author: you });
      return emulator.ids.general;
    },
    onBotMessage: (listener) =>
      emulator.onSent((call) => {
        if ((call.kind === 'message' || call.kind === 'edit') && call.channel_id) listener({ conversation: call.channel_id, text: call.content ?? '' });
      }),
    close: () => emulator.close(),
  };
}
