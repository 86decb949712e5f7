/**
 * The hardened listener's contract (DESIGN.md "The hardened listener"). `src/listener/` is the only
 * code in Switchboard that accepts inbound traffic. A webhook connector supplies a `WebhookHandler`
 * (its verification and its journaling); the listener owns everything else: connection limits, rate
 * limits, the unguessable route, method/content-type/IP checks, the streamed body cap, the JSON guard,
 * generic responses and per-listener counters.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

export interface JsonLimits {
  /** Deepest nesting of objects/arrays. Default 32. */
  maxDepth: number;
  /** Object keys + array items in the whole document. Default 10,000. */
  maxKeys: number;
  /** Longest string (key or value), in UTF-16 code units after unescaping. Default 64 KiB. */
  maxStringLength: number;
}

export interface ListenerLimits {
  headersTimeoutMs: number; // 5 s
  requestTimeoutMs: number; // 10 s
  keepAliveTimeoutMs: number; // 5 s
  maxHeaderSize: number; // 8 KiB
  maxRequestsPerSocket: number; // 100
  maxConnections: number; // 256
  maxConnectionsPerIp: number; // 32
  /** How often Node checks the header/request timeouts (its default is 30 s, which lets slowloris live). Default 1 s. */
  connectionsCheckingIntervalMs?: number;
  /** Streamed cap on the request body; past it: 413 and the socket closed. Per connector (LINE 256 KiB, Mattermost 64 KiB). */
  bodyLimit: number;
  json: JsonLimits;
  /** A source IP with more than `threshold` failed verifications within `windowMs` is refused for `banMs`, before any HMAC work. */
  failBan: { threshold: number; windowMs: number; banMs: number };
  /** Overall per-endpoint ceiling (token bucket): requests/s and burst. Sheds with 429 + Retry-After. */
  rate: { perSecond: number; burst: number };
}

/** What the listener hands the connector: raw bytes, before any parsing. */
export interface WebhookRequest {
  rawBody: Buffer;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The client IP: the TCP peer, or the forwarded client IP when the peer is a trusted proxy. */
  clientIp: string;
  /** One id for this request in the ingress log, the bus event and the reply. */
  correlationId: string;
  receivedAt: number;
}

/**
 * The connector's signature check over the raw bytes (constant time, strict encodings). A failure
 * counts toward the source IP's fail-ban and is answered with a generic 401; the reason is logged
 * and counted, never sent.
 */
export type Verdict = { ok: true; deliveryId?: string } | { ok: false; reason: string };

export interface WebhookResponse {
  status: number;
  /** Serialized as JSON; omitted = an empty generic body. */
  body?: unknown;
  /**
   * Set when the request failed a check the handler does after parsing (e.g. Mattermost's
   * HMAC token in the action context): counted under this reason and toward the IP's fail-ban.
   */
  failure?: string;
  /**
   * For an error status without `failure`: the counter and log reason (default `handler-<status>`).
   * Not charged to the fail-ban — use it for a verified request the handler cannot use.
   */
  reason?: string;
}

export interface WebhookHandler {
  /** Accepted media types (parameters such as `charset` ignored), e.g. `['application/json']`. */
  contentTypes: readonly string[];
  /**
   * Signature over the raw bytes, before any parsing. Mattermost's unsigned callbacks return
   * `{ ok: true }` here and check their token in `handle`.
   */
  verify(req: WebhookRequest): Verdict;
  /**
   * The guarded, parsed JSON of a verified request. Journal (ctx.ingest) and only then resolve with a
   * 2xx; do not wait for the agent. A rejection here is answered 500 (the platform retries).
   */
  handle(body: unknown, req: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * Which forwarding header names the client when the TCP peer is a trusted proxy:
 * `x-forwarded-for` (right-most hop that is not a trusted proxy; Tailscale Funnel, cloudflared, most
 * reverse proxies) or `cf-connecting-ip` (only behind cloudflared, whose edge overwrites it).
 */
export type ClientIpHeader = 'x-forwarded-for' | 'cf-connecting-ip';

export interface ListenerOptions {
  /** The connector name (for logs and the endpoint-id file). */
  connector: string;
  /** Where to bind; port 0 = any free port. */
  host: string;
  port: number;
  /** `whk_` + 32 hex; see `loadEndpointId`. The route is `POST /hooks/<endpointId>`. */
  endpointId: string;
  handler: WebhookHandler;
  limits?: Partial<Omit<ListenerLimits, 'json' | 'failBan' | 'rate'>> & {
    json?: Partial<JsonLimits>;
    failBan?: Partial<ListenerLimits['failBan']>;
    rate?: Partial<ListenerLimits['rate']>;
  };
  /** CIDRs (or single addresses) of proxies whose forwarding header (`clientIpHeader`) is believed. */
  trustedProxies?: readonly string[];
  /** The one header a trusted proxy names the client in. Default `x-forwarded-for`. */
  clientIpHeader?: ClientIpHeader;
  /** When set, only these client CIDRs may reach the route (others: generic 403). */
  allowIps?: readonly string[];
  /** Secret value(s) to scrub from the log are the logger's job: pass the runtime's redacting logger. */
  log: Logger;
  clock?: Clock;
}

export interface ListenerCounters {
  accepted: number;
  rejected: number;
  /** e.g. `bad-signature`, `unknown-endpoint`, `body-too-large`, `rate-limited`, `banned`, `json-too-deep`. */
  rejectedBy: Record<string, number>;
}

export interface ListenerStats {
  /** Source IPs with an open socket. */
  ipConnections: number;
  /** Source IPs tracked by the fail-ban. */
  failBanEntries: number;
  /** Delivery ids remembered by the replay cache. */
  replayEntries: number;
}

export interface Listener {
  /** The bound address (the real port when 0 was asked). */
  readonly host: string;
  readonly port: number;
  /** `/hooks/<endpointId>` */
  readonly path: string;
  /** `http://host:port/hooks/<endpointId>` */
  readonly url: string;
  /** The limits in force (defaults overlaid with the connector's overrides). */
  readonly limits?: ListenerLimits;
  counters(): ListenerCounters;
  /** Sizes of the bounded per-IP and replay tables (for tests and `status`). */
  stats?(): ListenerStats;
  /** Stop accepting, end keep-alive sockets, resolve when the server is closed. Idempotent. */
  close(): Promise<void>;
}

/*
 * `src/listener/index.ts` exports:
 *   startListener(options: ListenerOptions): Promise<Listener>
 *   loadEndpointId(stateDir: string, connector: string): Promise<string>
 *     — `whk_` + 32 hex from the CSPRNG, created (0600) on first start, the same ever after.
 *   DEFAULT_LIMITS: ListenerLimits
 */
