/**
 * A send waits for its `result`; whatever the server does with that answer, the send settles: a
 * malformed result fails it at once (SB_E_SEND, naming the wrong field, not retried), a lost one times
 * out (SB_E_TIMEOUT), a stop or drop never leaves it waiting — and the next send still goes through.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackHarness, type LoopbackHarness } from './harness.js';
import type { OutboundCommand } from '../../src/bus/types.js';
import { until } from '../helpers/tmp.js';

const TOKEN = 'call-results-token-123';
const CONTENT = 'PRIVATE-SERVER-TEXT';
const send = (text: string): OutboundCommand => ({ type: 'send', connector: 'lb', conversation: 'c1', text });

/** Results whose `req` is sound and whose body is not, with the field the error must name. */
const badResults: [string, (req: number) => object, string][] = [
  ['an error code outside the enum', (req) => ({ op: 'result', req, ok: false, code: 'teapot', message: CONTENT }), 'code'],
  ['a numeric message_id', (req) => ({ op: 'result', req, ok: true, message_id: 7 }), 'message_id'],
  ['no ok', (req) => ({ op: 'result', req, message_id: CONTENT }), 'ok'],
  ['a negative retry_after', (req) => ({ op: 'result', req, ok: false, code: 'rate_limited', message: CONTENT, retry_after: -1 }), 'retry_after'],
];

describe('loopback connector: every call settles', () => {
  let h: LoopbackHarness;

  afterEach(async () => {
    await h.close();
  });

  it.each(badResults)('fails a send answered with %s, then serves the next send', { timeout: 10_000 }, async (_name, result, field) => {
    h = await startLoopbackHarness(TOKEN);
    h.emulator.answerNextCall((req) => JSON.stringify(result(req)));
    const err = await h.connector.send(send('first')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SB_E_SEND', fields: { retryable: false } });
    expect((err as Error).message).toContain(field);
    expect((err as Error).message).not.toContain(CONTENT);
    expect(h.rejects).toEqual(['malformed-frame']);
    expect(JSON.stringify(h.logs)).not.toContain(CONTENT);

    // Not sent again (it may have been carried out), and the connection keeps serving.
    const next = await h.connector.send(send('second'));
    expect(next.messageIds).toHaveLength(1);
    expect(h.emulator.sent.map((m) => m.text)).toEqual(['second']);
    expect(h.emulator.connections).toBe(1);
    expect(h.failures).toEqual([]);
  });

  it('times a call out when its result never comes, and ignores the late result', { timeout: 10_000 }, async () => {
    h = await startLoopbackHarness(TOKEN, { callTimeoutMs: 300 });
    let lost: number | undefined;
    h.emulator.answerNextCall((req) => void (lost = req));
    await expect(h.connector.send(send('lost'))).rejects.toMatchObject({ code: 'SB_E_TIMEOUT' });
    h.emulator.injectRawLine(JSON.stringify({ op: 'result', req: lost, ok: true, message_id: 'late' }));
    const next = await h.connector.send(send('after'));
    expect(next.messageIds).toHaveLength(1);
    expect(next.messageIds).not.toContain('late');
    expect(h.emulator.connections).toBe(1);
    expect(h.failures).toEqual([]);
  });

  it('fails a waiting call when the connector stops', { timeout: 10_000 }, async () => {
    h = await startLoopbackHarness(TOKEN);
    let asked: number | undefined;
    h.emulator.answerNextCall((req) => void (asked = req));
    const pending = h.connector.send(send('unanswered'));
    await until(() => asked !== undefined, 'the call reached the server');
    await h.connector.stop();
    await expect(pending).rejects.toMatchObject({ code: 'SB_E_SEND' });
  });

  it('sends a waiting call again on the new connection after a drop', { timeout: 10_000 }, async () => {
    h = await startLoopbackHarness(TOKEN);
    let asked: number | undefined;
    h.emulator.answerNextCall((req) => void (asked = req));
    const pending = h.connector.send(send('through a drop'));
    await until(() => asked !== undefined, 'the call reached the server');
    h.emulator.dropConnections();
    const result = await pending;
    expect(result.messageIds).toHaveLength(1);
    expect(h.emulator.sent.map((m) => m.text)).toEqual(['through a drop']);
    expect(h.emulator.connections).toBe(2);
  });
});
