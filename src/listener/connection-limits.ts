/**
 * Stage 1, on the socket before any HTTP parsing: the server-wide timeouts and caps, and at most
 * `maxConnectionsPerIp` open sockets per TCP peer (the one over is destroyed at once) — except a
 * trusted proxy, which is every client at once. The per-IP table holds only peers with an open
 * socket, so it is bounded by `maxConnections`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { normalizeIp, type IpList } from './ip-list.js';
import type { ResolvedLimits } from './limits.js';

/** Options for `createServer` carrying the limits Node only takes at construction. */
export function serverOptions(limits: ResolvedLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    insecureHTTPParser: false,
    // Checked by the route stage instead, so the refusal is our generic 400 rather than Node's own.
    requireHostHeader: false,
    joinDuplicateHeaders: false,
  };
}

/** The per-IP socket table (its size is a test/status figure). */
export interface ConnectionTable {
  readonly size: number;
}

/**
 * Apply the settable limits to `server` and track sockets per peer; `onRefused` hears each socket
 * destroyed for being over its peer's share (`too-many-connections`) or for pipelining past
 * `maxRequestsPerSocket` (`too-many-requests`: the answer before it said `Connection: close`, so
 * only a misbehaving client gets here, and it gets no Node-written 503).
 */
export function connectionLimits(server: Server, limits: ResolvedLimits, onRefused: (reason: string, ip: string) => void, trustedProxies?: IpList): ConnectionTable {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.maxConnections = limits.maxConnections;
  const perIp = new Map<string, Set<Socket>>();
  // Sockets serving their last request (`maxRequestsPerSocket`): Node answers it with
  // `Connection: close` but leaves closing to the client, which may open its next socket first.
  const lastRequest = new WeakSet<Socket>();
  server.on('request', (req: IncomingMessage, res: ServerResponse & { maxRequestsOnConnectionReached?: boolean }) => {
    if (!res.maxRequestsOnConnectionReached) return;
    const socket = req.socket;
    lastRequest.add(socket);
    res.once('finish', () => socket.end()); // and do close it, rather than wait for keep-alive to expire
  });
  server.on('connection', function connectionLimits(socket: Socket) {
    const ip = normalizeIp(socket.remoteAddress ?? '');
    // A trusted proxy (the tunnel daemon) carries every client's traffic: only the total cap applies.
    if (trustedProxies?.has(ip)) return;
    let sockets = perIp.get(ip);
    if (!sockets) perIp.set(ip, (sockets = new Set()));
    // A socket on its way out (we ended it, or it serves its last request) no longer counts: its
    // client may open the next one before the old one's 'close' reaches us.
    let open = 0;
    for (const s of sockets) if (!s.writableEnded && !lastRequest.has(s)) open++;
    if (open >= limits.maxConnectionsPerIp) {
      if (sockets.size === 0) perIp.delete(ip);
      socket.destroy();
      onRefused('too-many-connections', ip);
      return;
    }
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) perIp.delete(ip);
    });
  });
  server.on('dropRequest', (_req: unknown, socket: Socket) => {
    socket.destroy();
    onRefused('too-many-requests', normalizeIp(socket.remoteAddress ?? ''));
  });
  return {
    get size() {
      return perIp.size;
    },
  };
}
