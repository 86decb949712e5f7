/**
 * The emulator's long-connection side: one WebSocket per client, pings answered with pongs carrying
 * all four ClientConfig numbers, events pushed as data frames (split into `sum`/`seq` fragments when
 * asked), acks read back. An event stays pending until a frame acks it with code 200; a 500 ack or a
 * closed socket puts it back in the queue, as the platform redelivers.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, header, type Frame } from './frame.js';

/** What the endpoint hands out and every pong repeats (seconds; ReconnectCount -1 = forever). */
export interface ClientConfig {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
}

/** One event the platform wants delivered. */
export interface WireEvent {
  eventId: string;
  /** The frame's `message_id` header (the same on every redelivery). */
  frameId: string;
  payload: Buffer;
  fragments: number;
  acked: boolean;
  /** The connection it is on the wire to, awaiting an ack. */
  inFlight?: Connection;
  deliveries: number;
}

export interface Connection {
  ws: WebSocket;
  /** True once the client has pinged: its message listener is attached by then. */
  ready: boolean;
  inFlight: number;
}

export interface WireOptions {
  service: number;
  clientConfig: ClientConfig;
  /** Wait after the first ping before pushing events (the SDK attaches its listener late). */
  readyDelayMs: number;
  /** A nacked event is pushed again after this long. */
  redeliverAfterMs: number;
  /** Most events awaiting an ack on one connection. */
  window: number;
  /** Split payloads larger than this many bytes into fragments. */
  fragmentBytes: number;
}

/** The queue of events and the live connections that drain it. */
export class Wire {
  readonly events = new Map<string, WireEvent>();
  /** Pending events in delivery order (insertion-ordered; acked ones leave it). */
  readonly queue = new Set<WireEvent>();
  readonly #byFrame = new Map<string, WireEvent>();
  readonly connections = new Set<Connection>();
  acks = 0;
  nacks = 0;
  #seq = 0;
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  constructor(readonly options: WireOptions) {}

  /** Queue an event's JSON for delivery. */
  enqueue(eventId: string, body: unknown, fragments?: number): WireEvent {
    const payload = Buffer.from(JSON.stringify(body));
    const parts = Math.max(fragments ?? 1, Math.ceil(payload.length / this.options.fragmentBytes));
    const e: WireEvent = { eventId, frameId: `msg_${randomBytes(8).toString('hex')}`, payload, fragments: Math.min(parts, payload.length), acked: false, deliveries: 0 };
    this.events.set(eventId, e);
    this.#byFrame.set(e.frameId, e);
    this.queue.add(e);
    this.pump();
    return e;
  }

  /** Deliver an event again even though it was acknowledged (a platform-side redelivery). */
  redeliver(eventId: string): void {
    const e = this.events.get(eventId);
    if (!e) throw new Error(`feishu emulator: no event ${eventId}`);
    if (!this.queue.has(e)) {
      e.acked = false;
      this.queue.add(e);
    }
    this.pump();
  }

  /** Events not yet acknowledged with code 200. */
  unacked(): number {
    return this.queue.size;
  }

  attach(ws: WebSocket): Connection {
    const conn: Connection = { ws, ready: false, inFlight: 0 };
    this.connections.add(conn);
    ws.on('message', (data: Buffer) => this.#onFrame(conn, data));
    ws.on('close', () => {
      this.connections.delete(conn);
      for (const e of this.queue) if (e.inFlight === conn) e.inFlight = undefined;
      this.pump();
    });
    ws.on('error', () => undefined);
    return conn;
  }

  /** Push queued events to a ready connection, up to its window. */
  pump(): void {
    if (this.#closed) return;
    const conn = [...this.connections].find((c) => c.ready && c.ws.readyState === 1);
    if (!conn) return;
    for (const e of this.queue) {
      if (conn.inFlight >= this.options.window) break;
      if (e.inFlight || e.acked) continue;
      e.inFlight = conn;
      e.deliveries++;
      conn.inFlight++;
      this.#send(conn, e);
    }
  }

  #send(conn: Connection, e: WireEvent): void {
    const size = Math.ceil(e.payload.length / e.fragments);
    const trace = randomBytes(8).toString('hex');
    for (let i = 0; i < e.fragments; i++) {
      const seq = ++this.#seq;
      const frame: Frame = {
        SeqID: seq,
        LogID: seq,
        service: this.options.service,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: e.frameId },
          { key: 'sum', value: String(e.fragments) },
          { key: 'seq', value: String(i) },
          { key: 'trace_id', value: trace },
        ],
        payload: e.payload.subarray(i * size, (i + 1) * size),
      };
      conn.ws.send(encodeFrame(frame));
    }
  }

  #onFrame(conn: Connection, data: Buffer): void {
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch {
      return;
    }
    if (frame.method === 0) {
      if (header(frame, 'type') !== 'ping') return;
      const pong: Frame = {
        SeqID: 0,
        LogID: 0,
        service: frame.service,
        method: 0,
        headers: [{ key: 'type', value: 'pong' }],
        payload: Buffer.from(JSON.stringify(this.options.clientConfig)),
      };
      conn.ws.send(encodeFrame(pong));
      if (!conn.ready) this.#later(this.options.readyDelayMs, () => {
        conn.ready = true;
        this.pump();
      });
      return;
    }
    if (frame.method !== 1) return;
    const id = header(frame, 'message_id');
    const e = id === undefined ? undefined : this.#byFrame.get(id);
    if (!e || e.inFlight !== conn) return;
    e.inFlight = undefined;
    conn.inFlight--;
    let code = 0;
    try {
      code = Number((JSON.parse(Buffer.from(frame.payload ?? []).toString()) as { code?: unknown }).code);
    } catch {
      code = 0;
    }
    if (code === 200) {
      e.acked = true;
      this.acks++;
      this.queue.delete(e);
      this.pump();
    } else {
      this.nacks++;
      this.#later(this.options.redeliverAfterMs, () => this.pump());
    }
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
