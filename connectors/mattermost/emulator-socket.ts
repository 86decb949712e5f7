/**
 * The emulated Mattermost WebSocket (`/api/v4/websocket`): the `authentication_challenge`, `hello`
 * with a `connection_id`, events whose `seq` rises by exactly 1, and resumption — a client that comes
 * back with the same `connection_id` and a `sequence_number` still in the buffer gets the missed
 * events replayed (no new hello); otherwise it gets a new `connection_id`, as after a server restart.
 * Ping, `user_typing` and `posted_notify_ack` are answered with `{status: "OK", seq_reply}`.
 */
import type { WebSocket } from 'ws';
import { newId } from './emulator-world.js';
import type { MmEvent } from './normalize.js';

interface Session {
  id: string;
  nextSeq: number;
  /** Events not yet known to be seen, oldest first, bounded. */
  buffer: { seq: number; text: string }[];
  ws: WebSocket | undefined;
}

/** A typing indicator the bot sent. */
export interface TypingRecord {
  channel_id: string;
  parent_id: string;
}

export interface HubOptions {
  /** Constant-time check of a bot token. */
  checkToken(token: string): boolean;
  /** Events kept per connection for resumption. Default 512. */
  bufferSize?: number;
}

/** Every WebSocket session of the bot user, and what it was sent. */
export class SocketHub {
  readonly typing: TypingRecord[] = [];
  readonly #o: HubOptions;
  readonly #sessions = new Map<string, Session>();
  /** Post ids the bot was sent in a `posted` event and has not acknowledged. */
  readonly #pendingAcks = new Set<string>();
  #open = new Set<WebSocket>();
  #maxConcurrent = 0;
  #connections = 0;
  #resumes = 0;
  #helloes = 0;

  constructor(options: HubOptions) {
    this.#o = options;
  }

  /** A new socket on `/api/v4/websocket?connection_id=&sequence_number=`: wait for the challenge. */
  accept(ws: WebSocket, url: URL): void {
    this.#connections++;
    this.#open.add(ws);
    this.#maxConcurrent = Math.max(this.#maxConcurrent, this.#open.size);
    let session: Session | undefined;
    const timer = setTimeout(() => ws.terminate(), 5_000);
    ws.on('close', () => {
      clearTimeout(timer);
      this.#open.delete(ws);
      if (session?.ws === ws) session.ws = undefined;
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw) => {
      let msg: { action?: string; seq?: number; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return ws.terminate();
      }
      if (!session) {
        if (msg.action !== 'authentication_challenge' || typeof msg.data?.token !== 'string' || !this.#o.checkToken(msg.data.token)) {
          // As the real server: a bad or missing challenge closes the socket, with no reason given.
          return ws.terminate();
        }
        clearTimeout(timer);
        ws.send(JSON.stringify({ status: 'OK', seq_reply: msg.seq }));
        session = this.#attach(ws, url.searchParams.get('connection_id') ?? '', Number(url.searchParams.get('sequence_number') ?? '0'));
        return;
      }
      this.#onAction(ws, msg);
    });
  }

  #attach(ws: WebSocket, connectionId: string, from: number): Session {
    const old = connectionId ? this.#sessions.get(connectionId) : undefined;
    const first = old?.buffer[0]?.seq ?? old?.nextSeq;
    if (old && first !== undefined && Number.isInteger(from) && from >= first && from <= old.nextSeq) {
      this.#resumes++;
      old.ws?.terminate();
      old.ws = ws;
      for (const e of old.buffer) if (e.seq >= from) ws.send(e.text);
      return old;
    }
    // Not resumable: a fresh connection id, as after a long absence or a server restart.
    for (const s of this.#sessions.values()) s.ws?.terminate();
    this.#sessions.clear();
    const session: Session = { id: newId(), nextSeq: 1, buffer: [], ws };
    this.#sessions.set(session.id, session);
    this.#helloes++;
    ws.send(JSON.stringify({ event: 'hello', data: { connection_id: session.id, server_version: '11.0.0.emulator', server_hostname: 'emulator' }, broadcast: { omit_users: null, user_id: '', channel_id: '', team_id: '' }, seq: 0 }));
    return session;
  }

  #onAction(ws: WebSocket, msg: { action?: string; seq?: number; data?: Record<string, unknown> }): void {
    const ok = (data?: unknown) => ws.send(JSON.stringify({ status: 'OK', seq_reply: msg.seq, ...(data ? { data } : {}) }));
    switch (msg.action) {
      case 'ping':
        return ok({ text: 'pong', version: '11.0.0.emulator', server_time: Date.now() });
      case 'user_typing':
        this.typing.push({ channel_id: String(msg.data?.channel_id ?? ''), parent_id: String(msg.data?.parent_id ?? '') });
        return ok();
      case 'posted_notify_ack':
        this.#pendingAcks.delete(String(msg.data?.post_id ?? ''));
        return ok();
      default:
        ws.send(JSON.stringify({ status: 'FAIL', seq_reply: msg.seq, error: { id: 'api.web_socket_router.bad_action.app_error' } }));
    }
  }

  /** Send `event` to the bot's session (buffered while its socket is down). */
  broadcast(event: MmEvent, postId?: string): void {
    if (postId) this.#pendingAcks.add(postId);
    const limit = this.#o.bufferSize ?? 512;
    for (const s of this.#sessions.values()) {
      const text = JSON.stringify({ ...event, broadcast: { omit_users: null, user_id: '', team_id: '', ...event.broadcast }, seq: s.nextSeq });
      s.buffer.push({ seq: s.nextSeq++, text });
      if (s.buffer.length > limit) s.buffer.shift();
      s.ws?.send(text);
    }
  }

  /** Cut every socket without a close frame; `forget` also ends the sessions (no resumption possible). */
  drop(options: { forget?: boolean } = {}): number {
    const n = this.#open.size;
    for (const ws of this.#open) ws.terminate();
    if (options.forget) this.#sessions.clear();
    return n;
  }

  unacked(): number {
    return this.#pendingAcks.size;
  }

  /** Sockets open now, the most ever at once, opened in all, resumed, and fresh connection ids handed out. */
  stats(): { open: number; maxConcurrent: number; connections: number; resumes: number; helloes: number } {
    return { open: this.#open.size, maxConcurrent: this.#maxConcurrent, connections: this.#connections, resumes: this.#resumes, helloes: this.#helloes };
  }

  close(): void {
    for (const ws of this.#open) ws.terminate();
    this.#sessions.clear();
  }
}
