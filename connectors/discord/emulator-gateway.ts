/**
 * The emulated Discord Gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay
 * of every dispatch after the given sequence, RECONNECT (op 7), INVALID_SESSION (op 9) and close codes.
 *
 * Like Discord, a session outlives its socket: dispatches that happen while it is disconnected are kept
 * for `resumeWindowMs` and replayed on RESUME. A client closing with 1000/1001 ends its session; the
 * Gateway closing with a code that says "start a new session" (or a fatal one) ends it too, while its
 * 1001 "going away" (a node restarting) keeps it resumable.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Json, World } from './emulator-world.js';

interface Dispatch {
  s: number;
  t: string;
  d: Json;
  /** The serialized frame, while it waits in a held backlog (so the release is a burst of writes). */
  frame?: string | undefined;
}

interface Session {
  id: string;
  seq: number;
  /** Dispatches kept for replay, oldest first (READY/RESUMED are not replayed). */
  log: Dispatch[];
  /** Lowest sequence still replayable; a RESUME from below it is refused. */
  floor: number;
  socket: WebSocket | undefined;
  /** Highest sequence written to the socket (delivery can be held back, see `hold`). */
  sent: number;
  detachedAt: number | undefined;
  /** The sequence the client last reported in a heartbeat. */
  acked: number;
}

/** How the emulated Gateway is set up (token, URLs, heartbeat, resume window, replay buffer). */
export interface GatewayOptions {
  token: string;
  world: World;
  gatewayUrl: string;
  resumeUrl: string;
  heartbeatIntervalMs: number;
  resumeWindowMs: number;
  /** Most dispatches kept per session for replay. */
  maxBuffer: number;
}

/** Codes a *client* closes with that end its session (Discord: "your session will be invalidated"). */
const CLIENT_SESSION_ENDING = new Set([1000, 1001]);
/** Codes the *Gateway* closes with after which the session cannot be resumed. */
const SERVER_SESSION_ENDING = new Set([1000, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014]);

/** Counters tests assert on. */
export interface GatewayCounters {
  connections: number;
  /** Connections opened on `resume_gateway_url` (what a resuming client must use). */
  resumeUrlConnections: number;
  identifies: number;
  resumes: number;
  resumesRefused: number;
  replayed: number;
  heartbeats: number;
}

/** All gateway sessions and sockets of one emulator. */
export class GatewayHub {
  readonly counters: GatewayCounters = { connections: 0, resumeUrlConnections: 0, identifies: 0, resumes: 0, resumesRefused: 0, replayed: 0, heartbeats: 0 };
  readonly #options: GatewayOptions;
  readonly #expected: Buffer;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Map<WebSocket, { session: Session | undefined }>();
  readonly #disturbed = new WeakSet<WebSocket>();
  /** Sockets `closeAll` closed: the client echoes the code, which is then not the client's own choice. */
  readonly #closedByGateway = new WeakSet<WebSocket>();
  #failNextHandshake: number | undefined;
  #held = false;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#expected = Buffer.from(options.token);
  }

  /** A new client socket: say HELLO and follow its opcodes. */
  attach(ws: WebSocket, path: string): void {
    this.counters.connections++;
    if (path.startsWith(new URL(this.#options.resumeUrl).pathname)) this.counters.resumeUrlConnections++;
    const conn = { session: undefined as Session | undefined };
    this.#sockets.set(ws, conn);
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      this.#sockets.delete(ws);
      const session = conn.session;
      if (!session || session.socket !== ws) return;
      session.socket = undefined;
      session.detachedAt = Date.now();
      if (CLIENT_SESSION_ENDING.has(code) && !this.#closedByGateway.has(ws)) this.#sessions.delete(session.id);
    });
    ws.on('message', (raw) => {
      let frame: { op?: unknown; d?: unknown };
      try {
        frame = JSON.parse(String(raw)) as { op?: unknown; d?: unknown };
      } catch {
        return ws.close(4002, 'Error while decoding payload.');
      }
      this.#onFrame(ws, conn, frame);
    });
    send(ws, { op: 10, d: { heartbeat_interval: this.#options.heartbeatIntervalMs }, s: null, t: null });
  }

  #onFrame(ws: WebSocket, conn: { session: Session | undefined }, frame: { op?: unknown; d?: unknown }): void {
    const d = (frame.d ?? {}) as Json;
    switch (frame.op) {
      case 1: {
        this.counters.heartbeats++;
        if (conn.session && typeof frame.d === 'number') conn.session.acked = frame.d;
        return send(ws, { op: 11, d: null, s: null, t: null });
      }
      case 2:
        return this.#identify(ws, conn, d);
      case 6:
        return this.#resume(ws, conn, d);
      case 3:
      case 4:
      case 8:
        return; // presence, voice, member requests: nothing to emulate
      default:
        return ws.close(4001, 'Unknown opcode.');
    }
  }

  #tokenOk(given: unknown): boolean {
    if (typeof given !== 'string') return false;
    const b = Buffer.from(given);
    return b.length === this.#expected.length && timingSafeEqual(b, this.#expected);
  }

  #takeFailure(ws: WebSocket): boolean {
    const code = this.#failNextHandshake;
    if (code === undefined) return false;
    this.#failNextHandshake = undefined;
    ws.close(code, 'Emulated failure.');
    return true;
  }

  #identify(ws: WebSocket, conn: { session: Session | undefined }, d: Json): void {
    this.counters.identifies++;
    if (conn.session) return ws.close(4005, 'Already authenticated.');
    if (!this.#tokenOk(d.token)) return ws.close(4004, 'Authentication failed.');
    if (this.#takeFailure(ws)) return;
    const world = this.#options.world;
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, log: [], floor: 1, socket: ws, sent: 0, detachedAt: undefined, acked: 0 };
    this.#sessions.set(session.id, session);
    conn.session = session;
    this.#send(session, 'READY', world.readyPayload(session.id, this.#options.resumeUrl), false);
    this.#send(session, 'GUILD_CREATE', world.guildCreatePayload(), true);
  }

  #resume(ws: WebSocket, conn: { session: Session | undefined }, d: Json): void {
    this.counters.resumes++;
    if (!this.#tokenOk(d.token)) return ws.close(4004, 'Authentication failed.');
    if (this.#takeFailure(ws)) return;
    const session = this.#live(String(d.session_id));
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    if (!session || seq + 1 < session.floor || seq > session.seq) {
      this.counters.resumesRefused++;
      return send(ws, { op: 9, d: false, s: null, t: null });
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    conn.session = session;
    session.socket = ws;
    session.detachedAt = undefined;
    for (const item of session.log) {
      if (item.s <= seq) continue;
      this.counters.replayed++;
      send(ws, { op: 0, s: item.s, t: item.t, d: item.d });
      session.sent = item.s;
    }
    this.#send(session, 'RESUMED', {}, false);
  }

  /** The session, unless it expired while disconnected. */
  #live(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (session && session.detachedAt !== undefined && Date.now() - session.detachedAt > this.#options.resumeWindowMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  #send(session: Session, t: string, d: Json, keep: boolean): void {
    const item: Dispatch = { s: ++session.seq, t, d };
    if (keep) {
      session.log.push(item);
      // Trim in slices: shifting one at a time would copy the whole buffer per dispatch.
      if (session.log.length > this.#options.maxBuffer * 1.1) {
        const dropped = session.log.splice(0, session.log.length - this.#options.maxBuffer);
        session.floor = dropped.at(-1)!.s + 1;
      }
    }
    if (!session.socket) return;
    if (keep && this.#held) {
      item.frame = JSON.stringify({ op: 0, ...item });
      return;
    }
    send(session.socket, { op: 0, ...item });
    session.sent = item.s;
  }

  /** Keep dispatches in the sessions' buffers instead of writing them (a backlog builds up). */
  hold(): void {
    this.#held = true;
  }

  /** Write every held dispatch, in order, as fast as the sockets take them. */
  release(): void {
    this.#held = false;
    for (const session of this.#sessions.values()) {
      if (!session.socket) continue;
      for (const item of session.log) {
        if (item.s <= session.sent) continue;
        if (session.socket.readyState === 1) session.socket.send(item.frame ?? JSON.stringify({ op: 0, s: item.s, t: item.t, d: item.d }));
        item.frame = undefined;
        session.sent = item.s;
      }
    }
  }

  /** Deliver a dispatch to every session, connected or resumable (like Discord's fan-out to sessions). */
  dispatch(t: string, d: Json): void {
    for (const id of [...this.#sessions.keys()]) {
      const session = this.#live(id);
      if (session) this.#send(session, t, d, true);
    }
  }

  /** Cut every socket abruptly (no close frame): sessions stay resumable. Returns how many live sessions it hit. */
  drop(): number {
    let live = 0;
    for (const [ws, conn] of this.#sockets) {
      if (this.#disturb(ws, conn)) live++;
      ws.terminate();
    }
    return live;
  }

  /** op 7 RECONNECT on every socket: the client should reconnect and resume. Returns how many live sessions it hit. */
  reconnect(): number {
    let live = 0;
    for (const [ws, conn] of this.#sockets) {
      if (this.#disturb(ws, conn)) live++;
      send(ws, { op: 7, d: null, s: null, t: null });
    }
    return live;
  }

  /** True the first time an open socket carrying a session is disturbed (each such socket costs the client one RESUME). */
  #disturb(ws: WebSocket, conn: { session: Session | undefined }): boolean {
    if (!conn.session || ws.readyState !== 1 || this.#disturbed.has(ws)) return false;
    this.#disturbed.add(ws);
    return true;
  }

  /** op 9 INVALID_SESSION on every identified socket; `resumable: false` also ends the sessions. */
  invalidate(resumable: boolean): void {
    for (const [ws, conn] of this.#sockets) {
      if (!conn.session) continue;
      if (!resumable) this.#sessions.delete(conn.session.id);
      send(ws, { op: 9, d: resumable, s: null, t: null });
    }
  }

  /** Close every socket with a Gateway close code (4000 resumable … 4004 bad token, fatal); see `SERVER_SESSION_ENDING`. */
  closeAll(code: number, reason = 'Emulated close.'): void {
    for (const [ws, conn] of this.#sockets) {
      if (conn.session && SERVER_SESSION_ENDING.has(code)) this.#sessions.delete(conn.session.id);
      this.#closedByGateway.add(ws);
      ws.close(code, reason);
    }
  }

  /** Answer the next IDENTIFY or RESUME by closing the socket with `code`. */
  failNextHandshake(code: number): void {
    this.#failNextHandshake = code;
  }

  /** Dispatches of live sessions past the sequence each client last reported in a heartbeat. */
  unacked(): number {
    let n = 0;
    for (const id of [...this.#sessions.keys()]) {
      const session = this.#live(id);
      if (!session) continue;
      for (let i = session.log.length - 1; i >= 0 && session.log[i]!.s > session.acked; i--) n++;
    }
    return n;
  }

  /** Number of sockets currently open. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  close(): void {
    for (const ws of this.#sockets.keys()) ws.terminate();
    this.#sessions.clear();
  }
}

function send(ws: WebSocket, payload: Json): void {
  if (ws.readyState === 1) ws.send(JSON.stringify(payload));
}
