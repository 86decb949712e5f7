/** Stage 2: the fail-ban (before any HMAC work) and the endpoint's token bucket. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/listener/exchange.js';
import { FailBan } from '../../src/listener/fail-ban.js';
import { rateLimit } from '../../src/listener/rate-limit.js';
import { TokenBucket } from '../../src/listener/token-bucket.js';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

function exchange(ip: string, headers: Record<string, string> = { 'content-length': '2' }): Exchange {
  const req = { headers, complete: false } as unknown as IncomingMessage;
  return { req, res: {} as never, peerIp: ip, clientIp: ip, correlationId: 'c', receivedAt: 0 };
}

describe('FailBan', () => {
  it('bans after more than `threshold` failures inside the window, for banMs', () => {
    const c = clock();
    const ban = new FailBan({ threshold: 3, windowMs: 1_000, banMs: 5_000 }, c);
    expect([ban.fail('a'), ban.fail('a'), ban.fail('a')]).toEqual([false, false, false]);
    expect(ban.bannedFor('a')).toBe(0);
    expect(ban.fail('a')).toBe(true);
    expect(ban.bannedFor('a')).toBe(5_000);
    expect(ban.bannedFor('b')).toBe(0);
    c.t += 4_999;
    expect(ban.bannedFor('a')).toBe(1);
    c.t += 1;
    expect(ban.bannedFor('a')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const c = clock();
    const ban = new FailBan({ threshold: 2, windowMs: 1_000, banMs: 5_000 }, c);
    ban.fail('a');
    ban.fail('a');
    c.t += 1_001;
    expect(ban.fail('a')).toBe(false);
    expect(ban.bannedFor('a')).toBe(0);
  });

  it('tracks at most maxEntries source IPs', () => {
    const ban = new FailBan({ threshold: 1, windowMs: 1_000, banMs: 5_000 }, clock(), 100);
    for (let i = 0; i < 1_000; i++) ban.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(ban.size).toBe(100);
  });
});

describe('TokenBucket', () => {
  it('grants the burst, then refills at perSecond, and says how long to wait', () => {
    const c = clock();
    const bucket = new TokenBucket(10, 3, c);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(100);
    c.t += 100;
    expect(bucket.take()).toBe(0);
    c.t += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0, 100]);
  });
});

describe('rateLimit stage', () => {
  it('answers a banned source 429 + Retry-After without taking a token', () => {
    const c = clock();
    const ban = new FailBan({ threshold: 0, windowMs: 1_000, banMs: 90_500 }, c);
    const bucket = new TokenBucket(1, 1, c);
    const stage = rateLimit(ban, bucket, 1_000);
    ban.fail('1.1.1.1');
    // A small declared body is left for Node to discard (the connection stays); a chunked or
    // oversized one closes the connection rather than being drained.
    expect(stage(exchange('1.1.1.1'))).toEqual({ status: 429, reason: 'banned', headers: { 'retry-after': '91' }, close: false });
    expect(stage(exchange('1.1.1.1', { 'transfer-encoding': 'chunked' }))?.close).toBe(true);
    expect(stage(exchange('1.1.1.1', { 'content-length': '1001' }))?.close).toBe(true);
    // The bucket's one token is still there for someone else.
    expect(stage(exchange('2.2.2.2'))).toBeUndefined();
    expect(stage(exchange('3.3.3.3', {}))).toEqual({ status: 429, reason: 'rate-limited', headers: { 'retry-after': '1' }, close: false });
  });
});
