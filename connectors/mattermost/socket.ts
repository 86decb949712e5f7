/**
 * One Mattermost WebSocket session through the SDK's `WebSocketClient`. The SDK dials (through `ws`),
 * sends the `authentication_challenge`, pings, checks that `seq` rises by exactly 1, keeps the
 * `connection_id` and resumes with `sequence_number` — but only because a missed-message listener is
 * registered (without one it never records the connection id, and every reconnect ends in a 4001
 * loop). What is driven here: *when* to reconnect (the shared Backoff instead of the SDK's fixed
 * 3 s; the SDK's own timer is parked a day out and cancelled before each of ours), telling a refused
 * token from a dropped network (an unauthenticated close is checked over REST), and reporting whether
 * a connection is fresh (a new `connection_id`: events may have been missed) or resumed.
 */
import type { Logger } from 'pino';
import { FatalConnectorError, RetryableConnectorError } from '../../src/errors.js';
import { Backoff, sleep } from '../../src/supervisor/backoff.js';
import type { MmEvent } from './normalize.js';
import { ensureSocketGlobals, webSocketClientClass, WsWebSocket, type WebSocketClient } from './sdk.js';

const PARKED_MS = 24 * 60 * 60 * 1000;

export interface SocketOptions {
  /** The server base URL (http/https); the socket is `ws(s)://…/api/v4/websocket`. */
  serverUrl: string;
  token: string;
  log: Logger;
  retryInitialMs: number;
  retryMaxMs: number;
  /** The SDK's ping interval (a missing pong closes with 4000). Default 30 s. */
  pingIntervalMs?: number;
  /** Every server event except `hello`, in `seq` order. */
  onEvent(event: MmEvent): void;
  /**
   * The server handed out a new `connection_id` (first connect, or the old one could not be resumed):
   * events may have been missed and must be fetched over REST. Called from the `hello` itself, before
   * any event that follows it is handed to `onEvent`.
   */
  onFresh(): void;
  /** The connection is up (authenticated, and the first ping answered). */
  onUp(): void;
  onDown(reason: string): void;
  /** Asked after a close before the server said anything: a FatalConnectorError when the token is refused. */
  checkAuth(): Promise<FatalConnectorError | undefined>;
  onFatal(err: FatalConnectorError): void;
}

/** A self-reconnecting session: `open` once, then it keeps itself connected until `close`. */
export class MattermostSocket {
  readonly #o: SocketOptions;
  readonly #client: WebSocketClient;
  readonly #url: string;
  readonly #backoff: Backoff;
  #raw: InstanceType<typeof WsWebSocket> | undefined;
  #closed = false;
  /** The current socket has had a message from the server (so the token was accepted). */
  #heard = false;
  #up = false;
  #timer: NodeJS.Timeout | undefined;
  #firstUp: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(options: SocketOptions) {
    ensureSocketGlobals();
    this.#o = options;
    this.#url = `${options.serverUrl.replace(/^http/, 'ws')}/api/v4/websocket`;
    this.#backoff = new Backoff({ initialMs: options.retryInitialMs, maxMs: options.retryMaxMs });
    const WebSocketClient = webSocketClientClass(options.log);
    this.#client = new WebSocketClient({
      newWebSocketFn: (url) => this.#dial(url),
      minWebSocketRetryTime: PARKED_MS,
      maxWebSocketRetryTime: PARKED_MS,
      reconnectJitterRange: 0,
      ...(options.pingIntervalMs ? { clientPingInterval: options.pingIntervalMs } : {}),
    });
    this.#client.addMissedMessageListener(() => undefined);
    this.#client.addMessageListener((msg) => {
      if (msg.event === 'hello') this.#o.onFresh();
      else this.#o.onEvent(msg as unknown as MmEvent);
    });
    this.#client.addCloseListener(() => this.#onClosed());
  }

  /**
   * Connect; resolves once the first connection is up. Rejects if it closes first — Fatal when the
   * token is refused, Retryable otherwise (the supervisor restarts with backoff). After the first
   * connection, reconnecting is this session's job.
   */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#firstUp = { resolve, reject };
      this.#connect();
    });
  }

  #connect(): void {
    this.#heard = false;
    // Cancels the SDK's parked reconnect timer; keeps connection_id and sequence for the resume.
    this.#client.close();
    this.#client.initialize(this.#url, this.#o.token, true);
  }

  #dial(url: string): WebSocket {
    const ws = new WsWebSocket(url);
    this.#raw = ws;
    // The server answers the challenge, sends `hello` only on a fresh connection (replays the missed
    // events on a resumed one), then the pong to the SDK's first ping: the pong tells "up".
    const onMessage = (data: unknown) => {
      this.#heard = true;
      if (!isPong(String(data))) return;
      ws.off('message', onMessage);
      this.#onUp();
    };
    ws.on('message', onMessage);
    return ws as unknown as WebSocket;
  }

  #onUp(): void {
    if (this.#closed) return;
    this.#up = true;
    this.#backoff.reset();
    const first = this.#firstUp;
    this.#firstUp = undefined;
    this.#o.onUp();
    first?.resolve();
  }

  #onClosed(): void {
    if (this.#closed) return;
    const wasUp = this.#up;
    this.#up = false;
    const heard = this.#heard;
    void (async () => {
      if (!heard) {
        const fatal = await this.#o.checkAuth().catch(() => undefined);
        if (fatal) return this.#fail(fatal);
      }
      if (this.#closed) return;
      if (this.#firstUp) return this.#fail(new RetryableConnectorError('the Mattermost WebSocket closed before it was up'));
      const delay = this.#backoff.next();
      const reason = wasUp ? 'the Mattermost WebSocket dropped' : 'the Mattermost WebSocket closed before it was up';
      this.#o.log.debug({ retryInMs: delay }, `${reason}; reconnecting`);
      this.#o.onDown(`${reason}; reconnecting in ${delay} ms`);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#closed) this.#connect();
      }, delay);
    })();
  }

  #fail(err: FatalConnectorError | RetryableConnectorError): void {
    const first = this.#firstUp;
    this.#firstUp = undefined;
    this.#shut();
    if (first) first.reject(err);
    else if (err instanceof FatalConnectorError) this.#o.onFatal(err);
  }

  /** Tell the server the bot has this `posted` event (sent once it is journaled). */
  ackPosted(postId: string): void {
    if (this.#up) this.#client.acknowledgePostedNotification(postId, 'received', '', '');
  }

  /** Show "typing…" in a channel (or a thread). Dropped when the socket is down. */
  typing(channelId: string, parentId?: string): void {
    this.#client.userTyping(channelId, parentId ?? '');
  }

  /** True while the socket is up. */
  get up(): boolean {
    return this.#up;
  }

  #shut(): void {
    this.#closed = true;
    this.#up = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#client.close();
    this.#raw?.terminate();
  }

  /** Close the socket and stop reconnecting; an `open` still pending rejects. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#shut();
    this.#firstUp?.reject(new Error('closed'));
    this.#firstUp = undefined;
    await sleep(0);
  }
}

/** The server's answer to a ping (`{status:"OK", seq_reply, data:{text:"pong"}}`), not an event mentioning it. */
function isPong(text: string): boolean {
  if (!text.includes('"seq_reply"')) return false;
  try {
    return (JSON.parse(text) as { data?: { text?: unknown } }).data?.text === 'pong';
  } catch {
    return false;
  }
}
