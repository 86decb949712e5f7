import { describe, expect, it } from 'vitest';
import { Backoff, isAbort, sleep, withRetries } from '../../src/supervisor/backoff.js';
import { FatalConnectorError, RetryableConnectorError, isFatal } from '../../src/errors.js';

describe('Backoff', () => {
  it('grows exponentially and caps', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('jitters within [d*(1-j), d]', () => {
    const lo = new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 0.999999 });
    const hi = new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 0 });
    expect(lo.next()).toBe(500);
    expect(hi.next()).toBe(1000);
  });

  it("honours a server's retry-after when it is longer, even past the cap", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect(b.next(5000)).toBe(5000);
    expect(b.next(10)).toBe(200);
  });
});

describe('sleep', () => {
  it('rejects promptly on abort', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toSatisfy(isAbort);
  });
});

describe('withRetries', () => {
  it('retries retryable errors and returns the result', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetries(
      async () => {
        if (++calls < 3) throw new RetryableConnectorError('flaky', { retryAfterMs: 5 });
        return 'ok';
      },
      { signal: new AbortController().signal, backoff: new Backoff({ initialMs: 1, jitter: 0 }), onRetry: (_e, d) => delays.push(d) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([5, 5]);
  });

  it('stops at once on a fatal error', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new FatalConnectorError('bad token');
        },
        { signal: new AbortController().signal, isFatal, backoff: new Backoff({ initialMs: 1 }) },
      ),
    ).rejects.toBeInstanceOf(FatalConnectorError);
    expect(calls).toBe(1);
  });

  it('gives up when aborted during the wait', async () => {
    const ac = new AbortController();
    const p = withRetries(async () => { throw new Error('down'); }, {
      signal: ac.signal,
      backoff: new Backoff({ initialMs: 60_000 }),
      onRetry: () => queueMicrotask(() => ac.abort()),
    });
    await expect(p).rejects.toSatisfy(isAbort);
  });
});
