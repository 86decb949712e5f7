/**
 * The listener's defaults (DESIGN.md "The hardened listener") and the merge of a connector's
 * overrides onto them, validated once at start.
 */
import { SbError } from '../errors.js';
import type { ListenerLimits, ListenerOptions } from './types.js';

/** The defaults every listener starts from; a connector overrides what its platform needs (e.g. `bodyLimit`). */
export const DEFAULT_LIMITS: ListenerLimits = Object.freeze({
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderSize: 8 * 1024,
  maxRequestsPerSocket: 100,
  maxConnections: 256,
  maxConnectionsPerIp: 32,
  connectionsCheckingIntervalMs: 1_000,
  bodyLimit: 256 * 1024,
  json: Object.freeze({ maxDepth: 32, maxKeys: 10_000, maxStringLength: 64 * 1024 }),
  failBan: Object.freeze({ threshold: 20, windowMs: 60_000, banMs: 5 * 60_000 }),
  rate: Object.freeze({ perSecond: 100, burst: 200 }),
}) as ListenerLimits;

/** The fully resolved limits, with every field present. */
export type ResolvedLimits = ListenerLimits & { connectionsCheckingIntervalMs: number };

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new SbError('SB_E_CONFIG', `listener limit ${name} must be a positive number (got ${String(value)}); fix the connector's listener limits`);
  }
  return value;
}

/** Defaults overlaid with `overrides`; throws `SB_E_CONFIG` naming the bad field. */
export function resolveLimits(overrides: ListenerOptions['limits'] = {}): ResolvedLimits {
  const { json, failBan, rate, ...flat } = overrides;
  const merged = {
    ...DEFAULT_LIMITS,
    ...stripUndefined(flat),
    json: { ...DEFAULT_LIMITS.json, ...stripUndefined(json ?? {}) },
    failBan: { ...DEFAULT_LIMITS.failBan, ...stripUndefined(failBan ?? {}) },
    rate: { ...DEFAULT_LIMITS.rate, ...stripUndefined(rate ?? {}) },
  } as ResolvedLimits;
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value === 'number') positive(value, key);
    else for (const [sub, v] of Object.entries(value as Record<string, number>)) positive(v, `${key}.${sub}`);
  }
  if (merged.headersTimeoutMs > merged.requestTimeoutMs) {
    throw new SbError('SB_E_CONFIG', `listener headersTimeoutMs (${merged.headersTimeoutMs}) must not exceed requestTimeoutMs (${merged.requestTimeoutMs}); lower the first or raise the second`);
  }
  return merged;
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
