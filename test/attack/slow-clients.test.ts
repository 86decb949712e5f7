/**
 * Attack: slowloris headers, a slow body, and a header flood. The configured timeouts are small so
 * the tests run fast; one test pins the defaults. The listener keeps serving throughout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/listener/index.js';
import { rawExchange, startTarget, statuses, type Target } from '../helpers/webhook.js';

const FAST = { headersTimeoutMs: 400, requestTimeoutMs: 800, connectionsCheckingIntervalMs: 50 };

describe('attack: slow and bloated clients', () => {
  let t: Target | undefined;
  afterEach(async () => {
    if (!t) return;
    await t.stillServes();
    await t.listener.close();
    t = undefined;
  });

  it('runs with the defaults of the issue unless told otherwise', async () => {
    t = await startTarget();
    expect(t.listener.limits).toEqual(DEFAULT_LIMITS);
    expect(t.listener.limits).toMatchObject({ headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxHeaderSize: 8192, maxRequestsPerSocket: 100, maxConnections: 256, maxConnectionsPerIp: 32 });
    // What the server announces on the wire agrees: keep-alive 5 s, at most 100 requests.
    const r = await rawExchange(t.listener.port, [`GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`], { timeoutMs: 300 });
    expect(r.text).toMatch(/Keep-Alive: timeout=5, max=100\r\n/);
  });

  it('slowloris: headers dribbled one line at a time are cut at headersTimeout, long before requestTimeout, with a generic 408', async () => {
    // requestTimeout 10 s: only headersTimeout (300 ms) can close this within the 6 s we watch. Node's
    // own default headersTimeout is min(60 s, requestTimeout), so without the setting it stays open.
    t = await startTarget({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 10_000, connectionsCheckingIntervalMs: 50 } });
    const lines = [`POST ${t.listener.path} HTTP/1.1\r\n`, ...Array.from({ length: 200 }, (_, i) => `X-Slow-${i}: a\r\n`)];
    const r = await rawExchange(t.listener.port, lines, { gapMs: 50, timeoutMs: 6_000 });
    expect(r.closed).toBe(true); // by the server, not by our 6 s watch
    expect(r.elapsedMs).toBeLessThan(5_000); // a bound with a huge margin (300 ms + checks), not a speed claim
    expect(statuses(r.text)).toEqual([408]);
    expect(r.text.endsWith('{"error":"request timeout"}')).toBe(true);
    expect(t.listener.counters().rejectedBy.timeout).toBe(1);
  });

  it('slow body: a body dribbled byte by byte is cut at requestTimeout', async () => {
    t = await startTarget({ limits: FAST });
    const head = `POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Line-Signature: x\r\nContent-Length: 200\r\n\r\n`;
    const r = await rawExchange(t.listener.port, [head, ...Array<string>(100).fill(' ')], { gapMs: 50, timeoutMs: 5_000 });
    expect(r.closed).toBe(true);
    expect(statuses(r.text)).toEqual([408]);
    expect(t.accepted).toHaveLength(0);
  });

  it('2,000 headers: a generic 431 and closed, under the default 8 KiB header cap', async () => {
    t = await startTarget();
    const headers = Array.from({ length: 2_000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const r = await rawExchange(t.listener.port, [`POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`], { timeoutMs: 5_000 });
    expect(statuses(r.text)).toEqual([431]);
    expect(r.closed).toBe(true);
    expect(r.text).not.toMatch(/^date:/im);
    expect(t.listener.counters().rejectedBy['headers-too-large']).toBe(1);
  });

  it('an idle connection that never sends a byte is closed too', async () => {
    t = await startTarget({ limits: FAST });
    const r = await rawExchange(t.listener.port, [], { timeoutMs: 5_000 });
    expect(r.closed).toBe(true);
  });
});
