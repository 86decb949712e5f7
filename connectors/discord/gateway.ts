/**
 * The Gateway connection, through discord.js's `@discordjs/ws` manager, wired for a connector that must
 * not lose events.
 *
 * The manager keeps the session (id, resume URL, sequence) through the documented `retrieveSessionInfo`
 * / `updateSessionInfo` hooks; here they read and write the connector's `ResumePoint`, so every RESUME
 * — after a drop, op 7, op 9, a forced resume, or a restart of the process — uses the last *journaled*
 * sequence, and a persisted session is resumed on start. The manager's `dispatch` events are the raw
 * dispatches with their sequence numbers, which is what the connector journals. No discord.js `Client`:
 * see sdk.ts.
 */
import type { APIUser } from 'discord.js';
import type { REST } from '@discordjs/rest';
import { discordRest, discordWs } from './sdk.js';
import type { Logger } from 'pino';
import { recoveryFor } from './recovery.js';
import { rejectLongRateLimit } from './rest-limits.js';
import type { ResumePoint } from './resume-point.js';

/** Guilds, GuildMessages, GuildMessageReactions, DirectMessages, MessageContent (discord-api-types `GatewayIntentBits`). */
const INTENTS = (1 << 0) | (1 << 9) | (1 << 10) | (1 << 12) | (1 << 15);

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
  /** The socket closed with `code`; the manager is about to resume / re-identify / give up. */
  closed(code: number): void;
}

/** What `Gateway` needs: credentials, the REST base, the resume point it feeds the manager, hooks, a logger. */
export interface GatewayOptions {
  token: string;
  apiBase: string;
  point: ResumePoint;
  hooks: GatewayHooks;
  log: Logger;
}

/** The `@discordjs/ws` manager's events and calls as used here. */
interface Manager {
  on(event: 'dispatch', l: (e: { data: RawDispatch }) => void): unknown;
  on(event: 'ready', l: (e: { data: unknown }) => void): unknown;
  on(event: 'hello' | 'resumed', l: () => void): unknown;
  on(event: 'closed', l: (e: { code: number }) => void): unknown;
  on(event: 'debug', l: (e: { message: string }) => void): unknown;
  on(event: 'error', l: (e: { error: Error }) => void): unknown;
  connect(): Promise<void>;
  destroy(options: { code: number; reason: string }): Promise<void>;
}

/** discord.js itself closes with 4200 to resume; Discord keeps the session unless a client closes with 1000/1001. */
const KEEP_SESSION_CODE = 4200;

/** One Gateway connection with the session hooks installed, and the REST client; one per connector start. */
export class Gateway {
  readonly rest: REST;
  readonly #manager: Manager;
  /** While set, the manager dropping its session (on our own close) does not end ours. */
  #holding = false;
  /** Set by a close whose rule is `resume`, until the next HELLO. */
  #resumableClose = false;
  #identified = false;

  constructor(options: GatewayOptions) {
    const { point, hooks, log } = options;
    // A rate limit longer than an agent should wait rejects at once (rest-limits.ts); shorter ones are waited out.
    this.rest = new discordRest.REST({ api: options.apiBase, version: '10', rejectOnRateLimit: rejectLongRateLimit }).setToken(options.token);
    const manager = new discordWs.WebSocketManager({
      token: options.token,
      intents: INTENTS,
      rest: this.rest,
      retrieveSessionInfo: () => point.info(1) as never,
      updateSessionInfo: (_shardId, info) => {
        // @discordjs/ws drops the session on any close after a network error (ECONNRESET…) and on our own
        // closes; Discord keeps it for minutes, and dropping it would lose what happened meanwhile. If it
        // is really gone, the RESUME is answered with op 9 and the manager re-identifies.
        if (info || !(this.#holding || this.#resumableClose)) point.update(info);
      },
    }) as unknown as Manager;
    this.#manager = manager;
    manager.on('hello', () => {
      this.#resumableClose = false;
      point.newConnection();
      hooks.hello();
    });
    manager.on('dispatch', ({ data }) => hooks.dispatch(data));
    manager.on('ready', () => {
      this.#identified = true;
      hooks.live('identified');
    });
    manager.on('resumed', () => hooks.live('resumed'));
    manager.on('closed', ({ code }) => {
      const { recovery } = recoveryFor(code);
      this.#resumableClose = recovery === 'resume';
      // A new session, as the table says: discord.js would try to RESUME after some of these (4009), and
      // Discord would refuse it. Emitted before discord.js reconnects, so it identifies at once.
      if (recovery === 'retry' && !this.#holding) point.update(null);
      hooks.closed(code);
    });
    manager.on('debug', ({ message }) => log.trace({ gateway: message }, 'discord gateway'));
    // Without a listener an 'error' event would throw; the close codes say what happened.
    manager.on('error', ({ error }) => log.warn({ err: error }, 'the Discord gateway reported an error'));
  }

  /**
   * Connect: identify afresh, or resume the session the `ResumePoint` holds. Resolves with how the
   * session came up (READY or RESUMED); rejects as the manager does (bad token, fatal close).
   */
  async login(): Promise<'identified' | 'resumed'> {
    this.#identified = false;
    await this.#manager.connect();
    return this.#identified ? 'identified' : 'resumed';
  }

  /**
   * Close the socket *without* ending the session and connect again: Discord replays everything after
   * the last journaled sequence. Used when the journal refused an event, so it comes again.
   */
  async resume(reason: string): Promise<void> {
    this.#holding = true;
    try {
      await this.#manager.destroy({ code: KEEP_SESSION_CODE, reason });
    } finally {
      this.#holding = false;
    }
    await this.#manager.connect();
  }

  /** Disconnect, keeping the session resumable (the next start resumes it). */
  async close(): Promise<void> {
    this.#holding = true;
    try {
      await this.#manager.destroy({ code: KEEP_SESSION_CODE, reason: 'switchboard stopping' });
    } finally {
      this.#holding = false;
    }
  }
}
