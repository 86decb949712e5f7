/**
 * Who is asking: the TCP peer, or — only when the peer is a trusted proxy (the tunnel daemon) — the
 * client the proxy names in `CF-Connecting-IP`, else the right-most untrusted `X-Forwarded-For` hop.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { normalizeIp, type IpList } from './ip-list.js';

/** The client IP for `peer` (already the socket's remote address) given its request headers. */
export function clientIp(peer: string, headers: IncomingHttpHeaders, trusted: IpList | undefined): string {
  const tcp = normalizeIp(peer);
  if (!trusted || !trusted.has(tcp)) return tcp;
  const cf = headers['cf-connecting-ip'];
  if (typeof cf === 'string' && isIP(cf.trim())) return normalizeIp(cf.trim());
  const xff = headers['x-forwarded-for'];
  if (typeof xff !== 'string') return tcp;
  // Right to left: each trusted hop vouches for the one before it; the first untrusted hop is the
  // client. Anything left of it was written by the client and proves nothing.
  const hops = xff.split(',').map((h) => h.trim());
  let client = tcp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return client; // garbage: stop at the last address a trusted hop vouched for
    client = normalizeIp(hop);
    if (!trusted.has(client)) return client;
  }
  return client;
}
