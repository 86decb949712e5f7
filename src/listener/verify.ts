/**
 * Stage 6: the connector's signature check over the raw bytes, before any parsing. A failure is a
 * generic 401 (the reason is logged and counted, never sent) and counts toward the fail-ban. A path
 * that is not this endpoint pays an HMAC over its body with a random key — the same work as a real
 * check — and is answered the generic 404.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Exchange, Rejection, SyncStage } from './exchange.js';
import type { WebhookHandler } from './types.js';

/** An HMAC-SHA256 over `body` under a key nobody knows, compared in constant time: always false. */
export function dummyVerify(key: Buffer, body: Buffer): boolean {
  const digest = createHmac('sha256', key).update(body).digest();
  return timingSafeEqual(digest, randomBytes(digest.length)) && false;
}

/** The verify stage for `handler`. */
export function verifySignature(handler: WebhookHandler): SyncStage {
  const dummyKey = randomBytes(32);
  return function verifySignature(ex: Exchange): Rejection | undefined {
    const body = ex.body ?? Buffer.alloc(0);
    if (!ex.known) {
      dummyVerify(dummyKey, body);
      return { status: 404, reason: 'unknown-endpoint', failure: true };
    }
    ex.webhook = { rawBody: body, headers: ex.req.headers, clientIp: ex.clientIp, correlationId: ex.correlationId, receivedAt: ex.receivedAt };
    let verdict;
    try {
      verdict = handler.verify(ex.webhook);
    } catch {
      // A verifier that throws on hostile input has refused it.
      return { status: 401, reason: 'verify-threw', failure: true };
    }
    if (!verdict.ok) return { status: 401, reason: verdict.reason, failure: true };
    ex.deliveryId = verdict.deliveryId;
    return undefined;
  };
}
