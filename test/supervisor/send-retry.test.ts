import { describe, expect, it } from 'vitest';
import { SbError } from '../../src/errors.js';
import { MAX_SEND_WAIT_MS, sendFailure, sendWithRetries, type SendFailure } from '../../src/supervisor/send-retry.js';

const signal = new AbortController().signal;
const failing = (failures: SendFailure[], then = 'ok') => {
  let calls = 0;
  return {
    calls: () => calls,
    call: async () => {
      calls++;
      const f = failures.shift();
      if (f) throw f;
      return then;
    },
  };
};

describe('sendWithRetries', () => {
  it('retries transient failures, honouring retry-after, then returns the result', async () => {
    const api = failing([
      { transient: true, reason: '429', retryAfterMs: 20 },
      { transient: true, reason: '502' },
    ]);
    const t0 = Date.now();
    await expect(sendWithRetries(api.call, (e) => e as SendFailure, { signal, retryInitialMs: 1 })).resolves.toBe('ok');
    expect(api.calls()).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(18);
  });

  it('fails at once on a permanent failure, as SB_E_SEND with the reason and fields', async () => {
    const api = failing([{ transient: false, reason: 'chat not found', fields: { method: 'sendMessage', errorCode: 400 } }]);
    const err = await sendWithRetries(api.call, (e) => e as SendFailure, { signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SbError);
    expect(err).toMatchObject({ code: 'SB_E_SEND', message: 'chat not found', fields: { method: 'sendMessage', errorCode: 400, retryable: false } });
    expect(api.calls()).toBe(1);
  });

  it('does not wait for a retry-after longer than the cap, and stops after maxAttempts', async () => {
    const long = failing([{ transient: true, reason: 'flood', retryAfterMs: MAX_SEND_WAIT_MS + 1 }]);
    await expect(sendWithRetries(long.call, (e) => e as SendFailure, { signal })).rejects.toMatchObject({ retryAfterMs: MAX_SEND_WAIT_MS + 1, fields: { retryable: false } });
    expect(long.calls()).toBe(1);
    const down = failing(Array.from({ length: 9 }, () => ({ transient: true, reason: '503' })));
    await expect(sendWithRetries(down.call, (e) => e as SendFailure, { signal, retryInitialMs: 1, maxAttempts: 3 })).rejects.toMatchObject({ message: '503' });
    expect(down.calls()).toBe(3);
  });
});

describe('sendFailure', () => {
  it('carries the reason and retry-after of a verdict, and drops undefined fields', () => {
    expect(sendFailure({ reason: 'rate limited', retryAfterMs: 1500 }, true, { method: 'sendMessage', status: 429, errorCode: undefined })).toEqual({
      transient: true,
      reason: 'rate limited',
      retryAfterMs: 1500,
      fields: { method: 'sendMessage', status: 429 },
    });
    expect(sendFailure({ reason: 'bad request' }, false, { method: 'x' })).toEqual({ transient: false, reason: 'bad request', fields: { method: 'x' } });
  });
});
