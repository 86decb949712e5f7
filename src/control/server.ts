/**
 * The local control socket: a Unix socket (mode 0600) in the state directory that `status`, `send` and
 * `tail` talk to. It never listens on TCP.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AgentBus, Subscription } from '../bus/bus.js';
import type { OutboundCommand, SendResult } from '../bus/types.js';
import { SbError, describeError } from '../errors.js';
import { readLines, writeLine } from './ndjson.js';
import { controlRequestSchema, type ControlRequest, type RuntimeStatus } from './protocol.js';

export interface ControlHandlers {
  status(): RuntimeStatus;
  send(cmd: OutboundCommand): Promise<SendResult>;
  bus: AgentBus;
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

function serveConnection(socket: Socket, handlers: ControlHandlers, log: Logger): void {
  let subscription: Subscription | undefined;
  socket.on('error', () => undefined);
  socket.on('close', () => subscription?.close());
  readLines(
    socket,
    (line) => {
      let request: ControlRequest;
      try {
        const parsed = controlRequestSchema.safeParse(JSON.parse(line));
        if (!parsed.success) {
          const id = (JSON.parse(line) as { id?: unknown }).id;
          writeLine(socket, { id: typeof id === 'number' ? id : null, ok: false, error: { code: 'SB_E_PROTOCOL', message: `bad request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` } });
          return;
        }
        request = parsed.data;
      } catch {
        writeLine(socket, { id: null, ok: false, error: { code: 'SB_E_PROTOCOL', message: 'bad request: not JSON' } });
        return;
      }
      void handle(request).catch((err: unknown) => {
        const code = err instanceof SbError ? err.code : 'SB_E_INTERNAL';
        // One child logger per request; SbErrors are the caller's mistake and are answered, not logged loudly.
        const rlog = log.child({ control: request.op, request: request.id });
        if (err instanceof SbError) rlog.debug({ code }, 'control request refused');
        else rlog.error({ err }, 'control request failed');
        writeLine(socket, { id: request.id, ok: false, error: { code, message: describeError(err) } });
      });
    },
    { onOverflow: () => writeLine(socket, { id: null, ok: false, error: { code: 'SB_E_PROTOCOL', message: 'line too long' } }) },
  );

  async function handle(request: ControlRequest): Promise<void> {
    switch (request.op) {
      case 'ping':
        writeLine(socket, { id: request.id, ok: true, result: 'pong' });
        return;
      case 'status':
        writeLine(socket, { id: request.id, ok: true, result: handlers.status() });
        return;
      case 'send':
        writeLine(socket, { id: request.id, ok: true, result: await handlers.send(request.command as OutboundCommand) });
        return;
      case 'subscribe': {
        subscription?.close();
        writeLine(socket, { id: request.id, ok: true, result: { subscriber: request.subscriber } });
        const id = request.id;
        subscription = handlers.bus.subscribe(
          request.subscriber,
          (event) => void writeLine(socket, { id, event }),
          request.from ? { from: request.from } : {},
        );
        return;
      }
      case 'ack': {
        if (!subscription) throw new SbError('SB_E_PROTOCOL', 'ack before subscribe: subscribe first');
        await handlers.bus.ack(subscription.subscriber, request.event);
        writeLine(socket, { id: request.id, ok: true, result: { acked: request.event } });
        return;
      }
    }
  }
}
