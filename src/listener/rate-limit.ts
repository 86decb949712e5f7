/**
 * Stage 2, before any body reading or HMAC work: a banned source IP (too many failed
 * verifications) gets 429 + Retry-After for the rest of its ban; then the endpoint's overall token
 * bucket sheds overload with 429 + Retry-After. A banned source never takes a token, so a flood from
 * one address cannot starve the others.
 */
import type { Exchange, Rejection, SyncStage } from './exchange.js';
import type { FailBan } from './fail-ban.js';
import { mustClose } from './respond.js';
import type { TokenBucket } from './token-bucket.js';

function tooMany(ex: Exchange, reason: string, waitMs: number, bodyLimit: number): Rejection {
  return { status: 429, reason, headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) }, close: mustClose(ex.req, bodyLimit) };
}

/** The rate-limit stage over a fail-ban table and the endpoint's bucket (`bodyLimit`: see `mustClose`). */
export function rateLimit(failBan: FailBan, bucket: TokenBucket, bodyLimit: number): SyncStage {
  return function rateLimit(ex: Exchange): Rejection | undefined {
    const banned = failBan.bannedFor(ex.clientIp);
    if (banned > 0) return tooMany(ex, 'banned', banned, bodyLimit);
    const wait = bucket.take();
    if (wait > 0) return tooMany(ex, 'rate-limited', wait, bodyLimit);
    return undefined;
  };
}
