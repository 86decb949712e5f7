/**
 * Who is asking: the TCP peer, or — only when the peer is a trusted proxy (the tunnel daemon) — the
 * client named by the one forwarding header the operator configured. `X-Forwarded-For` (the default)
 * is read right to left: the first hop that is not a trusted proxy is the client, and anything left
 * of it was written by the client. `CF-Connecting-IP` is believed only when configured, because a
 * tunnel other than Cloudflare's (Tailscale Funnel) passes it through from the sender untouched.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { normalizeIp, type IpList } from './ip-list.js';
import type { ClientIpHeader } from './types.js';

/** The header read when none is configured: every tunnel we document sets it from the connection. */
export const DEFAULT_CLIENT_IP_HEADER: ClientIpHeader = 'x-forwarded-for';

/** The client IP for `peer` (already the socket's remote address) given its request headers. */
export function clientIp(peer: string, headers: IncomingHttpHeaders, trusted: IpList | undefined, header: ClientIpHeader = DEFAULT_CLIENT_IP_HEADER): string {
  const tcp = normalizeIp(peer);
  if (!trusted || !trusted.has(tcp)) return tcp;
  if (header === 'cf-connecting-ip') {
    // Cloudflare's edge overwrites it, so behind cloudflared it is the caller; nothing else is read.
    const cf = headers['cf-connecting-ip'];
    return typeof cf === 'string' && isIP(cf.trim()) ? normalizeIp(cf.trim()) : tcp;
  }
  return rightMostUntrusted(tcp, headers['x-forwarded-for'], trusted);
}

/**
 * Right to left through `X-Forwarded-For`: each trusted hop vouches for the one before it; the first
 * untrusted hop is the client. A hop that is not an address stops the walk at the last vouched one.
 */
function rightMostUntrusted(tcp: string, xff: string | string[] | undefined, trusted: IpList): string {
  if (typeof xff !== 'string') return tcp;
  const hops = xff.split(',').map((h) => h.trim());
  let client = tcp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return client;
    client = normalizeIp(hop);
    if (!trusted.has(client)) return client;
  }
  return client;
}
