/** Client IP resolution (forwarding headers only from trusted proxies) and CIDR lists. */
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/listener/client-ip.js';
import { ipList, normalizeIp } from '../../src/listener/ip-list.js';

describe('ipList', () => {
  it('matches single addresses and CIDRs of both families, IPv4-mapped included', () => {
    const list = ipList(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1'], 'test');
    expect(['127.0.0.1', '::ffff:127.0.0.1', '10.200.3.4', 'fd12::1', '::1'].map((ip) => list.has(ip))).toEqual([true, true, true, true, true]);
    expect(['127.0.0.2', '11.0.0.1', 'fe80::1', 'garbage'].map((ip) => list.has(ip))).toEqual([false, false, false, false]);
  });

  it('refuses entries that are not addresses or CIDRs, naming the entry', () => {
    expect(() => ipList(['10.0.0.0/33'], 'allow_ips')).toThrow(/allow_ips: "10.0.0.0\/33" is not an IP address or CIDR/);
    expect(() => ipList(['example.com'], 'x')).toThrow(/"example.com"/);
    expect(() => ipList(['10.0.0.0/'], 'x')).toThrow();
  });

  it('normalizeIp unwraps IPv4-mapped IPv6 only', () => {
    expect([normalizeIp('::ffff:1.2.3.4'), normalizeIp('::1'), normalizeIp('1.2.3.4')]).toEqual(['1.2.3.4', '::1', '1.2.3.4']);
  });
});

describe('clientIp', () => {
  const trusted = ipList(['127.0.0.1', '10.0.0.0/8'], 'trusted_proxies');

  it('is the TCP peer when no proxy is trusted or the peer is not one', () => {
    expect(clientIp('::ffff:127.0.0.1', { 'cf-connecting-ip': '9.9.9.9' }, undefined)).toBe('127.0.0.1');
    expect(clientIp('203.0.113.5', { 'cf-connecting-ip': '9.9.9.9', 'x-forwarded-for': '8.8.8.8' }, trusted)).toBe('203.0.113.5');
  });

  it('ignores CF-Connecting-IP unless it is the configured header: behind Funnel the sender writes it', () => {
    // Tailscale Funnel sets X-Forwarded-For from the connection and passes CF-Connecting-IP through.
    expect(clientIp('127.0.0.1', { 'cf-connecting-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.66' }, trusted)).toBe('203.0.113.66');
    expect(clientIp('127.0.0.1', { 'cf-connecting-ip': '198.51.100.7' }, trusted)).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', { 'cf-connecting-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.66' }, trusted, 'x-forwarded-for')).toBe('203.0.113.66');
  });

  it('cf-connecting-ip configured (cloudflared): that header alone, from a trusted peer, if it is an address', () => {
    expect(clientIp('127.0.0.1', { 'cf-connecting-ip': ' 198.51.100.7 ', 'x-forwarded-for': '6.6.6.6' }, trusted, 'cf-connecting-ip')).toBe('198.51.100.7');
    expect(clientIp('127.0.0.1', { 'cf-connecting-ip': 'nonsense', 'x-forwarded-for': '198.51.100.8' }, trusted, 'cf-connecting-ip')).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', { 'x-forwarded-for': '198.51.100.8' }, trusted, 'cf-connecting-ip')).toBe('127.0.0.1');
    expect(clientIp('203.0.113.5', { 'cf-connecting-ip': '9.9.9.9' }, trusted, 'cf-connecting-ip')).toBe('203.0.113.5');
  });

  it('takes the right-most untrusted X-Forwarded-For hop; spoofed left hops prove nothing', () => {
    expect(clientIp('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.9, 10.1.1.1' }, trusted)).toBe('198.51.100.9');
    // The client wrote "198.51.100.1"; the proxy appended the address it saw: that one is the client.
    expect(clientIp('127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.66' }, trusted)).toBe('203.0.113.66');
    expect(clientIp('127.0.0.1', { 'x-forwarded-for': '10.1.1.1, 10.2.2.2' }, trusted)).toBe('10.1.1.1');
    expect(clientIp('127.0.0.1', { 'x-forwarded-for': '198.51.100.9, junk' }, trusted)).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', {}, trusted)).toBe('127.0.0.1');
  });
});
