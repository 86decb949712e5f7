import { describe, expect, it } from 'vitest';
import { manualClock } from '../helpers/clock.js';
import { SenderRateLimiter } from '../../src/security/rate-limit.js';

describe('SenderRateLimiter', () => {
  it('passes a burst up to the limit, then one notice, then silence; per sender', () => {
    const clock = manualClock();
    const limiter = new SenderRateLimiter(3, clock);
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual(['pass', 'pass', 'pass']);
    expect(limiter.take('a')).toBe('notice');
    expect(limiter.take('a')).toBe('silent');
    expect(limiter.take('b')).toBe('pass');
  });

  it('refills evenly: a third of a minute gives one token back at 3/min', () => {
    const clock = manualClock();
    const limiter = new SenderRateLimiter(3, clock);
    for (let i = 0; i < 3; i++) limiter.take('a');
    expect(limiter.take('a')).toBe('notice');
    clock.advance(20_000);
    expect(limiter.take('a')).toBe('pass');
    expect(limiter.take('a')).toBe('silent');
    clock.advance(60_000);
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual(['pass', 'pass', 'pass']);
    expect(limiter.take('a')).toBe('notice');
  });

  it('0 means no limit', () => {
    const limiter = new SenderRateLimiter(0, manualClock());
    for (let i = 0; i < 1000; i++) expect(limiter.take('a')).toBe('pass');
  });

  it('keeps at most maxSenders buckets, dropping the least recently seen', () => {
    const clock = manualClock();
    const limiter = new SenderRateLimiter(1, clock, { maxSenders: 100 });
    limiter.take('first');
    for (let i = 0; i < 500; i++) limiter.take(`s${i}`);
    expect(limiter.size).toBe(100);
    // 'first' was dropped: it starts again with a full bucket.
    expect(limiter.take('first')).toBe('pass');
    // The most recent sender is still tracked: its bucket is empty.
    expect(limiter.take('s499')).toBe('notice');
  });
});
