/**
 * The Telegram connector: long polling through grammY's raw API, driven here rather than by
 * `bot.start()` so that the `getUpdates` offset — Telegram's only acknowledgement — moves past an
 * update only once `ctx.ingest` has journaled it. Never calls `setWebhook`, never listens.
 */
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Secret } from '../../src/config/secret.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError, SbError } from '../../src/errors.js';
import { Backoff, sleep } from '../../src/supervisor/backoff.js';
import { normalizeUpdate } from './normalize.js';
import { createTransport, type Transport } from './http-transport.js';
import { deliver } from './outbound.js';
import { recover, type Verdict } from './recovery.js';
import { sdkSignal } from './sdk-signal.js';
import { POLLING_DEFAULTS } from './defaults.js';

/** The connector block after validation, secrets resolved (defaults filled in when missing). */
export interface TelegramConnectorConfig {
  token: Secret;
  api_root?: string;
  polling?: { timeout?: number; limit?: number };
  allowed_updates?: readonly string[];
  delete_webhook?: boolean;
}

/** Waits of the poll loop; injected by tests, fixed in production. */
export interface PollTiming {
  /** First wait after a network error or 5xx; doubles up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** First wait after a 409 (another poller); long, so two pollers do not fight in a hot loop. */
  conflictInitialMs: number;
  conflictMaxMs: number;
  /** First retry delay of an outbound call. */
  sendRetryInitialMs: number;
}

/** The connector's injectable edges besides config and deps (tests pass fakes; production uses defaults). */
export interface TelegramConnectorOptions extends Partial<PollTiming> {
  /** grammY's HTTP transport. Default: a fresh {@link createTransport} (node:http with keep-alive). */
  transport?: Transport;
}

const DEFAULT_TIMING: PollTiming = {
  retryInitialMs: 250,
  retryMaxMs: 15_000,
  conflictInitialMs: 30_000,
  conflictMaxMs: 300_000,
  sendRetryInitialMs: 300,
};

type AllowedUpdates = Parameters<Api['raw']['getUpdates']>[0]['allowed_updates'];

/** A Telegram bot on long polling. One instance per configured connector; start/stop may repeat. */
export class TelegramConnector implements Connector {
  readonly name: string;
  readonly platform = 'telegram';
  readonly transport = 'outbound-socket' as const;
  readonly #deps: ConnectorDeps;
  readonly #api: Api;
  readonly #transport: Transport;
  readonly #timing: PollTiming;
  readonly #poll: { timeout: number; limit: number; allowed?: AllowedUpdates };
  readonly #deleteWebhook: boolean;
  /** The next `update_id` to ask for: every update below it is journaled. */
  #offset: number | undefined;
  /** The offset Telegram last received (what it has forgotten). */
  #confirmed: number | undefined;
  #run: AbortController | undefined;
  #loop: Promise<void> | undefined;
  /** Aborted on stop, so retrying sends do not outlive the connector's run. */
  #sending = new AbortController();
  #fatal = false;
  /** In a 409 episode: from the first 409 until a long poll runs a full window undisturbed. */
  #inConflict = false;
  #outage = false;
  /** When the current run of successful long polls began (unset by any poll error). */
  #quietSince: number | undefined;

  constructor(config: TelegramConnectorConfig, deps: ConnectorDeps, options: TelegramConnectorOptions = {}) {
    this.name = deps.name;
    this.#deps = deps;
    const { transport = createTransport(), ...waits } = options;
    this.#transport = transport;
    this.#timing = { ...DEFAULT_TIMING, ...waits };
    const timeout = config.polling?.timeout ?? POLLING_DEFAULTS.timeout;
    this.#poll = {
      timeout,
      limit: config.polling?.limit ?? POLLING_DEFAULTS.limit,
      ...(config.allowed_updates ? { allowed: config.allowed_updates as AllowedUpdates } : {}),
    };
    this.#deleteWebhook = config.delete_webhook ?? true;
    // The client-side timeout must outlast a long poll, or every quiet poll would end as an error.
    this.#api = new Api(config.token.reveal(), {
      ...(config.api_root ? { apiRoot: config.api_root } : {}),
      timeoutSeconds: timeout + 15,
      fetch: transport.fetch,
    });
  }

  listeners(): ListenerInfo[] {
    return [];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  /** Check the token (`getMe`), clear a webhook if configured, then poll in the background. */
  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    if (this.#run) throw new SbError('SB_E_CONNECTOR', `telegram connector ${this.name} is already started; stop() it first`);
    const run = new AbortController();
    const onAbort = () => run.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#run = run;
    this.#fatal = false;
    this.#inConflict = false;
    this.#outage = false;
    this.#quietSince = undefined;
    this.#deps.state.set('connecting');
    let method = 'getMe';
    try {
      const me = await this.#api.raw.getMe(sdkSignal(run.signal));
      this.#deps.log.info({ botId: me.id, username: me.username }, 'bot token accepted');
      if (this.#deleteWebhook) {
        method = 'deleteWebhook';
        // Pending updates are kept: they have not been journaled yet.
        await this.#api.raw.deleteWebhook({ drop_pending_updates: false }, sdkSignal(run.signal));
      }
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      this.#run = undefined;
      if (run.signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
      const v = recover(err, method);
      if (v.action === 'fatal') {
        this.#fatal = true;
        throw new FatalConnectorError(v.reason, { fields: { errorCode: v.errorCode } });
      }
      throw new RetryableConnectorError(v.reason, v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {});
    }
    this.#deps.state.set('online');
    this.#loop = this.#pollLoop(ctx, run.signal).finally(() => signal.removeEventListener('abort', onAbort));
  }

  async #pollLoop(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    const retry = new Backoff({ initialMs: this.#timing.retryInitialMs, maxMs: this.#timing.retryMaxMs });
    const conflict = new Backoff({ initialMs: this.#timing.conflictInitialMs, maxMs: this.#timing.conflictMaxMs, jitter: 0.1 });
    const journal = new Backoff({ initialMs: this.#timing.retryInitialMs, maxMs: this.#timing.retryMaxMs });
    while (!signal.aborted) {
      // After a failure, ask without waiting: an immediate answer is what shows we are back. Not in a
      // 409 episode: a quick call always beats the other poller's waiting one, so it proves nothing.
      const probing = this.#deps.state.state !== 'online' && !this.#inConflict;
      const startedAt = this.#deps.clock.now();
      let updates: Update[];
      try {
        const offset = this.#offset;
        updates = await this.#api.raw.getUpdates(
          {
            ...(offset !== undefined ? { offset } : {}),
            timeout: probing ? 0 : this.#poll.timeout,
            limit: this.#poll.limit,
            ...(this.#poll.allowed ? { allowed_updates: this.#poll.allowed } : {}),
          },
          sdkSignal(signal),
        );
        this.#confirmed = offset;
      } catch (err) {
        if (signal.aborted) return;
        this.#quietSince = undefined;
        const v = recover(err, 'getUpdates');
        if (v.action === 'fatal') {
          this.#fatal = true;
          ctx.fail(new FatalConnectorError(v.reason, { fields: { errorCode: v.errorCode } }));
          return;
        }
        const delay = v.action === 'conflict' ? conflict.next() : retry.next(v.retryAfterMs);
        this.#reportPollError(v, delay);
        if (!(await pause(delay, signal))) return;
        continue;
      }
      const undisturbed = !probing && this.#undisturbed(startedAt, updates.length === 0);
      // A 409 episode ends only when long polling has gone a full window undisturbed: the other
      // poller, if still there, would have cut our waiting call within its own cycle.
      if (undisturbed) conflict.reset();
      if (!this.#inConflict || undisturbed) this.#recovered();
      retry.reset();
      if (updates.length === 0) continue;
      if (await this.#journal(ctx, updates)) journal.reset();
      else if (!(await pause(journal.next(), signal))) return;
    }
  }

  /**
   * Journal a batch and move the offset past every update journaled, in order. All appends are issued
   * in one turn so the journal commits them together; the offset stops at the first refused update,
   * which Telegram will deliver again (with everything after it, absorbed by the dedup key).
   */
  async #journal(ctx: ConnectorContext, updates: Update[]): Promise<boolean> {
    const outcomes = await Promise.allSettled(updates.map((u) => this.#ingest(ctx, u)));
    for (const [i, outcome] of outcomes.entries()) {
      const update = updates[i]!;
      if (outcome.status === 'rejected') {
        this.#deps.log.error({ err: outcome.reason, updateId: update.update_id }, 'could not journal an update; not confirming it, Telegram will deliver it again');
        return false;
      }
      this.#offset = update.update_id + 1;
    }
    return true;
  }

  async #ingest(ctx: ConnectorContext, update: Update): Promise<void> {
    const draft = normalizeUpdate(this.name, update);
    if (draft) await ctx.ingest(draft);
    else this.#deps.log.debug({ updateId: update.update_id, type: Object.keys(update).find((k) => k !== 'update_id') }, 'update has nothing for the agent; confirming it');
    // Answered once the press is journaled: the client's spinner stops, and a redelivery answers again harmlessly.
    if (update.callback_query) this.#answerCallback(update.callback_query.id);
  }

  #answerCallback(id: string): void {
    this.#api.raw.answerCallbackQuery({ callback_query_id: id }, sdkSignal(this.#sending.signal)).catch((err: unknown) => {
      this.#deps.log.debug({ reason: recover(err, 'answerCallbackQuery').reason }, 'could not answer a callback query');
    });
  }

  #reportPollError(v: Verdict, delayMs: number): void {
    const log = this.#deps.log;
    if (v.action === 'conflict') {
      if (!this.#inConflict) log.warn({ retryInMs: delayMs }, v.reason);
      this.#inConflict = true;
      // A stable reason: status says what to do, and the state log line is not repeated every retry.
      this.#deps.state.set('reconnecting', v.reason);
      return;
    }
    if (!this.#outage) log.warn({ retryInMs: delayMs, errorCode: v.errorCode }, `polling interrupted: ${v.reason}`);
    else log.debug({ retryInMs: delayMs, errorCode: v.errorCode }, `polling still interrupted: ${v.reason}`);
    this.#outage = true;
    this.#deps.state.set('reconnecting', `${v.reason}; polling again in ${formatDelay(delayMs)}`);
  }

  /** A long poll that waited out its timeout (empty), or long polls answered without a break for as long. */
  #undisturbed(startedAt: number, empty: boolean): boolean {
    this.#quietSince ??= startedAt;
    return empty || this.#deps.clock.now() - this.#quietSince >= this.#poll.timeout * 1000;
  }

  #recovered(): void {
    if (this.#deps.state.state === 'online') return;
    if (this.#inConflict || this.#outage) this.#deps.log.info('polling again');
    this.#inConflict = false;
    this.#outage = false;
    this.#deps.state.set('online');
  }

  /** Abort the long poll, let the batch in hand finish journaling, confirm it, go offline. */
  async stop(): Promise<void> {
    const run = this.#run;
    this.#run = undefined;
    run?.abort();
    this.#sending.abort();
    this.#sending = new AbortController();
    await this.#loop;
    this.#loop = undefined;
    // Tell Telegram what is journaled, so a restart is not handed it again (the dedup key would absorb it anyway).
    // Not after a fatal error (the token is bad) nor in a 409 episode (the call would kick the other poller).
    if (run && !this.#fatal && !this.#inConflict && this.#offset !== undefined && this.#offset !== this.#confirmed) {
      try {
        await this.#api.raw.getUpdates({ offset: this.#offset, limit: 1, timeout: 0 }, sdkSignal(AbortSignal.timeout(2_000)));
        this.#confirmed = this.#offset;
      } catch (err) {
        this.#deps.log.debug({ reason: recover(err, 'getUpdates').reason }, 'could not confirm the last batch on stop; it will be delivered again and deduplicated');
      }
    }
    // Idle keep-alive connections would otherwise linger at the Bot API server until it times them out.
    this.#transport.close();
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  send(cmd: OutboundCommand): Promise<SendResult> {
    return deliver(this.#api, cmd, { signal: this.#sending.signal, retryInitialMs: this.#timing.sendRetryInitialMs });
  }
}

/** Wait `ms`; false when aborted first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
