/** The listener's defaults (as the issue states them) and the validation of overrides. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/listener/index.js';
import { resolveLimits } from '../../src/listener/limits.js';

describe('listener limits', () => {
  it('defaults to the values in DESIGN.md and issue #5', () => {
    expect(DEFAULT_LIMITS).toEqual({
      headersTimeoutMs: 5_000,
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      maxHeaderSize: 8192,
      maxRequestsPerSocket: 100,
      maxConnections: 256,
      maxConnectionsPerIp: 32,
      connectionsCheckingIntervalMs: 1_000,
      bodyLimit: 262_144,
      json: { maxDepth: 32, maxKeys: 10_000, maxStringLength: 65_536 },
      failBan: { threshold: 20, windowMs: 60_000, banMs: 300_000 },
      rate: { perSecond: 100, burst: 200 },
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });

  it('overlays nested overrides field by field', () => {
    const r = resolveLimits({ bodyLimit: 65_536, json: { maxDepth: 8 }, failBan: { threshold: 5 }, rate: undefined });
    expect(r.bodyLimit).toBe(65_536);
    expect(r.json).toEqual({ ...DEFAULT_LIMITS.json, maxDepth: 8 });
    expect(r.failBan).toEqual({ ...DEFAULT_LIMITS.failBan, threshold: 5 });
    expect(r.rate).toEqual(DEFAULT_LIMITS.rate);
    expect(DEFAULT_LIMITS.bodyLimit).toBe(262_144);
  });

  it('refuses non-positive values and headers timeout above request timeout, naming the field', () => {
    expect(() => resolveLimits({ bodyLimit: 0 })).toThrow(/bodyLimit must be a positive number/);
    expect(() => resolveLimits({ rate: { burst: Number.NaN } })).toThrow(/rate\.burst/);
    expect(() => resolveLimits({ headersTimeoutMs: 20_000 })).toThrow(/headersTimeoutMs \(20000\) must not exceed requestTimeoutMs/);
  });
});
