/**
 * The Slack connector: Socket Mode through Bolt's socket client, with the envelope ack taken out of
 * Bolt's hands — an envelope is acked only once `ctx.ingest` has journaled its event (or found it a
 * duplicate), so a crash before the ack means Slack redelivers and the dedup key absorbs the copy.
 * Outbound goes through the Web API client. Never opens a listener.
 */
import type { webApi } from '@slack/bolt';
import type { EventDraft, OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Secret } from '../../src/config/secret.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError, SbError } from '../../src/errors.js';
import { normalizeEvent, normalizeInteractive, normalizeSlashCommand, type BotIdentity, type EventCallback, type InteractivePayload, type SlashCommandPayload } from './normalize.js';
import { deliver } from './outbound.js';
import { recover } from './recovery.js';
import { tokenShapeProblems } from './schema.js';
import { web } from './sdk.js';
import { sdkLogger } from './sdk-logger.js';
import { SocketSession, type Envelope } from './socket.js';

/** The connector block after validation, secrets resolved. */
export interface SlackConnectorConfig {
  app_token: Secret;
  bot_token: Secret;
  api_url?: string;
}

/** Waits of the connector; injected by tests, fixed in production. */
export interface SlackTiming {
  /** First wait after a failed reconnect; doubles up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** First retry delay of an outbound call. */
  sendRetryInitialMs: number;
  /** The SDK's ping timeouts (client → server pong, server → client ping). */
  clientPingTimeoutMs: number;
  serverPingTimeoutMs: number;
}

const DEFAULT_TIMING: SlackTiming = {
  retryInitialMs: 500,
  retryMaxMs: 30_000,
  sendRetryInitialMs: 300,
  clientPingTimeoutMs: 5_000,
  serverPingTimeoutMs: 30_000,
};

export const DEFAULT_API_URL = 'https://slack.com/api/';

/** A Slack app on Socket Mode. One instance per configured connector; start/stop may repeat. */
export class SlackConnector implements Connector {
  readonly name: string;
  readonly platform = 'slack';
  readonly transport = 'outbound-socket' as const;
  readonly #deps: ConnectorDeps;
  readonly #config: SlackConnectorConfig;
  readonly #apiUrl: string;
  readonly #timing: SlackTiming;
  readonly #web: webApi.WebClient;
  #session: SocketSession | undefined;
  #bot: BotIdentity | undefined;
  /** Aborted on stop, so retrying sends do not outlive the connector's run. */
  #sending = new AbortController();

  constructor(config: SlackConnectorConfig, deps: ConnectorDeps, timing: Partial<SlackTiming> = {}) {
    this.name = deps.name;
    this.#deps = deps;
    this.#config = config;
    const problems = tokenShapeProblems(config.app_token.reveal(), config.bot_token.reveal());
    if (problems.length) throw new FatalConnectorError(`slack connector ${deps.name}: ${problems.join('; ')}`);
    this.#apiUrl = withSlash(config.api_url ?? DEFAULT_API_URL);
    this.#timing = { ...DEFAULT_TIMING, ...timing };
    // SDK retries off: 429 and 5xx go through our bounded retries (outbound.ts), honouring Retry-After.
    this.#web = new web.WebClient(config.bot_token.reveal(), {
      slackApiUrl: this.#apiUrl,
      logger: sdkLogger(deps.log),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  }

  listeners(): ListenerInfo[] {
    return [];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  /** Check the bot token (`auth.test`), open the socket and wait for Slack's `hello`. */
  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    if (this.#session) throw new SbError('SB_E_CONNECTOR', `slack connector ${this.name} is already started; stop() it first`);
    const state = this.#deps.state;
    state.set('connecting');
    try {
      const me = await this.#web.auth.test();
      this.#bot = { userId: String(me.user_id), ...(me.bot_id ? { botId: String(me.bot_id) } : {}) };
      this.#deps.log.info({ botUserId: me.user_id, team: me.team }, 'bot token accepted');
    } catch (err) {
      if (signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
      const v = recover(err, 'auth.test');
      if (v.action === 'fatal') throw new FatalConnectorError(v.reason, { fields: { errorCode: v.errorCode } });
      throw new RetryableConnectorError(v.reason, v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {});
    }
    const session = new SocketSession({
      appToken: this.#config.app_token.reveal(),
      apiUrl: this.#apiUrl,
      log: this.#deps.log,
      clientPingTimeoutMs: this.#timing.clientPingTimeoutMs,
      serverPingTimeoutMs: this.#timing.serverPingTimeoutMs,
      retryInitialMs: this.#timing.retryInitialMs,
      retryMaxMs: this.#timing.retryMaxMs,
      onEnvelope: (e) => void this.#onEnvelope(ctx, e),
      onDown: (reason) => {
        if (this.#session === session) state.set('reconnecting', reason);
      },
      onUp: () => {
        if (this.#session === session) state.set('online');
      },
      onFatal: (err) => {
        if (this.#session === session) ctx.fail(err);
      },
    });
    this.#session = session;
    const onAbort = () => void this.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await session.open(signal);
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      this.#session = undefined;
      await session.close();
      if (signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
      throw err;
    }
    state.set('online');
  }

  /**
   * Journal the envelope's event, then ack it. Not acked when the journal refuses: Slack redelivers
   * (with `retry_attempt`), and the dedup key makes the copy invisible to the agent.
   */
  async #onEnvelope(ctx: ConnectorContext, e: Envelope): Promise<void> {
    let draft: EventDraft | undefined;
    try {
      draft = this.#normalize(e);
    } catch (err) {
      this.#deps.log.warn({ err, envelopeType: e.type }, 'could not read an envelope; acking it so Slack does not resend it forever');
      ctx.reject('malformed');
    }
    if (draft) {
      try {
        await ctx.ingest(draft);
      } catch (err) {
        this.#deps.log.error({ err, envelopeId: e.envelope_id }, 'could not journal an event; not acking it, Slack will deliver it again');
        return;
      }
    }
    try {
      await e.ack();
    } catch {
      // The socket closed between journal and ack: Slack redelivers on the next one, the dedup key absorbs it.
      this.#deps.log.debug({ envelopeId: e.envelope_id }, 'ack not sent (socket closed); the envelope will be redelivered and deduplicated');
    }
  }

  #normalize(e: Envelope): EventDraft | undefined {
    switch (e.type) {
      case 'events_api':
        return normalizeEvent(this.name, e.body as EventCallback, this.#bot ?? { userId: '' });
      case 'interactive':
        return normalizeInteractive(this.name, e.body as InteractivePayload);
      case 'slash_commands':
        return normalizeSlashCommand(this.name, e.body as SlashCommandPayload);
      default:
        return undefined;
    }
  }

  /** Close the socket (un-acked envelopes stay with Slack), stop retrying sends, go offline. */
  async stop(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.#sending.abort();
    this.#sending = new AbortController();
    if (session) {
      if (this.#deps.state.state !== 'failed') this.#deps.state.set('stopping');
      await session.close();
    }
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  send(cmd: OutboundCommand): Promise<SendResult> {
    return deliver(this.#web, cmd, { signal: this.#sending.signal, retryInitialMs: this.#timing.sendRetryInitialMs });
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
