/**
 * `startListener`: one hardened HTTP server per webhook connector, wiring the stages (connection
 * limits → rate limits → route → request checks → body cap → signature → replay → JSON guard →
 * handle) and owning its counters and bounded tables.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import { SbError } from '../errors.js';
import { bodyLimit } from './body-limit.js';
import { clientErrorHandler } from './client-error.js';
import { connectionLimits, serverOptions } from './connection-limits.js';
import { Counters } from './counters.js';
import { isEndpointId } from './endpoint-id.js';
import { FailBan } from './fail-ban.js';
import { ipList } from './ip-list.js';
import { jsonGuard } from './json-guard.js';
import { resolveLimits } from './limits.js';
import { pipeline } from './pipeline.js';
import { rateLimit } from './rate-limit.js';
import { ReplayCache } from './replay-cache.js';
import { replayGuard } from './replay-guard.js';
import { genericBody, send } from './respond.js';
import { requestChecks } from './request-checks.js';
import { route } from './route.js';
import { TokenBucket } from './token-bucket.js';
import type { Listener, ListenerOptions } from './types.js';
import { verifySignature } from './verify.js';

/** How long `close()` lets in-flight requests finish before cutting every connection. */
export const SHUTDOWN_GRACE_MS = 2_000;

/** Start the listener; resolves once bound. Throws `SB_E_CONFIG` on a bad option, `SB_E_LISTENER_REFUSED` when it cannot bind. */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  if (!isEndpointId(options.endpointId)) {
    throw new SbError('SB_E_CONFIG', `listener for ${options.connector}: endpointId must be whk_ + 32 hex; get it from loadEndpointId()`);
  }
  if (options.handler.contentTypes.length === 0) {
    throw new SbError('SB_E_CONFIG', `listener for ${options.connector}: the handler accepts no content type; list e.g. application/json`);
  }
  const limits = resolveLimits(options.limits);
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ listener: options.connector });
  const trustedProxies = options.trustedProxies?.length ? ipList(options.trustedProxies, 'trusted_proxies') : undefined;
  const allowIps = options.allowIps?.length ? ipList(options.allowIps, 'allow_ips') : undefined;
  const path = `/hooks/${options.endpointId}`;
  const counters = new Counters();
  const failBan = new FailBan(limits.failBan, clock);
  const replay = new ReplayCache(clock);
  const onRequest = pipeline({
    stages: [
      rateLimit(failBan, new TokenBucket(limits.rate.perSecond, limits.rate.burst, clock), limits.bodyLimit),
      route(path),
      requestChecks(options.handler.contentTypes, allowIps, limits.bodyLimit),
      bodyLimit(limits.bodyLimit),
      verifySignature(options.handler),
      replayGuard(replay),
      jsonGuard(limits.json),
    ],
    handler: options.handler,
    counters,
    failBan,
    replay,
    trustedProxies,
    clientIpHeader: options.clientIpHeader,
    log,
    clock,
  });

  const server: Server = createServer(serverOptions(limits), onRequest);
  const connections = connectionLimits(server, limits, (reason, ip) => {
    counters.reject(reason);
    log.debug({ clientIp: ip, reason }, 'connection refused');
  }, trustedProxies);
  // `Expect: 100-continue` goes through the same stages; `bodyLimit` sends the 100 only to a request
  // that passed the cheap checks and whose declared length fits. Other expectations: a generic 417.
  server.on('checkContinue', onRequest);
  server.on('checkExpectation', (_req, res: ServerResponse) => {
    counters.reject('expectation');
    send(res, 417, genericBody(417), { close: true });
  });
  server.on('clientError', clientErrorHandler((reason) => counters.reject(reason)));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new SbError('SB_E_LISTENER_REFUSED', `listener for ${options.connector} cannot bind ${options.host}:${options.port} (${(err as NodeJS.ErrnoException).code ?? err.message}); choose a free port or address`, { cause: err }));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'listener server error'));
  const address = server.address() as AddressInfo;
  const host = address.address;
  const port = address.port;
  const urlHost = address.family === 'IPv6' ? `[${host}]` : host;
  log.info({ host, port }, 'listener started');

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    path,
    url: `http://${urlHost}:${port}${path}`,
    limits,
    counters: () => counters.snapshot(),
    stats: () => ({ ipConnections: connections.size, failBanEntries: failBan.size, replayEntries: replay.size }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        server.close(() => {
          clearTimeout(timer);
          log.info('listener closed');
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
