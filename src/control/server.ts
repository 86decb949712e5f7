/**
 * The local control socket: a Unix socket (mode 0600) in the state directory that `status`, `send`,
 * `tail` and agents talk to — it is the agent API (docs/agent-api.md). It never listens on TCP.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { PausableBus, PausableSubscription } from '../bus/bus.js';
import type { OutboundCommand, SendResult } from '../bus/types.js';
import { SbError } from '../errors.js';
import { DeliveryFlow } from './delivery-flow.js';
import { readLines, writeLine } from './ndjson.js';
import { COMMAND_OPS, commandOf, controlRequestSchema, matchesFilter, type ControlRequest, type RuntimeStatus, type WireError } from './protocol.js';
import { badRequest, toWireError } from './wire-error.js';

export interface ControlHandlers {
  status(): RuntimeStatus;
  send(cmd: OutboundCommand): Promise<SendResult>;
  /** Pausable: a connection that stops reading pauses its subscription (delivery-flow.ts). */
  bus: PausableBus;
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** True when something answers on the socket path (another runtime owns this state directory). */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Listen on `path`; refuses if a live runtime already listens there, removes a stale socket file. */
export async function startControlServer(path: string, handlers: ControlHandlers, log: Logger): Promise<ControlServer> {
  if (existsSync(path)) {
    if (await socketAnswers(path)) {
      throw new SbError('SB_E_ALREADY_RUNNING', `a switchboard runtime is already running with this state_dir (control socket ${path}); stop it first or use another state_dir`);
    }
    unlinkSync(path); // left behind by a runtime that was killed
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, handlers, log);
  });
  // The umask applies when the socket file is created, so it is never briefly group/world accessible.
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(previous);
  }
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const KNOWN_OPS: readonly string[] = ['ping', 'status', 'subscribe', 'ack', ...COMMAND_OPS];

/** Read one request line: the request, or the error line to answer (with the id when it could be read). */
function parseRequest(line: string): { request: ControlRequest } | { id: number | null; error: WireError } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { id: null, error: badRequest('bad request: not JSON (send one JSON object per line)') };
  }
  const raw = (value !== null && typeof value === 'object' ? value : {}) as { id?: unknown; op?: unknown };
  const id = typeof raw.id === 'number' && Number.isInteger(raw.id) ? raw.id : null;
  if (typeof raw.op !== 'string' || !KNOWN_OPS.includes(raw.op)) {
    return { id, error: badRequest(`bad request: unknown op ${JSON.stringify(raw.op ?? null)} (known: ${KNOWN_OPS.join(', ')})`) };
  }
  const parsed = controlRequestSchema.safeParse(value);
  if (!parsed.success) {
    return { id, error: badRequest(`bad request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`) };
  }
  return { request: parsed.data };
}

function serveConnection(socket: Socket, handlers: ControlHandlers, log: Logger): void {
  let subscription: PausableSubscription | undefined;
  const flow = new DeliveryFlow(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => subscription?.close());
  readLines(
    socket,
    (line) => {
      const read = parseRequest(line);
      if ('error' in read) {
        writeLine(socket, { id: read.id, ok: false, error: read.error });
        return;
      }
      const { request } = read;
      void handle(request).catch((err: unknown) => {
        const error = toWireError(err);
        // One child logger per request; SbErrors are the caller's mistake or the platform's answer, not ours.
        const rlog = log.child({ control: request.op, request: request.id });
        if (err instanceof SbError) rlog.debug({ code: error.code }, 'control request refused');
        else rlog.error({ err }, 'control request failed');
        writeLine(socket, { id: request.id, ok: false, error });
      });
    },
    { onOverflow: () => writeLine(socket, { id: null, ok: false, error: badRequest('bad request: line too long (1 MiB at most)') }) },
  );

  async function handle(request: ControlRequest): Promise<void> {
    switch (request.op) {
      case 'ping':
        writeLine(socket, { id: request.id, ok: true, result: 'pong' });
        return;
      case 'status':
        writeLine(socket, { id: request.id, ok: true, result: handlers.status() });
        return;
      case 'subscribe': {
        void subscription?.close();
        writeLine(socket, { id: request.id, ok: true, result: { subscriber: request.subscriber } });
        const { id, subscriber, filter, window } = request;
        subscription = handlers.bus.subscribe(
          subscriber,
          (event) => {
            if (matchesFilter(event, filter)) flow.deliver(id, event);
            // Filtered out: handled, as far as this subscriber is concerned, so its cursor moves on.
            else handlers.bus.ack(subscriber, event.id).catch(() => undefined);
          },
          request.from ? { from: request.from } : {},
        );
        // The first event comes on a later turn, so attaching now misses none.
        flow.attach(subscription, window);
        return;
      }
      case 'ack': {
        if (!subscription) throw new SbError('SB_E_BAD_REQUEST', 'ack before subscribe: subscribe on this connection first');
        await handlers.bus.ack(subscription.subscriber, request.event);
        flow.acked(request.event);
        writeLine(socket, { id: request.id, ok: true, result: { acked: request.event } });
        return;
      }
      default:
        writeLine(socket, { id: request.id, ok: true, result: await handlers.send(commandOf(request)) });
    }
  }
}
