/**
 * The discord.js client, wired for a connector that must not lose events.
 *
 * discord.js 14 keeps the Gateway session (id, resume URL, sequence) in memory and offers no option to
 * supply it. Its supported `ws.buildStrategy` client option, though, receives the `@discordjs/ws`
 * manager before any shard exists; there we replace the manager's `retrieveSessionInfo` /
 * `updateSessionInfo` (the documented `@discordjs/ws` session hooks) with the connector's
 * `ResumePoint`, so every RESUME — after a drop, op 7, op 9, a forced resume, or a restart of the
 * process — uses the last *journaled* sequence, and a persisted session is resumed on start. The same
 * manager gives the raw dispatches with their sequence numbers, which is what the connector journals.
 */
import type { APIUser, Client, SimpleShardingStrategy } from 'discord.js';
import { discord } from './sdk.js';

const { GatewayIntentBits, Options, Partials } = discord;
import type { Logger } from 'pino';
import { recoveryFor } from './recovery.js';
import type { ResumePoint } from './resume-point.js';

/** A raw dispatch as the Gateway sent it. */
export interface RawDispatch {
  t: string;
  s: number | null;
  d: unknown;
}

/** What the connector hears from the Gateway connection. */
export interface GatewayHooks {
  /** Every dispatch, in the order the Gateway sent them (synchronous; must not throw). */
  dispatch(payload: RawDispatch): void;
  /** A new socket said HELLO. */
  hello(): void;
  /** A session is live again: `identified` (new session, READY) or `resumed` (RESUMED). */
  live(how: 'identified' | 'resumed'): void;
  /** The socket closed with `code`; discord.js is about to resume / re-identify / give up. */
  closed(code: number): void;
}

/** What `Gateway` needs: credentials, the REST base, the resume point it feeds discord.js, hooks, a logger. */
export interface GatewayOptions {
  token: string;
  apiBase: string;
  point: ResumePoint;
  hooks: GatewayHooks;
  log: Logger;
}

/**
 * The `@discordjs/ws` manager's events as used here. (discord.js re-exports a *different* enum under
 * the name `WebSocketShardEvents`, so the names are spelled out.)
 */
interface ManagerEvents {
  on(event: 'dispatch', l: (e: { data: RawDispatch }) => void): unknown;
  on(event: 'ready', l: (e: { data: unknown }) => void): unknown;
  on(event: 'hello' | 'resumed', l: () => void): unknown;
  on(event: 'closed', l: (e: { code: number }) => void): unknown;
  on(event: 'debug', l: (e: { message: string }) => void): unknown;
  emit(event: 'ready', e: { data: unknown; shardId: number }): boolean;
  emit(event: 'dispatch', e: { data: RawDispatch & { op: 0 }; shardId: number }): boolean;
  connect(): Promise<void>;
  destroy(options: { code: number; reason: string }): Promise<void>;
}

/** discord.js itself closes with 4200 to resume; Discord keeps the session for anything but 1000/1001. */
const KEEP_SESSION_CODE = 4200;

/** One discord.js client with the session hooks installed; one per connector start. */
export class Gateway {
  readonly client: Client;
  readonly #options: GatewayOptions;
  #manager: ManagerEvents | undefined;
  /** While set, discord.js dropping its session (on our own close) does not end ours. */
  #holding = false;
  /** Set by a close whose rule is `resume`, until the next HELLO. */
  #resumableClose = false;
  #identified = false;
  /** Payloads this class emits itself, which the connector must not treat as Discord's. */
  readonly #synthetic = new WeakSet<object>();

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.client = new discord.Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.MessageContent,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.GuildMessageReactions,
      ],
      // DMs arrive in channels discord.js has not cached.
      partials: [Partials.Channel],
      rest: { api: options.apiBase, version: '10' },
      // Events are read raw and journaled; discord.js's message cache would only hold memory.
      makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, ReactionManager: 0 }),
      ws: { buildStrategy: (manager) => this.#wire(manager as unknown as ManagerEvents & { options: ManagerOptions }, manager) },
    });
    // Without a listener an 'error' event would throw; the close codes say what happened.
    this.client.on('error', (err) => options.log.warn({ err }, 'discord.js reported an error'));
  }

  #wire(manager: ManagerEvents & { options: ManagerOptions }, original: ConstructorParameters<typeof SimpleShardingStrategy>[0]): SimpleShardingStrategy {
    const { point, hooks, log } = this.#options;
    this.#manager = manager;
    const djsUpdate = manager.options.updateSessionInfo;
    manager.options.retrieveSessionInfo = () => point.info(manager.options.shardCount ?? 1);
    manager.options.updateSessionInfo = (shardId, info) => {
      // @discordjs/ws drops the session on any close after a network error (ECONNRESET…) and on our own
      // closes; Discord keeps it for minutes, and dropping it would lose what happened meanwhile. If it
      // is really gone, the RESUME is answered with op 9 and discord.js re-identifies.
      if (info || !(this.#holding || this.#resumableClose)) point.update(info);
      return djsUpdate(shardId, info);
    };
    manager.on('hello', () => {
      this.#resumableClose = false;
      point.newConnection();
      hooks.hello();
    });
    manager.on('dispatch', ({ data }) => {
      if (this.#synthetic.has(data as object)) return;
      hooks.dispatch(data);
    });
    manager.on('ready', ({ data }) => {
      if (this.#synthetic.has(data as object)) return;
      this.#identified = true;
      hooks.live('identified');
    });
    manager.on('resumed', () => hooks.live('resumed'));
    manager.on('closed', ({ code }) => {
      this.#resumableClose = recoveryFor(code).recovery === 'resume';
      hooks.closed(code);
    });
    manager.on('debug', ({ message }) => log.trace({ gateway: message }, 'discord.js gateway'));
    return new discord.SimpleShardingStrategy(original);
  }

  /**
   * Log in: identify afresh, or resume the session the `ResumePoint` holds. Resolves with how the
   * session came up; rejects as discord.js does (bad token, fatal close).
   */
  async login(me: APIUser): Promise<'identified' | 'resumed'> {
    this.#identified = false;
    await this.client.login(this.#options.token);
    if (this.#identified) return 'identified';
    this.#adoptResumedSession(me);
    return 'resumed';
  }

  /**
   * discord.js builds its client state (the bot user, "ready") only from READY, which a RESUME does not
   * send. When a fresh process resumes a persisted session, it would stay "not ready" and queue every
   * packet forever. So we hand it the READY it missed, through its own manager events, built from
   * `GET /users/@me`; its caches then fill from later dispatches and REST, as after any start.
   */
  #adoptResumedSession(me: APIUser): void {
    if (this.client.isReady() || !this.#manager) return;
    const data = { v: 10, user: me, guilds: [], session_id: '', resume_gateway_url: '', shard: [0, 1], application: { id: me.id, flags: 0 } };
    const packet = { op: 0 as const, t: 'READY', s: null, d: data };
    this.#synthetic.add(data);
    this.#synthetic.add(packet);
    this.#manager.emit('ready', { data, shardId: 0 });
    this.#manager.emit('dispatch', { data: packet, shardId: 0 });
  }

  /**
   * Close the socket *without* ending the session and connect again: Discord replays everything after
   * the last journaled sequence. Used when the journal refused an event, so it comes again.
   */
  async resume(reason: string): Promise<void> {
    const manager = this.#manager;
    if (!manager) return;
    this.#holding = true;
    try {
      await manager.destroy({ code: KEEP_SESSION_CODE, reason });
    } finally {
      this.#holding = false;
    }
    await manager.connect();
  }

  /** Disconnect, keeping the session resumable (the next start resumes it), and release the client. */
  async close(): Promise<void> {
    this.#holding = true;
    try {
      await this.#manager?.destroy({ code: KEEP_SESSION_CODE, reason: 'switchboard stopping' });
      await this.client.destroy();
    } finally {
      this.#holding = false;
    }
  }
}

interface ManagerOptions {
  shardCount: number | null;
  retrieveSessionInfo: (shardId: number) => unknown;
  updateSessionInfo: (shardId: number, info: { sessionId: string; resumeURL: string } | null) => unknown;
}
