/**
 * The Feishu / Lark connector: the SDK's `WSClient` long connection for events, its `Client` for
 * OpenAPI calls. The SDK acknowledges a data frame once the dispatcher's handler settles — with code
 * 200 when it resolves, 500 (the platform redelivers) when it throws — so the handler awaits
 * `ctx.ingest`: nothing is acknowledged before it is journaled. Fragmented events are reassembled by
 * the SDK; redeliveries are absorbed by the dedup key `connector:event_id`. Never listens.
 */
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Secret } from '../../src/config/secret.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError, SbError } from '../../src/errors.js';
import { normalizeEvent } from './normalize.js';
import { deliver } from './outbound.js';
import { recover } from './recovery.js';
import { APP_ID } from './schema.js';
import { sdkLogger } from './sdk-logger.js';
import { TokenCache } from './token-cache.js';

// Loaded with require, not import: an ESM import of the SDK's 6 MB CommonJS bundle runs Node's export
// scanner over it and keeps ~30 MB more resident (measured: 106 MB vs 74 MB for a bare process).
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark;

/** The connector block after validation, secrets resolved. */
export interface FeishuConnectorConfig {
  app_id: string;
  app_secret: Secret;
  /** `feishu` (default), `lark`, or a base URL. */
  domain?: string;
}

/** Injectable edges besides config and deps. */
export interface FeishuConnectorOptions {
  /** First retry delay of an outbound call. Default 300 ms. */
  sendRetryInitialMs?: number;
  /** How long the WebSocket handshake may take before the attempt counts as failed. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** How long `start` waits for the first connection before failing (retryable). Default 20 s. */
  connectTimeoutMs?: number;
}

/** The SDK's domain argument for a configured `domain`. */
export function sdkDomain(domain: string | undefined): Lark.Domain | string {
  if (domain === undefined || domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

/** A Feishu / Lark app on the long connection. One instance per configured connector; start/stop may repeat. */
export class FeishuConnector implements Connector {
  readonly name: string;
  readonly platform = 'feishu';
  readonly transport = 'outbound-socket' as const;
  readonly #deps: ConnectorDeps;
  readonly #config: FeishuConnectorConfig;
  readonly #options: FeishuConnectorOptions;
  /** Built on the first send: a Client instantiates every OpenAPI namespace (~10 MB), which an idle runtime does not need. */
  #clientInstance: Lark.Client | undefined;
  readonly #sdkLog: ReturnType<typeof sdkLogger>;
  #ws: Lark.WSClient | undefined;
  #ctx: ConnectorContext | undefined;
  /** Bumped on every start and stop, so callbacks of a closed client cannot move the state. */
  #generation = 0;
  #sending = new AbortController();

  constructor(config: FeishuConnectorConfig, deps: ConnectorDeps, options: FeishuConnectorOptions = {}) {
    if (!APP_ID.test(config.app_id)) {
      // WSClient.start() would log one line and return: no connection, no error, forever "connecting".
      throw new FatalConnectorError('app_id must be cli_ followed by 16 hex digits; the Lark SDK silently ignores any other value');
    }
    this.name = deps.name;
    this.#deps = deps;
    this.#config = config;
    this.#options = options;
    this.#sdkLog = sdkLogger(deps.log);
  }

  get #client(): Lark.Client {
    this.#clientInstance ??= new lark.Client({
      appId: this.#config.app_id,
      appSecret: this.#config.app_secret.reveal(),
      domain: sdkDomain(this.#config.domain),
      cache: new TokenCache(() => this.#deps.clock.now()),
      logger: this.#sdkLog,
      loggerLevel: lark.LoggerLevel.info,
    });
    return this.#clientInstance;
  }

  listeners(): ListenerInfo[] {
    return [];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  /**
   * Fetch the endpoint and open the socket; resolves once connected. Rejects with
   * `FatalConnectorError` when the app is refused, `RetryableConnectorError` when the platform
   * cannot be reached (the supervisor backs off and starts again).
   */
  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    if (this.#ws) throw new SbError('SB_E_CONNECTOR', `feishu connector ${this.name} is already started; stop() it first`);
    if (signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.#ctx = ctx;
    this.#deps.state.set('connecting');
    let ready = false;
    let settle!: { resolve: () => void; reject: (err: Error) => void };
    const opened = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const dispatcher = new lark.EventDispatcher({ logger: this.#sdkLog, loggerLevel: lark.LoggerLevel.info }).register({
      'im.message.receive_v1': (data: Record<string, unknown>) => this.#onEvent(ctx, data),
      'card.action.trigger': (data: Record<string, unknown>) => this.#onEvent(ctx, data),
    });
    const ws = new lark.WSClient({
      appId: this.#config.app_id,
      appSecret: this.#config.app_secret.reveal(),
      domain: sdkDomain(this.#config.domain),
      logger: this.#sdkLog,
      loggerLevel: lark.LoggerLevel.info,
      autoReconnect: true,
      handshakeTimeoutMs: this.#options.handshakeTimeoutMs ?? 10_000,
      onReady: () => {
        ready = true;
        settle.resolve();
      },
      onError: (err) => {
        if (!ready) settle.reject(err);
        else if (current()) this.#lost(ctx, err);
      },
      onReconnecting: () => {
        if (current()) this.#deps.state.set('reconnecting', 'long connection lost; fetching a new endpoint and reconnecting');
      },
      onReconnected: () => {
        if (!current()) return;
        this.#deps.log.info('long connection back');
        this.#deps.state.set('online');
      },
    });
    this.#ws = ws;
    const onAbort = () => settle.reject(new SbError('SB_E_ABORTED', 'start aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    // The SDK retries a failed first attempt on its own schedule (minutes apart before the platform
    // has sent a ClientConfig); past this deadline the supervisor's backoff takes over instead.
    const timer = setTimeout(
      () => settle.reject(new RetryableConnectorError('cannot open the long connection (endpoint or WebSocket unreachable)')),
      this.#options.connectTimeoutMs ?? 20_000,
    );
    // start() does not wait for the connection; onReady / onError settle `opened`.
    void ws.start({ eventDispatcher: dispatcher });
    try {
      await opened;
    } catch (err) {
      ws.close({ force: true });
      if (this.#ws === ws) this.#ws = undefined;
      if (err instanceof SbError) throw err;
      const v = recover(err, 'long connection');
      if (v.action === 'fatal') throw new FatalConnectorError(v.reason);
      throw new RetryableConnectorError(v.reason);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    if (!current()) throw new SbError('SB_E_ABORTED', 'stopped while starting');
    this.#deps.state.set('online');
    this.#deps.log.info({ appId: this.#config.app_id }, 'long connection open');
    signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** Journal the event, then return: the SDK acknowledges the frame only after this resolves. */
  async #onEvent(ctx: ConnectorContext, data: Record<string, unknown>): Promise<undefined> {
    const draft = normalizeEvent(this.name, data);
    if (!draft) {
      this.#deps.log.debug({ eventType: data.event_type, eventId: data.event_id }, 'event has nothing for the agent; acknowledging it');
      return undefined;
    }
    // A rejection makes the SDK answer code 500, and the platform delivers the event again.
    await ctx.ingest(draft);
    return undefined;
  }

  #lost(ctx: ConnectorContext, err: Error): void {
    const v = recover(err, 'long connection');
    this.#deps.log.warn({ reason: v.reason }, 'long connection gave up');
    ctx.fail(v.action === 'fatal' ? new FatalConnectorError(v.reason) : new RetryableConnectorError(v.reason));
  }

  /** Close the socket (unacknowledged events are redelivered on the next connection) and go offline. */
  async stop(): Promise<void> {
    this.#generation++;
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.close({ force: true });
    this.#sending.abort();
    this.#sending = new AbortController();
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  send(cmd: OutboundCommand): Promise<SendResult> {
    return deliver(this.#client, cmd, {
      signal: this.#sending.signal,
      retryInitialMs: this.#options.sendRetryInitialMs ?? 300,
      onAuthFailure: (v) => this.#ctx?.fail(new FatalConnectorError(v.reason)),
    });
  }
}
