/**
 * The Mattermost connector: posts over the WebSocket (socket.ts), journaled one at a time in the order
 * they arrive; a post counts as received only once `ctx.ingest` has journaled it (then the server is
 * sent `posted_notify_ack`, and the persisted cursor moves). Whenever the server hands out a new
 * `connection_id` — first connect, or a gap it cannot replay — the posts since the cursor are fetched
 * over REST and journaled *before* the connector reports online; the dedup key (`<connector>:<post
 * id>`) makes any overlap harmless. Outbound goes over REST (outbound.ts). With `callbacks`
 * configured it also runs the hardened listener for button clicks (buttons.ts).
 */
import { join } from 'node:path';
import type { EventDraft, OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Secret } from '../../src/config/secret.js';
import { parseDuration } from '../../src/config/fields.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, SbError } from '../../src/errors.js';
import { Backoff, sleep } from '../../src/supervisor/backoff.js';
import { CallbackServer } from './callback-server.js';
import { catchUp, type CatchUpOptions } from './catch-up.js';
import { PostCursor } from './cursor.js';
import { channelOf, normalizeEvent, parsePost, type MmEvent, type NormalizeContext } from './normalize.js';
import { deliver } from './outbound.js';
import { recover, toConnectorError } from './recovery.js';
import { createRestClient } from './rest.js';
import { DEFAULT_BUTTON_TTL, plannedListener } from './schema.js';
import type { Client4 } from './sdk.js';
import { MattermostSocket } from './socket.js';

/** The connector block after validation, secrets resolved. */
export interface MattermostConnectorConfig {
  url: string;
  token: Secret;
  team?: string;
  callbacks?: { bind: string; public_url?: string };
  button_ttl?: string;
}

/** Waits of the connector; injected by tests, fixed in production. */
export interface MattermostTiming {
  retryInitialMs: number;
  retryMaxMs: number;
  sendRetryInitialMs: number;
  /** The SDK's ping interval. */
  pingIntervalMs: number;
}

const DEFAULT_TIMING: MattermostTiming = { retryInitialMs: 500, retryMaxMs: 30_000, sendRetryInitialMs: 300, pingIntervalMs: 30_000 };

/** A Mattermost bot. One instance per configured connector; start/stop may repeat. */
export class MattermostConnector implements Connector {
  readonly name: string;
  readonly platform = 'mattermost';
  readonly transport = 'outbound-socket' as const;
  readonly #deps: ConnectorDeps;
  readonly #config: MattermostConnectorConfig;
  readonly #timing: MattermostTiming;
  readonly #rest: Client4;
  readonly #channelTypes = new Map<string, string>();
  #socket: MattermostSocket | undefined;
  #callbacks: CallbackServer | undefined;
  #cursor: PostCursor | undefined;
  #botUserId = '';
  #teamId: string | undefined;
  /** Every event is journaled through this chain, one after another, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  /** Catch-ups queued and not finished: the connector is not online while there is one. */
  #catchUps = 0;
  #run = new AbortController();
  #ctx: ConnectorContext | undefined;

  constructor(config: MattermostConnectorConfig, deps: ConnectorDeps, timing: Partial<MattermostTiming> = {}) {
    this.name = deps.name;
    this.#deps = deps;
    this.#config = config;
    this.#timing = { ...DEFAULT_TIMING, ...timing };
    this.#rest = createRestClient(config.url.replace(/\/+$/, ''), config.token.reveal());
  }

  listeners(): ListenerInfo[] {
    const cb = this.#config.callbacks;
    if (!cb) return [];
    return [this.#callbacks?.info() ?? plannedListener(cb.bind, cb.public_url)];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  /** Check the token (`GET /users/me`), open the callback listener if configured, connect, catch up, go online. */
  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    if (this.#socket) throw new SbError('SB_E_CONNECTOR', `mattermost connector ${this.name} is already started; stop() it first`);
    const state = this.#deps.state;
    state.set('connecting');
    this.#ctx = ctx;
    this.#run = new AbortController();
    try {
      const me = await this.#rest.getMe();
      this.#botUserId = me.id;
      this.#deps.log.info({ botUserId: me.id, username: me.username }, 'bot token accepted');
      if (this.#config.team) this.#teamId = await this.#resolveTeam(this.#config.team);
    } catch (err) {
      if (signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
      throw toConnectorError(err, 'GET /users/me');
    }
    this.#cursor = await PostCursor.load(join(this.#deps.stateDir, 'mattermost', `${this.name}.cursor`));
    if (this.#config.callbacks) {
      this.#callbacks = await CallbackServer.start({
        connector: this.name,
        stateDir: this.#deps.stateDir,
        bind: this.#config.callbacks.bind,
        ...(this.#config.callbacks.public_url ? { publicUrl: this.#config.callbacks.public_url } : {}),
        log: this.#deps.log,
        clock: ctx.clock,
        channelType: (id) => this.#channelTypes.get(id),
        ingest: async (draft, correlationId) => void (await ctx.ingest({ ...draft, correlationId })),
        reject: (reason) => ctx.reject(reason),
      });
    }
    const socket = new MattermostSocket({
      serverUrl: this.#config.url.replace(/\/+$/, ''),
      token: this.#config.token.reveal(),
      log: this.#deps.log,
      retryInitialMs: this.#timing.retryInitialMs,
      retryMaxMs: this.#timing.retryMaxMs,
      pingIntervalMs: this.#timing.pingIntervalMs,
      onEvent: (e) => this.#enqueue(() => this.#onEvent(ctx, e)),
      onFresh: () => {
        // Missed posts first, then online; the events after this hello queue behind the catch-up.
        this.#catchUps++;
        this.#enqueue(async () => {
          try {
            await this.#catchUp(ctx);
          } finally {
            this.#catchUps--;
          }
          if (this.#socket === socket && socket.up && this.#catchUps === 0) state.set('online');
        });
      },
      onUp: () => {
        if (this.#socket === socket && this.#catchUps === 0) state.set('online');
      },
      onDown: (reason) => {
        if (this.#socket === socket) state.set('reconnecting', reason);
      },
      checkAuth: async () => {
        try {
          await this.#rest.getMe();
          return undefined;
        } catch (err) {
          const e = toConnectorError(err, 'GET /users/me');
          return e instanceof FatalConnectorError ? e : undefined;
        }
      },
      onFatal: (err) => {
        if (this.#socket === socket) ctx.fail(err);
      },
    });
    this.#socket = socket;
    const onAbort = () => void this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await socket.open();
      // The first connection's catch-up was queued at its hello: start resolves when it is done.
      await this.#queue;
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      await this.stop();
      if (signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
      throw err;
    }
    if (this.#socket === socket && socket.up && this.#catchUps === 0) state.set('online');
  }

  async #resolveTeam(team: string): Promise<string> {
    const teams = await this.#rest.getMyTeams();
    const found = teams.find((t) => t.id === team || t.name === team);
    if (!found) throw new FatalConnectorError(`the bot is not a member of team "${team}"; add it to the team, or fix team: in the config (its teams: ${teams.map((t) => t.name).join(', ') || 'none'})`);
    return found.id;
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((err: unknown) => {
      if (!this.#run.signal.aborted) this.#deps.log.error({ err }, 'mattermost event handling failed');
    });
  }

  #normalizeContext(): NormalizeContext {
    return { connector: this.name, botUserId: this.#botUserId, channelType: (id) => this.#channelTypes.get(id) };
  }

  async #onEvent(ctx: ConnectorContext, e: MmEvent): Promise<void> {
    if (e.event === 'posted' && typeof e.data.channel_type === 'string') {
      const channel = channelOf(e);
      if (channel) this.#channelTypes.set(channel, e.data.channel_type);
    }
    if (this.#teamId && typeof e.data.team_id === 'string' && e.data.team_id !== '' && e.data.team_id !== this.#teamId) return;
    if (e.event === 'post_edited' || e.event === 'post_deleted' || e.event === 'reaction_added') await this.#learnChannelType(channelOf(e));
    const draft = normalizeEvent(this.#normalizeContext(), e);
    const post = e.event === 'posted' ? parsePost(e.data.post) : undefined;
    if (draft) await this.#journal(ctx, draft);
    if (post) {
      this.#cursor?.advance(post.channel_id, post.create_at);
      if (post.user_id !== this.#botUserId) this.#socket?.ackPosted(post.id);
    } else if (draft?.platformTime) {
      // An edit, deletion or reaction: a later catch-up need not fetch it again.
      const channel = channelOf(e);
      if (channel) this.#cursor?.advanceChange(channel, Date.parse(draft.platformTime), draft.dedupKey);
    }
  }

  /** Edits, deletions and reactions do not say what kind of channel they are in: ask once. */
  async #learnChannelType(channelId: string | undefined): Promise<void> {
    if (!channelId || this.#channelTypes.has(channelId)) return;
    try {
      const channel = await this.#rest.getChannel(channelId);
      this.#channelTypes.set(channelId, channel.type);
    } catch (err) {
      this.#deps.log.debug({ reason: recover(err, 'GET /channels/:id').reason }, 'channel type unknown; reporting it as a channel');
    }
  }

  /** Journal one draft, retrying with backoff while the journal refuses (order is kept: nothing passes it). */
  async #journal(ctx: ConnectorContext, draft: EventDraft): Promise<void> {
    const backoff = new Backoff({ initialMs: this.#timing.retryInitialMs, maxMs: this.#timing.retryMaxMs });
    for (;;) {
      try {
        await ctx.ingest(draft);
        return;
      } catch (err) {
        if (this.#run.signal.aborted) throw err;
        const delay = backoff.next();
        this.#deps.log.error({ err, dedupKey: draft.dedupKey, retryInMs: delay }, 'could not journal a Mattermost event; trying again (it is not acknowledged meanwhile)');
        await sleep(delay, this.#run.signal);
      }
    }
  }

  async #catchUp(ctx: ConnectorContext): Promise<void> {
    const cursor = this.#cursor;
    if (!cursor) return;
    if (!cursor.started) {
      // First start ever: nothing before now is ours to deliver; from here on the cursor tracks.
      await cursor.begin(ctx.clock.now());
      return;
    }
    const since = cursor.oldest()!;
    const options: CatchUpOptions = {
      rest: this.#rest,
      since: (channelId) => cursor.since(channelId)!,
      changeSeen: (channelId, at, key) => cursor.changeSeen(channelId, at, key),
      teamId: this.#teamId,
      normalize: this.#normalizeContext(),
      channelTypes: this.#channelTypes,
      signal: this.#run.signal,
      retryInitialMs: this.#timing.retryInitialMs,
      retryMaxMs: this.#timing.retryMaxMs,
      journal: async ({ draft, post, posted, at }) => {
        await this.#journal(ctx, draft);
        if (!posted) return cursor.advanceChange(post.channel_id, at, draft.dedupKey);
        cursor.advance(post.channel_id, post.create_at);
        this.#socket?.ackPosted(post.id);
      },
      onError: (reason, delay) => this.#deps.state.set('reconnecting', `${reason}; fetching missed posts again in ${delay} ms`),
      onTruncated: (channelId, returned) =>
        this.#deps.log.warn({ channel: channelId, returned }, 'Mattermost returned its maximum of changed posts for this channel: some changes made while disconnected may be missing'),
    };
    let journaled: number;
    try {
      ({ journaled } = await catchUp(options));
    } catch (err) {
      // A refused token here is as fatal as anywhere; anything else is an abort (stop).
      if (err instanceof FatalConnectorError) ctx.fail(err);
      throw err;
    }
    if (journaled > 0) this.#deps.log.info({ journaled, since: new Date(since).toISOString() }, 'fetched posts missed while disconnected (new, edited, deleted, reacted to)');
  }

  /** Close the socket and the listener, let the event in hand finish journaling, save the cursor, go offline. */
  async stop(): Promise<void> {
    const socket = this.#socket;
    const callbacks = this.#callbacks;
    this.#socket = undefined;
    this.#callbacks = undefined;
    this.#run.abort();
    if (socket && this.#deps.state.state !== 'failed') this.#deps.state.set('stopping');
    await socket?.close();
    await callbacks?.close();
    await this.#queue;
    await this.#cursor?.flush();
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  async send(cmd: OutboundCommand): Promise<SendResult> {
    const callbacks = this.#callbacks;
    const ttl = parseDuration(this.#config.button_ttl ?? DEFAULT_BUTTON_TTL);
    try {
      return await deliver(
        {
          rest: this.#rest,
          botUserId: this.#botUserId || (await this.#rest.getMe()).id,
          typing: (channel, parent) => this.#socket?.typing(channel, parent),
          buttons: callbacks ? () => ({ key: callbacks.key, callbackUrl: callbacks.url, ttlMs: ttl, now: this.#deps.clock.now() }) : undefined,
          signal: this.#run.signal,
          retryInitialMs: this.#timing.sendRetryInitialMs,
        },
        cmd,
      );
    } catch (err) {
      if (err instanceof SbError && err.fields.status === 401) this.#ctx?.fail(new FatalConnectorError(err.message));
      throw err;
    }
  }
}
