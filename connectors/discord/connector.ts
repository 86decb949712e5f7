/**
 * The Discord connector: a bot on the Gateway through discord.js's Gateway layer (@discordjs/ws). Dispatches are journaled in order
 * (pipeline.ts) and the session resumes from the last journaled sequence (resume-point.ts), persisted
 * in the state directory (session-store.ts) so that even after kill -9 the next run resumes and
 * Discord replays what was missed. Outbound goes through @discordjs/rest (outbound.ts).
 */
import { join } from 'node:path';
import type { APIUser } from 'discord.js';
import { discordRest } from './sdk.js';
import type { EventDraft, OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Secret } from '../../src/config/secret.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError, SbError, describeError } from '../../src/errors.js';
import { Backoff, isAbort, sleep } from '../../src/supervisor/backoff.js';
import { sendWithRetries } from '../../src/supervisor/send-retry.js';
import { ChannelDirectory, type RawChannel } from './channels.js';
import { Gateway } from './gateway.js';
import { planOutbound } from './outbound.js';
import { DispatchPipeline } from './pipeline.js';
import { recoveryFor } from './recovery.js';
import { restFailure } from './rest-limits.js';
import { ResumePoint } from './resume-point.js';
import { SessionStore } from './session-store.js';

/** The validated config block (schema.ts) as the connector reads it; `token` already resolved. */
export interface DiscordConnectorConfig {
  token: Secret;
  api_base: string;
}

/** One start → stop of the connector. */
interface Run {
  ctx: ConnectorContext;
  signal: AbortSignal;
  gateway: Gateway;
  point: ResumePoint;
  pipeline: DispatchPipeline | undefined;
  botId: string;
  online: boolean;
  stopping: boolean;
  recovering: boolean;
  fatal: FatalConnectorError | undefined;
}

/**
 * The Discord connector (see the file comment). `start` rejects with `FatalConnectorError` for a
 * refused token or a fatal close code, and with a retryable error for anything else.
 */
export class DiscordConnector implements Connector {
  readonly name: string;
  readonly platform = 'discord';
  readonly transport = 'outbound-socket' as const;
  readonly #config: DiscordConnectorConfig;
  readonly #deps: ConnectorDeps;
  readonly #store: SessionStore;
  readonly #resumeBackoff = new Backoff({ initialMs: 200, maxMs: 10_000 });
  #run: Run | undefined;

  constructor(config: DiscordConnectorConfig, deps: ConnectorDeps) {
    this.name = deps.name;
    this.#config = config;
    this.#deps = deps;
    this.#store = new SessionStore(join(deps.stateDir, `discord-${deps.name}.session.json`), deps.log);
  }

  listeners(): ListenerInfo[] {
    return [];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    if (this.#run) await this.stop();
    const { state, log } = this.#deps;
    state.set('connecting');
    const point = new ResumePoint();
    const gateway = new Gateway({
      token: this.#config.token.reveal(), apiBase: this.#config.api_base, point, log,
      hooks: {
        dispatch: (p) => run.pipeline?.push(p),
        hello: () => undefined,
        live: (how) => this.#onLive(run, how),
        closed: (code) => this.#onClosed(run, code),
      },
    });
    const run: Run = { ctx, signal, gateway, point, pipeline: undefined, botId: '', online: false, stopping: false, recovering: false, fatal: undefined };
    this.#run = run;
    try {
      const me = await abortable(this.#whoAmI(run.gateway), signal);
      run.botId = me.id;
      run.pipeline = this.#pipeline(run);
      const stored = await this.#store.load();
      if (stored?.botId === me.id) point.restore(stored);
      const how = await abortable(run.gateway.login(), signal);
      if (stored?.botId === me.id && how === 'identified') {
        log.warn('the saved Discord session could not be resumed; events from while switchboard was down are not recoverable');
      }
      run.online = true;
      state.set('online');
      log.info({ session: how }, how === 'resumed' ? 'resumed the Discord session' : 'identified a new Discord session');
    } catch (err) {
      if (this.#run === run) this.#run = undefined;
      run.stopping = true;
      await run.gateway.close().catch(() => undefined);
      throw run.fatal ?? classify(err);
    }
  }

  /** `GET /users/@me`: checks the token before the Gateway, and gives the bot's id. */
  async #whoAmI(gateway: Gateway): Promise<APIUser> {
    return (await gateway.rest.get('/users/@me')) as APIUser;
  }

  #pipeline(run: Run): DispatchPipeline {
    const { log } = this.#deps;
    const rest = run.gateway.rest;
    return new DispatchPipeline({
      connector: this.name,
      botId: run.botId,
      point: run.point,
      channels: new ChannelDirectory(
        async (id) => (await rest.get(`/channels/${id}`)) as RawChannel,
        (id, err) => log.warn({ channel: id, err: describeError(err) }, 'could not look up a Discord channel; treating it as a plain channel'),
      ),
      ingest: (draft) => run.ctx.ingest(draft),
      journaled: (t, d) => this.#acknowledge(run, t, d),
      declined: (t, d) => this.#acknowledge(run, t, d),
      progressed: () => {
        this.#resumeBackoff.reset();
        this.#persist(run);
      },
      refused: (err, resume) => this.#onRefused(run, err, resume),
      failed: (err, t) => log.error({ err, dispatch: t }, 'could not normalize a Discord dispatch; passing it over'),
    });
  }

  /** Acknowledge a button interaction with a deferred update, so Discord does not show "interaction failed". */
  #acknowledge(run: Run, t: string, d: unknown): void {
    if (t !== 'INTERACTION_CREATE') return;
    const { id, token } = d as { id: string; token: string };
    run.gateway.rest
      .post(`/interactions/${id}/${encodeURIComponent(token)}/callback`, { body: { type: 6 }, auth: false })
      .catch((err: unknown) => this.#deps.log.warn({ err: describeError(err), interaction: id }, 'could not acknowledge a Discord interaction'));
  }

  #persist(run: Run): void {
    const snapshot = run.point.snapshot();
    this.#store.schedule(snapshot ? { version: 1, botId: run.botId, ...snapshot, savedAt: new Date(this.#deps.clock.now()).toISOString() } : null);
  }

  #onLive(run: Run, how: 'identified' | 'resumed'): void {
    if (how === 'identified' && run.botId) {
      // A new session is written at once: a crash right after READY must still find it to resume.
      this.#persist(run);
      void this.#store.flush();
    }
    if (run.online && !run.stopping) {
      this.#deps.state.set('online');
      this.#deps.log.info(how === 'resumed' ? 'resumed the Discord session' : 'identified a new Discord session');
    }
  }

  #onClosed(run: Run, code: number): void {
    if (run.stopping) return;
    const rule = recoveryFor(code);
    if (rule.recovery === 'fatal') {
      run.fatal = new FatalConnectorError(rule.reason, { fields: { closeCode: code } });
      if (run.online) run.ctx.fail(run.fatal);
      return;
    }
    this.#deps.log.info({ closeCode: code, recovery: rule.recovery }, `Discord connection closed: ${rule.reason}`);
    if (run.online) this.#deps.state.set('reconnecting', `${rule.reason} (${code}); ${rule.recovery === 'resume' ? 'resuming' : 're-identifying'}`);
  }

  /** The journal refused an event: resume the session (with backoff) so Discord sends it again. */
  #onRefused(run: Run, err: unknown, resume: boolean): void {
    const { log } = this.#deps;
    if (run.stopping) return; // not journaled, not persisted: the next run's resume brings it
    log.error({ err: describeError(err) }, resume ? 'the journal refused a Discord event; resuming the session to get it again' : 'the journal refused a Discord event');
    if (!resume || run.recovering) return;
    run.recovering = true;
    void (async () => {
      try {
        while (run.point.blocked && !run.stopping) {
          await sleep(this.#resumeBackoff.next(), run.signal);
          await run.gateway.resume('journal refused an event');
        }
      } catch (err2) {
        if (!isAbort(err2) && !run.stopping) run.ctx.fail(run.fatal ?? new RetryableConnectorError(`could not resume the Discord session: ${describeError(err2)}`, { cause: err2 }));
      } finally {
        run.recovering = false;
      }
    })();
  }

  async stop(): Promise<void> {
    const run = this.#run;
    this.#run = undefined;
    if (run) {
      run.stopping = true;
      await run.gateway.close().catch((err: unknown) => this.#deps.log.warn({ err }, 'closing the Discord client failed'));
      await run.pipeline?.idle();
      // Only now: everything journaled is in the snapshot, nothing beyond it.
      if (run.botId) this.#persist(run);
      await this.#store.flush();
    }
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  async send(cmd: OutboundCommand): Promise<SendResult> {
    const run = this.#run;
    if (!run?.online) throw new SbError('SB_E_SEND', `connector ${this.name} is not connected to Discord; try again when it is online`);
    const messageIds: string[] = [];
    for (const call of planOutbound(cmd)) {
      // @discordjs/rest already waits out short rate limits and retries 5xx: one attempt here, for the error's shape.
      const result = await sendWithRetries(
        () => run.gateway.rest[call.method](call.route, call.body ? { body: call.body } : {}),
        (err) => restFailure(err, cmd.type),
        { signal: run.signal, maxAttempts: 1 },
      );
      if (call.yieldsMessage) messageIds.push((result as { id: string }).id);
    }
    return { messageIds };
  }
}

/** A start failure: a refused token is fatal (no restart loop); anything else is retried. */
function classify(err: unknown): Error {
  if (err instanceof SbError) return err;
  if (err instanceof discordRest.DiscordAPIError && err.status === 401) {
    return new FatalConnectorError('Discord rejected the bot token (401 Unauthorized): reset it under Developer Portal → Bot and update `token`', { cause: err });
  }
  if ((err as { code?: unknown })?.code === 'TokenInvalid') {
    return new FatalConnectorError('Discord rejected the bot token: reset it under Developer Portal → Bot and update `token`', { cause: err });
  }
  return new RetryableConnectorError(`could not connect to Discord: ${describeError(err)}`, { cause: err });
}

/** `promise`, or a rejection with `SB_E_ABORTED` as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new SbError('SB_E_ABORTED', 'aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SbError('SB_E_ABORTED', 'aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
