/**
 * The LINE emulator's webhook side: it signs each body with the channel secret and POSTs it to the
 * bot's webhook URL, as the LINE platform does (`x-line-signature`, `application/json; charset=utf-8`).
 * With redelivery on (a LINE console setting), a delivery that is not answered 2xx is sent again with
 * `deliveryContext.isRedelivery: true` and the same `webhookEventId`s.
 */
import { Agent, request } from 'node:http';
import { signHmacBase64 } from '../../src/security/hmac-base64.js';
import { LINE_SIGNATURE_HEADER } from './signature.js';

/** One POST to the webhook and how it ended. */
export interface DeliveryRecord {
  webhookEventIds: string[];
  redelivery: boolean;
  /** HTTP status, or `undefined` when the connection failed (then `error` says how). */
  status?: number;
  error?: string;
  /** The response body (the listener's are generic). */
  body?: string;
}

/** How one delivery is signed: the channel secret by default; a test can sign with another secret, set any header, or send none. */
export interface SignOptions {
  secret?: string;
  /** An exact header value; `null` = no signature header at all. */
  signature?: string | null;
}

export interface WebhookOptions {
  channelSecret: string;
  destination: string;
  /** Redeliver failed deliveries (default true, as with redelivery turned on in the console). */
  redelivery: boolean;
  redeliveryDelayMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

/** Delivers webhook bodies and keeps a record of every attempt. */
export class WebhookDeliverer {
  url: string | undefined;
  readonly deliveries: DeliveryRecord[] = [];
  readonly #options: WebhookOptions;
  readonly #agent = new Agent({ keepAlive: true });
  #inFlight = 0;
  #dropNext = 0;
  #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  /** Deliveries go out one at a time, each with its redeliveries, in injection order (deterministic tests). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: WebhookOptions) {
    this.#options = options;
  }

  /** Deliveries sent and not yet answered (LINE's "not yet acknowledged"). */
  unacked(): number {
    return this.#inFlight;
  }

  /** Cut the next `n` deliveries halfway through the body (a tunnel dropping), and every idle socket now. */
  dropConnection(n = 1): void {
    this.#dropNext += n;
    this.#agent.destroy();
  }

  /**
   * POST `events`; with redelivery on, keep trying (isRedelivery: true) until answered 2xx or out of
   * attempts. Queued behind earlier deliveries; resolves with the last attempt's record.
   */
  deliver(events: Record<string, unknown>[], sign: SignOptions = {}, redelivery = false): Promise<DeliveryRecord> {
    const next = this.#queue.then(() => this.#deliverNow(events, sign, redelivery));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #deliverNow(events: Record<string, unknown>[], sign: SignOptions, redelivery: boolean): Promise<DeliveryRecord> {
    let attempt = 0;
    let isRedelivery = redelivery;
    for (;;) {
      attempt++;
      const record = await this.#post(events.map((e) => ({ ...e, deliveryContext: { isRedelivery } })), sign, isRedelivery);
      const ok = record.status !== undefined && record.status >= 200 && record.status < 300;
      if (ok || !this.#options.redelivery || attempt >= this.#options.maxAttempts || this.#closed) return record;
      isRedelivery = true;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          resolve();
        }, this.#options.redeliveryDelayMs);
        this.#timers.add(t);
      });
      if (this.#closed) return record;
    }
  }

  #post(events: Record<string, unknown>[], sign: SignOptions, redelivery: boolean): Promise<DeliveryRecord> {
    const url = this.url;
    const record: DeliveryRecord = { webhookEventIds: events.map((e) => String(e.webhookEventId)), redelivery };
    this.deliveries.push(record);
    if (!url) {
      record.error = 'no webhook URL set';
      return Promise.resolve(record);
    }
    const body = Buffer.from(JSON.stringify({ destination: this.#options.destination, events }));
    const signature = sign.signature === undefined ? signHmacBase64(sign.secret ?? this.#options.channelSecret, body) : sign.signature;
    const drop = this.#dropNext > 0;
    if (drop) this.#dropNext--;
    this.#inFlight++;
    return new Promise<DeliveryRecord>((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        this.#inFlight--;
        resolve(record);
      };
      const req = request(url, {
        method: 'POST',
        agent: this.#agent,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
          'user-agent': 'LineBotWebhook/2.0',
          ...(signature !== null ? { [LINE_SIGNATURE_HEADER]: signature } : {}),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          record.status = res.statusCode;
          record.body = text;
          done();
        });
        res.on('error', (err) => {
          record.error = err.message;
          done();
        });
      });
      req.on('error', (err) => {
        record.error = err.message;
        done();
      });
      if (drop) req.write(body.subarray(0, body.length >> 1), () => req.destroy(new Error('connection dropped by the emulator')));
      else req.end(body);
    });
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#agent.destroy();
  }
}
