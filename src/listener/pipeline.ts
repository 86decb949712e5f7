/**
 * The request handler: the stages in order, cheapest first, then `handle`. Each rejection is counted
 * under its reason, logged with the correlation id and client IP (never the body or a secret),
 * charged to the fail-ban when it is a verification failure, and answered generically.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { clientIp } from './client-ip.js';
import type { Counters } from './counters.js';
import type { Exchange, Rejection, Stage } from './exchange.js';
import type { FailBan } from './fail-ban.js';
import { handle } from './handle.js';
import { normalizeIp, type IpList } from './ip-list.js';
import type { ReplayCache } from './replay-cache.js';
import { genericBody, send } from './respond.js';
import type { ClientIpHeader, WebhookHandler } from './types.js';

export interface PipelineDeps {
  stages: readonly Stage[];
  handler: WebhookHandler;
  counters: Counters;
  failBan: FailBan;
  replay: ReplayCache;
  trustedProxies: IpList | undefined;
  clientIpHeader: ClientIpHeader | undefined;
  log: Logger;
  clock: Clock;
}

/** Reasons seen in floods: logged at debug so an attacker cannot fill the log. */
const QUIET = new Set(['banned', 'rate-limited']);

/** The `request` listener running `deps.stages` then `handle`. */
export function pipeline(deps: PipelineDeps) {
  const { stages, handler, counters, failBan, replay, log, clock } = deps;

  function reject(ex: Exchange, r: Rejection): void {
    counters.reject(r.reason);
    const fields = { correlationId: ex.correlationId, clientIp: ex.clientIp, status: r.status, reason: r.reason };
    if (QUIET.has(r.reason)) log.debug(fields, 'webhook refused');
    else log.warn(fields, 'webhook rejected');
    if (r.failure && failBan.fail(ex.clientIp)) log.warn({ clientIp: ex.clientIp }, 'source banned after repeated failed verifications');
    if (r.reason === 'aborted') {
      ex.res.destroy();
      return;
    }
    send(ex.res, r.status, r.body ?? genericBody(r.status), { headers: r.headers, close: r.close });
  }

  async function run(ex: Exchange): Promise<void> {
    let delivered = false;
    try {
      delivered = await stagesThenHandle(ex);
    } finally {
      // Whatever happened after the replay stage reserved the id (a refusal, a 500, a bug): settle it,
      // remembered only when the handler answered 2xx, so a retry after a failure gets through.
      if (ex.replayHeld) replay.settle(ex.deliveryId!, delivered);
    }
  }

  /** True when the handler accepted the request. */
  async function stagesThenHandle(ex: Exchange): Promise<boolean> {
    for (const stage of stages) {
      const rejection = await stage(ex);
      if (rejection) {
        reject(ex, rejection);
        return false;
      }
    }
    const outcome = await handle(handler, ex);
    if (!outcome.ok) {
      reject(ex, outcome.rejection);
      return false;
    }
    counters.accept();
    log.debug({ correlationId: ex.correlationId, clientIp: ex.clientIp, status: outcome.status }, 'webhook accepted');
    send(ex.res, outcome.status, outcome.body);
    return true;
  }

  return function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const peerIp = normalizeIp(req.socket.remoteAddress ?? '');
    const ex: Exchange = {
      req,
      res,
      peerIp,
      clientIp: clientIp(peerIp, req.headers, deps.trustedProxies, deps.clientIpHeader),
      correlationId: randomUUID(),
      receivedAt: clock.now(),
    };
    run(ex).catch((err: unknown) => {
      // A bug in a stage, not the client's fault: generic 500, the error in the log.
      counters.reject('internal');
      log.error({ correlationId: ex.correlationId, err }, 'listener pipeline failed');
      send(res, 500, genericBody(500), { close: true });
    });
  };
}
