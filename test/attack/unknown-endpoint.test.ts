/**
 * Attack: probing for the endpoint id. An unknown id is answered the same generic 404 as any other
 * path, after the same work as a known id with a bad signature (body read under the cap, an HMAC), so
 * response times do not tell them apart: the medians over a few hundred alternating requests agree
 * within a generous noise factor. (A ratio, not a wall-clock limit.)
 */
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineBody, lineSignature, send, startTarget, type Target } from '../helpers/webhook.js';

const PAIRS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('attack: unknown endpoint ids', () => {
  let t: Target;
  beforeAll(async () => (t = await startTarget({ limits: { failBan: { threshold: 1_000_000 }, rate: { perSecond: 1_000_000, burst: 1_000_000 } } })));
  afterAll(async () => {
    await t.stillServes();
    await t.listener.close();
  });

  it('unknown ids and other paths get the generic 404, and nothing is handled', async () => {
    const base = `http://127.0.0.1:${t.listener.port}`;
    for (const path of ['/hooks/whk_ffffffffffffffffffffffffffffffff', `${t.listener.path.slice(0, -1)}0`, '/hooks/', '/', '/admin', '/.env']) {
      for (const method of ['POST', 'GET']) {
        const reply = await send(`${base}${path}`, '{}', { method, headers: { 'x-line-signature': lineSignature(t.secret, '{}') } });
        expect([path, method, reply.status, reply.body]).toEqual([path, method, 404, '{"error":"not found"}']);
      }
    }
    expect(t.accepted).toHaveLength(0);
  });

  it('an unknown id reads its body under the same cap as the real one (same work, same 413)', async () => {
    const big = lineBody('BIG', 'x'.repeat(300 * 1024));
    const unknown = await send(`http://127.0.0.1:${t.listener.port}/hooks/whk_${'d'.repeat(32)}`, big);
    const known = await send(t.listener.url, big);
    expect([unknown.status, unknown.headers.connection]).toEqual([413, 'close']);
    expect([known.status, known.headers.connection]).toEqual([413, 'close']);
  });

  it(`unknown id vs known id with a bad signature: median times within 0.5-2x over ${PAIRS} alternating pairs`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = lineBody('TIMING', 'x'.repeat(64 * 1024)); // big enough that skipping the body read would show
    const headers = { 'x-line-signature': lineSignature('not-the-secret', body) };
    const unknownUrl = `http://127.0.0.1:${t.listener.port}/hooks/whk_${'e'.repeat(32)}`;
    const timed = async (url: string, expected: number): Promise<number> => {
      const start = process.hrtime.bigint();
      const reply = await send(url, body, { agent, headers });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      expect(reply.status).toBe(expected);
      return ms;
    };
    for (let i = 0; i < 20; i++) await timed(i % 2 ? unknownUrl : t.listener.url, i % 2 ? 404 : 401); // warm-up
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      // Alternate which goes first so drift in machine load hits both alike.
      if (i % 2) {
        unknown.push(await timed(unknownUrl, 404));
        known.push(await timed(t.listener.url, 401));
      } else {
        known.push(await timed(t.listener.url, 401));
        unknown.push(await timed(unknownUrl, 404));
      }
    }
    agent.destroy();
    const ratio = median(unknown) / median(known);
    expect(ratio, `median unknown ${median(unknown).toFixed(3)} ms / known ${median(known).toFixed(3)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    expect(t.listener.counters().rejectedBy).toMatchObject({ 'unknown-endpoint': PAIRS + 10 + 12, 'bad-signature': PAIRS + 10 });
  });
});
