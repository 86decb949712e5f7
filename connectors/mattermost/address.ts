/**
 * Where an address or host name points, for the callback listener's bind and the server URL:
 * loopback, a private LAN range, or the public internet. Pure (no DNS): a host name that is not an
 * address is judged by its name only.
 */
import { BlockList, isIP } from 'node:net';
import { bareHost, canonicalHost, splitHostPort } from '../../src/net/host-port.js';

/** `loopback` and `lan` may carry a callback listener; `public` may not; `name` is an unresolved host name. */
export type AddressScope = 'loopback' | 'lan' | 'public' | 'name';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** Names that only resolve inside a site (RFC 6762 .local, RFC 8375 .home.arpa, and common LAN suffixes). */
const LAN_NAME = /(?:^|\.)(?:local|lan|internal|intranet|home\.arpa|localdomain)$/i;

/** The host part of `host:port` (IPv6 in brackets allowed). */
export function hostOf(hostPort: string): string {
  return splitHostPort(hostPort).host;
}

/**
 * `host:port` with its host made exact: `localhost` → `127.0.0.1` (the address the listener binds, so
 * the plan, the bind and `status` agree), an IPv6 literal in its canonical lower-case form, in brackets.
 */
export function canonicalBind(hostPort: string): string {
  const { host, port } = splitHostPort(hostPort);
  if (host.toLowerCase() === 'localhost') return `127.0.0.1:${port}`;
  if (isIP(host) === 6) return `[${canonicalHost(host)}]:${port}`;
  return `${host}:${port}`;
}

/** The scope of an IP address or host name. `localhost` counts as loopback. */
export function scopeOf(host: string): AddressScope {
  const bare = bareHost(host);
  const family = isIP(bare);
  if (family === 0) return bare.toLowerCase() === 'localhost' ? 'loopback' : 'name';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(bare, type)) return 'loopback';
  if (PRIVATE.check(bare, type)) return 'lan';
  return 'public';
}

/** True when a server host name or address is only reachable inside a LAN (or on this machine). */
export function isLocalHost(host: string): boolean {
  const scope = scopeOf(host);
  if (scope === 'loopback' || scope === 'lan') return true;
  return scope === 'name' && (LAN_NAME.test(bareHost(host)) || !bareHost(host).includes('.'));
}
