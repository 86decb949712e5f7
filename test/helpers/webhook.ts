/**
 * Test side of the hardened listener: a LINE-style webhook handler (base64 HMAC-SHA256 of the raw body
 * in `x-line-signature`, checked strictly and in constant time) that records accepted events in memory,
 * a signer, keep-alive HTTP requests from a chosen source address, and raw-socket requests for what
 * an HTTP client will not send.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { newEndpointId } from '../../src/listener/endpoint-id.js';
import { startListener, type Listener, type ListenerOptions, type WebhookHandler, type WebhookRequest } from '../../src/listener/index.js';
import { silentLogger } from '../../src/log/logger.js';

/** base64(HMAC-SHA256(secret, body)) — LINE's `x-line-signature`. */
export function lineSignature(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** What the test handler saw, in order. */
export interface Recorded {
  body: unknown;
  req: WebhookRequest;
}

/**
 * A LINE-style handler: strict canonical base64 (44 chars, one `=`), constant-time compare, the
 * first event's `webhookEventId` as delivery id; `handle` records the event (the journal stand-in).
 */
export function lineStyleHandler(secret: string, options: { handle?: (body: unknown, req: WebhookRequest) => Promise<void> } = {}) {
  const accepted: Recorded[] = [];
  const handler: WebhookHandler = {
    contentTypes: ['application/json'],
    verify(req) {
      const header = req.headers['x-line-signature'];
      if (typeof header !== 'string') return { ok: false, reason: 'signature-missing' };
      if (!BASE64.test(header)) return { ok: false, reason: 'signature-malformed' };
      const given = Buffer.from(header, 'base64');
      // Node ignores non-zero trailing bits: only the canonical spelling re-encodes to itself.
      if (given.toString('base64') !== header) return { ok: false, reason: 'signature-malformed' };
      const expected = createHmac('sha256', secret).update(req.rawBody).digest();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
      const id = /"webhookEventId":"([A-Za-z0-9]+)"/.exec(req.rawBody.toString('utf8'))?.[1];
      return id === undefined ? { ok: true } : { ok: true, deliveryId: id };
    },
    async handle(body, req) {
      await options.handle?.(body, req);
      accepted.push({ body, req });
      return { status: 200 };
    },
  };
  return { handler, accepted };
}

/** A LINE-format webhook body with one text message event. */
export function lineBody(eventId: string, text = 'hello'): string {
  return JSON.stringify({
    destination: 'U0000000000000000000000000000000a',
    events: [
      {
        type: 'message',
        mode: 'active',
        timestamp: 1_700_000_000_000,
        webhookEventId: eventId,
        deliveryContext: { isRedelivery: false },
        source: { type: 'user', userId: 'U4af4980629000000000000000000000a' },
        replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
        message: { id: '444573844083572737', type: 'text', quoteToken: 'q3Plxr4AgKd', text },
      },
    ],
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** POST (or `method`) to `url` over `agent`, optionally from `localAddress`. */
export function send(url: string, body: string | Buffer, options: { headers?: Record<string, string>; agent?: Agent; localAddress?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'POST',
        agent: options.agent,
        localAddress: options.localAddress,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A signed LINE-style POST. */
export function sendSigned(url: string, secret: string, body: string | Buffer, options: { agent?: Agent; localAddress?: string } = {}): Promise<Reply> {
  return send(url, body, { ...options, headers: { 'x-line-signature': lineSignature(secret, body) } });
}

/**
 * Write `chunks` to a raw TCP socket (with `gapMs` between them) and collect everything the server
 * sends until it closes the connection or `timeoutMs` passes.
 */
export function rawExchange(
  port: number,
  chunks: readonly (string | Buffer)[],
  options: { gapMs?: number; timeoutMs?: number; localAddress?: string } = {},
): Promise<{ text: string; closed: boolean; elapsedMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    let text = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5_000);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (done || socket.destroyed) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
    });
  });
}

/** The status codes of every HTTP response in a raw exchange's text, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/** A listener on 127.0.0.1 with the LINE-style handler: what every attack test aims at. */
export interface Target {
  listener: Listener;
  secret: string;
  accepted: Recorded[];
  /** `webhookEventId`s the handler received, in order. */
  eventIds(): string[];
  /** A fresh valid request from `localAddress` (default 127.0.0.9) is still accepted, exactly once. */
  stillServes(localAddress?: string): Promise<void>;
}

let healthChecks = 0;

/** Start a target listener with `limits` (and other options) over the test handler. */
export async function startTarget(options: Partial<ListenerOptions> = {}): Promise<Target> {
  const secret = `attack-secret-${healthChecks}`;
  const { handler, accepted } = lineStyleHandler(secret);
  const listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: newEndpointId(), handler, log: silentLogger(), ...options });
  const eventIds = () => accepted.map((r) => ((r.body as { events: { webhookEventId: string }[] }).events[0]!.webhookEventId));
  return {
    listener,
    secret,
    accepted,
    eventIds,
    async stillServes(localAddress = '127.0.0.9') {
      const id = `HEALTH${++healthChecks}`;
      const reply = await sendSigned(listener.url, secret, lineBody(id), { localAddress });
      if (reply.status !== 200) throw new Error(`the listener no longer serves: ${reply.status} ${reply.body}`);
      const seen = eventIds().filter((e) => e === id).length;
      if (seen !== 1) throw new Error(`health-check event delivered ${seen} times`);
    },
  };
}
