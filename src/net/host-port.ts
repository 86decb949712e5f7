/**
 * `host:port` strings as config writes them (`127.0.0.1:8788`, `[::1]:8788`, `localhost:8787`): split,
 * made exact, and asked whether they are loopback — one reading for the supervisor, the listeners'
 * binds and the connectors' config checks.
 */
import { BlockList, isIP } from 'node:net';

const LOOPBACK_V6 = new BlockList();
LOOPBACK_V6.addAddress('::1', 'ipv6');

/** Strip `[...]` from an IPv6 literal. */
export function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** `host:port` → the host (brackets dropped) and the port. */
export function splitHostPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: bareHost(hostPort.slice(0, i)), port: Number(hostPort.slice(i + 1)) };
}

/** A host made exact for comparison: names lower-cased, an IPv6 literal in its canonical form (no brackets). */
export function canonicalHost(host: string): string {
  const bare = bareHost(host).toLowerCase();
  return isIP(bare) === 6 ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
}

/** True for 127.0.0.0/8 and ::1 (brackets allowed); a name, `localhost` included, is not an address. */
export function isLoopbackAddress(host: string): boolean {
  const bare = bareHost(host);
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return isIP(bare) === 6 && LOOPBACK_V6.check(bare, 'ipv6');
}
