/** LINE's recovery table: token refusals are fatal, the monthly quota is not retried, rate limits and 5xx are. */
import { HTTPFetchError } from '@line/bot-sdk';
import { describe, expect, it } from 'vitest';
import { recover } from '../../connectors/line/recovery.js';

const httpError = (status: number, body: object, headers: Record<string, string> = {}) =>
  new HTTPFetchError(`${status}`, { status, statusText: '', headers: new Headers(headers), body: JSON.stringify(body) });

describe('LINE recovery table', () => {
  it('401 and 403 are fatal and say what to do', () => {
    for (const status of [401, 403]) {
      expect(recover(httpError(status, { message: 'Authentication failed' }), 'pushMessage')).toMatchObject({ action: 'fatal', reason: expect.stringContaining('issue a new one') });
    }
  });

  it('429: the rate limit is retried after Retry-After; the monthly quota is not', () => {
    expect(recover(httpError(429, { message: 'The API rate limit has been exceeded. Try again later.' }, { 'retry-after': '2' }), 'pushMessage')).toEqual({ action: 'retry', status: 429, reason: 'LINE rate limit (pushMessage: 429)', retryAfterMs: 2000 });
    expect(recover(httpError(429, { message: 'You have reached your monthly limit.' }), 'pushMessage')).toMatchObject({ action: 'refused', reason: expect.stringContaining('monthly message quota') });
  });

  it('5xx and network errors are retried; other 4xx are refused with LINE\'s message and details', () => {
    expect(recover(httpError(503, {}), 'replyMessage')).toMatchObject({ action: 'retry', status: 503 });
    expect(recover(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }), 'getBotInfo')).toEqual({ action: 'retry', reason: 'LINE API unreachable (getBotInfo: connect ECONNREFUSED 127.0.0.1:9)' });
    expect(recover(httpError(400, { message: 'The request body has 1 error(s)', details: [{ message: 'Must not be empty', property: 'to' }] }), 'pushMessage')).toEqual({
      action: 'refused', status: 400, reason: 'LINE refused pushMessage (400: The request body has 1 error(s): to Must not be empty)',
    });
  });
});
