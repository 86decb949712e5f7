/**
 * One Socket Mode connection per app token, through Bolt's `SocketModeClient` used without an App or
 * a receiver (loaded by sdk.ts): it dials and parses, and nothing in Bolt acks for us. Reconnects are ours, not the SDK's: a new socket is opened
 * only after the old one has closed, with backoff, and a generation counter keeps a stale reconnect
 * from reviving a stopped session.
 */
import type { Logger } from 'pino';
import { FatalConnectorError, RetryableConnectorError } from '../../src/errors.js';
import { Backoff, sleep } from '../../src/supervisor/backoff.js';
import { recover } from './recovery.js';
import { SocketModeClient, type SocketClient } from './sdk.js';
import { sdkLogger } from './sdk-logger.js';

export type { SocketClient } from './sdk.js';

/** One envelope as the socket client hands it over: ack it once it is journaled. */
export interface Envelope {
  type: string;
  envelope_id: string;
  body: unknown;
  retry_num?: number;
  ack: (response?: Record<string, unknown>) => Promise<void>;
}

export interface SocketOptions {
  appToken: string;
  apiUrl: string;
  log: Logger;
  /** Client-side ping timeout (the SDK pings at a third of it). Default 5 s. */
  clientPingTimeoutMs?: number;
  serverPingTimeoutMs?: number;
  retryInitialMs: number;
  retryMaxMs: number;
  onEnvelope(envelope: Envelope): void;
  /** The connection dropped (`reason`) or came back (`undefined`). */
  onDown(reason: string): void;
  onUp(): void;
  /** Reconnecting cannot help (the app token was refused). */
  onFatal(err: FatalConnectorError): void;
}

const DISCONNECT = /"type"\s*:\s*"disconnect"/;

/** A Socket Mode session: `open` once, then it keeps itself connected until `close`. */
export class SocketSession {
  readonly #o: SocketOptions;
  readonly #client: SocketClient;
  #generation = 0;
  #closed = false;
  #reconnecting = false;
  /** The reason of the last `disconnect` message, consumed by the close that follows it. */
  #asked: string | undefined;
  /** Our listeners on the client, removed on close; the SDK's own (its `error` logger) stay. */
  readonly #listeners: Record<string, Parameters<SocketClient['on']>[1]>;

  constructor(options: SocketOptions) {
    this.#o = options;
    this.#client = new SocketModeClient({
      appToken: options.appToken,
      logger: sdkLogger(options.log),
      autoReconnectEnabled: false,
      ...(options.clientPingTimeoutMs !== undefined ? { clientPingTimeout: options.clientPingTimeoutMs } : {}),
      ...(options.serverPingTimeoutMs !== undefined ? { serverPingTimeout: options.serverPingTimeoutMs } : {}),
      // No SDK retries: apps.connections.open failures go through our backoff and recovery table.
      clientOptions: { slackApiUrl: options.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    });
    this.#listeners = {
      slack_event: (e: Envelope) => {
        if (e.envelope_id) options.onEnvelope(e);
      },
      ws_message: (data: unknown) => {
        // Only the short control messages are inspected; envelopes are parsed once, by the client.
        if (typeof data === 'string' && data.length < 512 && DISCONNECT.test(data)) {
          try {
            this.#asked = String((JSON.parse(data) as { reason?: unknown }).reason ?? 'unknown');
          } catch {
            this.#asked = 'unknown';
          }
        }
      },
      disconnected: () => this.#onClosed(),
    };
    for (const [event, listener] of Object.entries(this.#listeners)) this.#client.on(event, listener);
  }

  /** Connect and wait for `hello`; rejects with a Fatal or Retryable connector error. */
  async open(signal: AbortSignal): Promise<void> {
    this.#closed = false;
    const generation = ++this.#generation;
    try {
      this.#reconnecting = true;
      await this.#connectOnce();
    } catch (err) {
      if (signal.aborted) throw err;
      throw toConnectorError(err);
    } finally {
      if (generation === this.#generation) this.#reconnecting = false;
    }
  }

  async #connectOnce(): Promise<void> {
    try {
      await this.#client.start();
    } catch (err) {
      // `start` rejects with undefined when the socket closes before `hello`.
      throw err ?? new RetryableConnectorError('the Socket Mode connection closed before Slack said hello');
    }
  }

  #onClosed(): void {
    if (this.#closed || this.#reconnecting) return;
    const reason = this.#asked ? `Slack asked to reconnect (${this.#asked})` : 'the Socket Mode connection dropped';
    const asked = this.#asked !== undefined;
    this.#asked = undefined;
    this.#o.onDown(reason);
    void this.#reconnect(++this.#generation, asked, reason);
  }

  /** Reconnect until online, fatal, or closed. Slack's own `disconnect` is answered at once. */
  async #reconnect(generation: number, immediate: boolean, reason: string): Promise<void> {
    this.#reconnecting = true;
    const backoff = new Backoff({ initialMs: this.#o.retryInitialMs, maxMs: this.#o.retryMaxMs });
    let delay = immediate ? 0 : backoff.next();
    try {
      for (;;) {
        if (delay > 0) await sleep(delay);
        if (this.#closed || generation !== this.#generation) return;
        try {
          await this.#connectOnce();
          if (this.#closed || generation !== this.#generation) return;
          this.#o.log.info({ after: reason }, 'Socket Mode connection open again');
          this.#o.onUp();
          return;
        } catch (err) {
          if (this.#closed || generation !== this.#generation) return;
          const e = toConnectorError(err);
          if (e instanceof FatalConnectorError) return this.#o.onFatal(e);
          delay = backoff.next(e.retryAfterMs);
          this.#o.log.debug({ retryInMs: delay, reason: e.message }, 'Socket Mode reconnect failed');
          this.#o.onDown(`${e.message}; reconnecting in ${delay} ms`);
        }
      }
    } finally {
      if (generation === this.#generation) this.#reconnecting = false;
    }
  }

  /** Close the socket (and any reconnect in progress); resolves once closed, or after 2 s. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#generation++;
    this.#reconnecting = false;
    await Promise.race([this.#client.disconnect(), sleep(2_000)]);
    // Not removeAllListeners(): the SDK may still finish a close handshake (up to 30 s) and report an
    // error on the way; its own `error` and `close` listeners must be there to take it.
    for (const [event, listener] of Object.entries(this.#listeners)) this.#client.off(event, listener);
  }
}

function toConnectorError(err: unknown): FatalConnectorError | RetryableConnectorError {
  if (err instanceof FatalConnectorError || err instanceof RetryableConnectorError) return err;
  const v = recover(err, 'apps.connections.open');
  if (v.action === 'fatal') return new FatalConnectorError(v.reason, { fields: { errorCode: v.errorCode } });
  return new RetryableConnectorError(v.reason, v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {});
}
