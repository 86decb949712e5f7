/** The replay cache (bounded, with a TTL), its stage, and the bounded map under it. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/listener/bounded-map.js';
import type { Exchange } from '../../src/listener/exchange.js';
import { ReplayCache } from '../../src/listener/replay-cache.js';
import { replayGuard } from '../../src/listener/replay-guard.js';

describe('BoundedMap', () => {
  it('evicts the least recently set entry past its cap', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3); // touch a: b is now the oldest
    m.set('c', 4);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([3, undefined, 4, 2]);
  });
});

describe('ReplayCache', () => {
  it('remembers ids for the TTL, within a bounded size', () => {
    const c = { t: 0, now: () => c.t };
    const cache = new ReplayCache(c, 1_000, 3);
    cache.remember('x');
    expect(cache.has('x')).toBe(true);
    expect(cache.has('y')).toBe(false);
    c.t += 1_001;
    expect(cache.has('x')).toBe(false);
    for (const id of ['a', 'b', 'c', 'd']) cache.remember(id);
    expect(cache.size).toBe(3);
    expect(cache.has('a')).toBe(false);
    expect(cache.has('d')).toBe(true);
  });

  it('defaults to ten minutes and 10,000 ids', () => {
    const c = { t: 0, now: () => c.t };
    const cache = new ReplayCache(c);
    for (let i = 0; i < 10_050; i++) cache.remember(String(i));
    expect(cache.size).toBe(10_000);
    c.t += 600_000;
    expect(cache.has('10049')).toBe(true);
    c.t += 1;
    expect(cache.has('10049')).toBe(false);
  });
});

describe('replayGuard stage', () => {
  it('answers a seen delivery id 200 and lets new or id-less requests on, holding the new id', async () => {
    const cache = new ReplayCache({ now: () => 0 });
    cache.remember('ev1');
    const stage = replayGuard(cache);
    const ex = (deliveryId?: string) => ({ deliveryId }) as Exchange;
    expect(await stage(ex('ev1'))).toEqual({ status: 200, reason: 'replay', body: '{}' });
    const fresh = ex('ev2');
    expect(await stage(fresh)).toBeUndefined();
    expect(fresh.replayHeld).toBe(true);
    const none = ex();
    expect(await stage(none)).toBeUndefined();
    expect(none.replayHeld).toBeUndefined();
  });

  it('a copy of an id in flight waits: a replay once the first is delivered, its own turn when the first failed', async () => {
    const cache = new ReplayCache({ now: () => 0 });
    const stage = replayGuard(cache);
    const ex = () => ({ deliveryId: 'ev' }) as Exchange;
    const first = ex();
    expect(await stage(first)).toBeUndefined();
    let settled = false;
    const copy = ex();
    const waiting = Promise.resolve(stage(copy)).then((r) => ((settled = true), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false); // still waiting for the first
    cache.settle('ev', false); // the first failed (a 500): the copy takes its turn
    expect(await waiting).toBeUndefined();
    expect(copy.replayHeld).toBe(true);
    const third = stage(ex());
    cache.settle('ev', true); // the copy was delivered: the third is a replay
    expect(await third).toEqual({ status: 200, reason: 'replay', body: '{}' });
    expect(cache.inFlightSize).toBe(0);
  });
});
