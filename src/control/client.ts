/** Client side of the control socket, used by `status`, `send`, `tail` and the agent client. */
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import type { InboundEvent } from '../bus/types.js';
import { SbError, type SbErrorCode } from '../errors.js';
import { readLines, writeLine } from './ndjson.js';
import { CONTROL_SOCKET, type ControlResponse, type EventFilter } from './protocol.js';

/** Path of the control socket for a state directory. */
export function controlSocketPath(stateDir: string): string {
  return join(stateDir, CONTROL_SOCKET);
}

/** Where a subscription starts and which events it gets. */
export interface SubscribeRequest {
  /** Replay from this event id (inclusive) instead of the subscriber's cursor. */
  from?: string;
  /** Only events matching it are delivered; the others are acked for this subscriber. */
  filter?: EventFilter;
  /** Events delivered and not yet acked before delivery waits for acks (default 1,000; docs/agent-api.md "Flow control"). */
  window?: number;
}

export class ControlClient {
  readonly #socket: Socket;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #streams = new Map<number, (event: InboundEvent) => void>();
  #closed: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    readLines(socket, (line) => this.#onLine(line));
    socket.on('close', () => {
      this.#closed = new SbError('SB_E_NOT_RUNNING', 'the runtime closed the control connection');
      for (const p of this.#pending.values()) p.reject(this.#closed);
      this.#pending.clear();
      this.onClose?.();
    });
  }

  /** Called once when the connection ends (runtime stopped, or `close()`). */
  onClose: (() => void) | undefined;

  /** Connect, or reject with `SB_E_NOT_RUNNING` when no runtime listens for this state directory. */
  static connect(stateDir: string): Promise<ControlClient> {
    return ControlClient.connectSocket(controlSocketPath(stateDir), `switchboard is not running (no control socket answers in ${stateDir}); start it with \`switchboard run\``);
  }

  /** Connect to the socket at `path`; rejects with `SB_E_NOT_RUNNING` and `notRunning` as the message. */
  static connectSocket(path: string, notRunning = `switchboard is not running (nothing answers on ${path}); start it with \`switchboard run\``): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(new ControlClient(socket));
      });
      socket.once('error', () => reject(new SbError('SB_E_NOT_RUNNING', notRunning)));
    });
  }

  #onLine(line: string): void {
    let msg: ControlResponse;
    try {
      msg = JSON.parse(line) as ControlResponse;
    } catch {
      return; // the runtime only writes JSON; a torn line at shutdown is not worth a crash
    }
    if ('event' in msg) {
      this.#streams.get(msg.id)?.(msg.event);
      return;
    }
    const pending = msg.id === null ? undefined : this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id!);
    if (msg.ok) pending.resolve(msg.result);
    else pending.reject(new SbError(msg.error.code as SbErrorCode, msg.error.message, msg.error.retryAfterMs !== undefined ? { retryAfterMs: msg.error.retryAfterMs } : {}));
  }

  /** Send one request and wait for its answer; an error line rejects with an `SbError` of its code. */
  request<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      writeLine(this.#socket, { id, op, ...args });
    });
  }

  /** Subscribe under `subscriber`; `onEvent` gets every event in order until `close()`. `options` may be a `from` id. */
  async subscribe(subscriber: string, onEvent: (event: InboundEvent) => void, options: string | SubscribeRequest = {}): Promise<void> {
    const { from, filter, window } = typeof options === 'string' ? { from: options, filter: undefined, window: undefined } : options;
    const id = this.#nextId;
    this.#streams.set(id, onEvent);
    await this.request('subscribe', { subscriber, ...(from ? { from } : {}), ...(filter ? { filter } : {}), ...(window !== undefined ? { window } : {}) });
  }

  ack(eventId: string): Promise<unknown> {
    return this.request('ack', { event: eventId });
  }

  close(): void {
    this.#socket.end();
    this.#socket.destroy();
  }
}
