/**
 * Stage 4, for requests on the known route: the method (405 + Allow: POST), the media type (415;
 * parameters such as `charset` ignored) and, when configured, the client IP allowlist (generic 403).
 */
import type { Exchange, Rejection, SyncStage } from './exchange.js';
import type { IpList } from './ip-list.js';
import { mustClose } from './respond.js';

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The request-check stage for `contentTypes`, and `allowIps` when given (`bodyLimit`: see `mustClose`). */
export function requestChecks(contentTypes: readonly string[], allowIps: IpList | undefined, bodyLimit: number): SyncStage {
  const accepted = new Set(contentTypes.map((t) => t.toLowerCase()));
  return function requestChecks(ex: Exchange): Rejection | undefined {
    if (!ex.known) return undefined;
    const close = mustClose(ex.req, bodyLimit);
    if (ex.req.method !== 'POST') return { status: 405, reason: 'method', headers: { allow: 'POST' }, close };
    if (!accepted.has(mediaType(ex.req.headers['content-type']))) return { status: 415, reason: 'content-type', close };
    if (allowIps && !allowIps.has(ex.clientIp)) return { status: 403, reason: 'ip-not-allowed', close };
    return undefined;
  };
}
