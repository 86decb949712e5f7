/** Stage 6 (signature, with the dummy HMAC for unknown paths) and stage 8 (handle). */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/listener/exchange.js';
import { handle } from '../../src/listener/handle.js';
import type { WebhookHandler } from '../../src/listener/types.js';
import { dummyVerify, verifySignature } from '../../src/listener/verify.js';
import { lineSignature, lineStyleHandler } from '../helpers/webhook.js';

function ex(known: boolean, body: string, headers: Record<string, string> = {}): Exchange {
  const req = { headers } as unknown as IncomingMessage;
  return { req, res: {} as never, peerIp: 'p', clientIp: '127.0.0.9', correlationId: 'cid', receivedAt: 5, known, body: Buffer.from(body) };
}

describe('verifySignature', () => {
  const { handler } = lineStyleHandler('s3cret');
  const stage = verifySignature(handler);

  it('hands the raw bytes and request facts to verify and keeps the delivery id', () => {
    const body = '{"events":[{"webhookEventId":"EV1"}]}';
    const e = ex(true, body, { 'x-line-signature': lineSignature('s3cret', body) });
    expect(stage(e)).toBeUndefined();
    expect(e.deliveryId).toBe('EV1');
    expect(e.webhook).toMatchObject({ clientIp: '127.0.0.9', correlationId: 'cid', receivedAt: 5 });
    expect(e.webhook!.rawBody.toString()).toBe(body);
  });

  it('answers a failed check 401 under the verifier reason, counted toward the fail-ban', () => {
    expect(stage(ex(true, '{}', { 'x-line-signature': lineSignature('other', '{}') }))).toEqual({ status: 401, reason: 'bad-signature', failure: true });
    expect(stage(ex(true, '{}'))).toEqual({ status: 401, reason: 'signature-missing', failure: true });
  });

  it('treats a throwing verifier as a refusal', () => {
    const throwing = verifySignature({ ...handler, verify: () => { throw new Error('boom'); } });
    expect(throwing(ex(true, '{}'))).toEqual({ status: 401, reason: 'verify-threw', failure: true });
  });

  it('answers unknown paths the generic 404 without calling the verifier', () => {
    let called = false;
    const spy = verifySignature({ ...handler, verify: () => ((called = true), { ok: true }) });
    expect(spy(ex(false, '{}'))).toEqual({ status: 404, reason: 'unknown-endpoint', failure: true });
    expect(called).toBe(false);
    expect(dummyVerify(Buffer.alloc(32, 1), Buffer.from('x'))).toBe(false);
  });
});

describe('handle', () => {
  const base = lineStyleHandler('s').handler;
  const run = (h: Partial<WebhookHandler>) => handle({ ...base, ...h }, { ...ex(true, '{}'), json: { a: 1 }, webhook: {} as never });

  it('serializes the answer, or {} when it has no body', async () => {
    expect(await run({ handle: async () => ({ status: 200, body: { ok: true } }) })).toEqual({ ok: true, status: 200, body: '{"ok":true}' });
    expect(await run({ handle: async () => ({ status: 204 }) })).toEqual({ ok: true, status: 204, body: '{}' });
  });

  it('turns a throw into a generic 500 and a failure into a fail-ban-counted rejection', async () => {
    expect(await run({ handle: async () => { throw new Error('secret detail'); } })).toEqual({ ok: false, rejection: { status: 500, reason: 'handler-error' } });
    expect(await run({ handle: async () => ({ status: 200, failure: 'bad-token' }) })).toEqual({ ok: false, rejection: { status: 401, reason: 'bad-token', failure: true } });
    expect(await run({ handle: async () => ({ status: 403, failure: 'not-owner' }) })).toEqual({ ok: false, rejection: { status: 403, reason: 'not-owner', failure: true } });
    expect(await run({ handle: async () => ({ status: 400, body: { why: 'x' } }) })).toEqual({ ok: false, rejection: { status: 400, reason: 'handler-400' } });
    expect(await run({ handle: async () => ({ status: 99 }) })).toEqual({ ok: false, rejection: { status: 500, reason: 'handler-500' } });
  });
});
