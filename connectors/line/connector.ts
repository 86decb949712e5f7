/**
 * The LINE connector: a webhook behind a tunnel. `start` checks the access token (bot info), then
 * opens the hardened listener on the loopback `webhook.bind` at `/hooks/<endpoint id>`. Each delivery
 * is verified strictly (X-Line-Signature over the raw bytes, before parsing), its events normalized
 * and journaled, and only then answered 200 — a journal failure is a 500 and LINE's redelivery
 * (isRedelivery, same webhookEventId) is absorbed by the dedup key. Outbound goes through the SDK's
 * MessagingApiClient (outbound.ts).
 */
import { messagingApi } from '@line/bot-sdk';
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import type { Secret } from '../../src/config/secret.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError, SbError } from '../../src/errors.js';
import { loadEndpointId, startListener, type ClientIpHeader, type Listener, type WebhookHandler, type WebhookRequest, type WebhookResponse } from '../../src/listener/index.js';
import { hmacBase64Verifier, type SignatureVerifier } from '../../src/security/hmac-base64.js';
import { splitHostPort } from '../../src/net/host-port.js';
import { normalizeEvent, type NormalizedEvent } from './normalize.js';
import { deliver } from './outbound.js';
import { eventSchema, webhookBodySchema } from './payload.js';
import { recover } from './recovery.js';
import { ReplyTokens } from './reply-tokens.js';
import { LINE_SIGNATURE_HEADER } from './signature.js';
import { hookUrl, LINE_API_BASE, LINE_BODY_LIMIT, LINE_TRUSTED_PROXIES } from './schema.js';

/** The connector block after validation, secrets resolved. */
export interface LineConnectorConfig {
  channel_secret: Secret;
  previous_secret?: { secret: Secret; until: string };
  access_token: Secret;
  api_base?: string;
  webhook: { bind: string; public_url: string; trusted_proxies?: readonly string[]; client_ip_header?: ClientIpHeader; body_limit?: number };
}

/** Injectable edges besides config and deps (tests shorten the waits). */
export interface LineConnectorOptions {
  /** First retry delay of an outbound call. Default 300 ms. */
  sendRetryInitialMs?: number;
  /** Extra listener limits (tests), merged over the connector's body limit. */
  listenerLimits?: Parameters<typeof startListener>[0]['limits'];
}

/** A LINE Official Account's webhook and Messaging API. One instance per configured connector. */
export class LineConnector implements Connector {
  readonly name: string;
  readonly platform = 'line';
  readonly transport = 'webhook' as const;
  readonly #deps: ConnectorDeps;
  readonly #config: LineConnectorConfig;
  readonly #options: LineConnectorOptions;
  readonly #client: messagingApi.MessagingApiClient;
  readonly #verify: SignatureVerifier;
  readonly #tokens: ReplyTokens;
  #listener: Listener | undefined;
  #starting = false;
  /** Aborted on stop, so retrying sends do not outlive the connector's run. */
  #sending = new AbortController();

  constructor(config: LineConnectorConfig, deps: ConnectorDeps, options: LineConnectorOptions = {}) {
    this.name = deps.name;
    this.#deps = deps;
    this.#config = config;
    this.#options = options;
    this.#client = new messagingApi.MessagingApiClient({ channelAccessToken: config.access_token.reveal(), baseURL: config.api_base ?? LINE_API_BASE });
    const previous = config.previous_secret ? { secret: config.previous_secret.secret, until: Date.parse(config.previous_secret.until) } : undefined;
    this.#verify = hmacBase64Verifier({ secrets: { current: config.channel_secret, ...(previous ? { previous } : {}) }, clock: deps.clock });
    this.#tokens = new ReplyTokens(deps.clock);
  }

  listeners(): ListenerInfo[] {
    const l = this.#listener;
    if (!l) return [];
    const bind = l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
    return [{ bind, exposure: 'public', publicUrl: hookUrl(this.#config.webhook.public_url, l.path), verification: 'signature', counters: l.counters() }];
  }

  status(): ConnectorStatus {
    return this.#deps.state.snapshot();
  }

  /** Check the access token, then listen; resolves once the listener is bound. */
  async start(ctx: ConnectorContext, signal: AbortSignal): Promise<void> {
    if (this.#listener || this.#starting) throw new SbError('SB_E_CONNECTOR', `line connector ${this.name} is already started; stop() it first`);
    this.#starting = true;
    this.#deps.state.set('connecting');
    try {
      await this.#checkToken();
      if (signal.aborted) throw new SbError('SB_E_ABORTED', 'start aborted');
      const endpointId = await loadEndpointId(this.#deps.stateDir, this.name);
      const { host, port } = splitHostPort(this.#config.webhook.bind);
      this.#listener = await startListener({
        connector: this.name,
        host,
        port,
        endpointId,
        handler: this.#handler(ctx),
        limits: { bodyLimit: this.#config.webhook.body_limit ?? LINE_BODY_LIMIT, ...this.#options.listenerLimits },
        trustedProxies: this.#config.webhook.trusted_proxies ?? LINE_TRUSTED_PROXIES,
        ...(this.#config.webhook.client_ip_header ? { clientIpHeader: this.#config.webhook.client_ip_header } : {}),
        log: this.#deps.log,
        clock: this.#deps.clock,
      });
    } finally {
      this.#starting = false;
    }
    this.#sending = new AbortController();
    const info = this.listeners()[0]!;
    // The log redacts the endpoint id (the path is a capability); `switchboard status` shows it whole.
    this.#deps.log.info({ bind: info.bind, hookUrl: info.publicUrl }, 'LINE webhook listening; `switchboard status` shows the Webhook URL to enter in the LINE Developers console');
    this.#deps.state.set('online');
  }

  /** Bot info proves the token; a refusal is fatal (no restart loop), anything else is retried by the supervisor. */
  async #checkToken(): Promise<void> {
    try {
      const bot = await this.#client.getBotInfo();
      this.#deps.log.info({ botUserId: bot.userId, basicId: bot.basicId }, 'LINE channel access token accepted');
    } catch (err) {
      const v = recover(err, 'getBotInfo');
      if (v.action === 'fatal') throw new FatalConnectorError(v.reason, v.status !== undefined ? { fields: { status: v.status } } : {});
      throw new RetryableConnectorError(v.reason, v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {});
    }
  }

  #handler(ctx: ConnectorContext): WebhookHandler {
    return {
      contentTypes: ['application/json'],
      // LINE's id is per event, not per request: no request-level delivery id (redeliveries must pass).
      verify: (req) => this.#verify(req.rawBody, req.headers[LINE_SIGNATURE_HEADER]),
      handle: (body, req) => this.#handle(ctx, body, req),
    };
  }

  /**
   * Journal every usable event of a verified delivery; answer 200 only once all appends resolved. The
   * body is authenticated, so no answer here counts toward the fail-ban: an event of an unexpected
   * shape is logged, counted (`bad-event`) and skipped — redelivering it would not change it — and
   * only a body with no `events` array at all is a 400 (`bad-payload`).
   */
  async #handle(ctx: ConnectorContext, body: unknown, req: WebhookRequest): Promise<WebhookResponse> {
    const parsed = webhookBodySchema.safeParse(body);
    if (!parsed.success) {
      this.#deps.log.warn({ correlationId: req.correlationId, issues: issuesOf(parsed.error) }, 'LINE webhook body has no events array; answered 400');
      return { status: 400, reason: 'bad-payload' };
    }
    const events = parsed.data.events;
    await Promise.all(
      events.map(async (raw, i) => {
        const correlationId = events.length === 1 ? req.correlationId : `${req.correlationId}.${i}`;
        const n = this.#normalize(ctx, raw, correlationId);
        if (!n) return;
        n.draft.correlationId = correlationId;
        const r = await ctx.ingest(n.draft);
        if (r.status === 'appended' && n.draft.messageId) this.#tokens.remember(n.draft.messageId, { ...(n.replyToken ? { replyToken: n.replyToken } : {}), ...(n.quoteToken ? { quoteToken: n.quoteToken } : {}) });
        if (r.status === 'duplicate') this.#deps.log.debug({ correlationId }, 'LINE event already journaled (redelivery)');
      }),
    );
    return { status: 200 };
  }

  /** One event → a draft; `undefined` for nothing to journal (a kind the agent has no use for, or a malformed event: logged and counted). */
  #normalize(ctx: ConnectorContext, raw: unknown, correlationId: string): NormalizedEvent | undefined {
    const ev = eventSchema.safeParse(raw);
    if (!ev.success) {
      this.#deps.log.warn({ correlationId, issues: issuesOf(ev.error) }, 'LINE event has an unexpected shape; skipped, the rest of the delivery is journaled');
      ctx.reject('bad-event');
      return undefined;
    }
    let n: NormalizedEvent | undefined;
    try {
      n = normalizeEvent(this.name, ev.data);
    } catch (err) {
      this.#deps.log.warn({ correlationId, type: ev.data.type, err }, 'LINE event could not be normalized; skipped');
      ctx.reject('bad-event');
      return undefined;
    }
    if (!n) this.#deps.log.debug({ correlationId, type: ev.data.type }, 'LINE event has nothing for the agent; acknowledged');
    return n;
  }

  /** Close the listener (in-flight deliveries finish or are cut), stop retrying sends, go offline. */
  async stop(): Promise<void> {
    const l = this.#listener;
    this.#listener = undefined;
    this.#sending.abort();
    await l?.close();
    if (this.#deps.state.state !== 'failed') this.#deps.state.set('offline');
  }

  send(cmd: OutboundCommand): Promise<SendResult> {
    return deliver(
      {
        client: this.#client,
        tokens: this.#tokens,
        signal: this.#sending.signal,
        ...(this.#options.sendRetryInitialMs !== undefined ? { retryInitialMs: this.#options.sendRetryInitialMs } : {}),
        onReplyFallback: (reason) => this.#deps.log.debug({ reason }, 'reply token not usable; pushed instead'),
      },
      cmd,
    );
  }
}

/** The first few zod issues, `path: message`, for the log. */
function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}


