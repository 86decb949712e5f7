/**
 * CIDR lists (trusted proxies, the IP allowlist) as a `net.BlockList`, and the one normalization of
 * a socket address every per-IP table keys on.
 */
import { BlockList, isIP } from 'node:net';
import { SbError } from '../errors.js';

/** `::ffff:1.2.3.4` → `1.2.3.4`, so an IPv4 client has one key however the socket reports it. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** A matcher over CIDRs or single addresses; throws `SB_E_CONFIG` naming the bad entry. */
export interface IpList {
  has(ip: string): boolean;
}

/** Build an `IpList` from entries such as `127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`. */
export function ipList(entries: readonly string[], what: string): IpList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > max || prefix === ''))) {
      throw new SbError('SB_E_CONFIG', `${what}: "${entry}" is not an IP address or CIDR; write e.g. 10.0.0.0/8 or ::1`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return {
    has(ip: string): boolean {
      const plain = normalizeIp(ip);
      const family = isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
