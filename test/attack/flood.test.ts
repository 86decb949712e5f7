/**
 * Attack: floods. 20,000 forged requests from one source (127.0.0.2) while a genuine sender
 * (127.0.0.3) keeps delivering: the flood is banned before any HMAC work and takes none of the
 * endpoint's tokens, every genuine event is delivered exactly once, and the per-IP tables stay small.
 * Then forged requests from 12,000 different client IPs (named by a trusted proxy): the fail-ban
 * table stops at its cap.
 */
import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FAIL_BAN_MAX_ENTRIES } from '../../src/listener/fail-ban.js';
import { lineBody, lineSignature, send, sendSigned, startTarget } from '../helpers/webhook.js';

const FLOOD = 20_000;
const CONCURRENCY = 16;

describe('attack: floods', () => {
  it(`${FLOOD} forged requests from one source do not stop a genuine sender`, { timeout: 90_000 }, async () => {
    const t = await startTarget();
    const heapBefore = process.memoryUsage().heapUsed;
    const bad = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const good = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const forged = lineBody('FORGED');
      const headers = { 'x-line-signature': lineSignature('attacker-guess', forged) };
      const codes = new Map<number, number>();
      let next = 0;
      let flooding = true;
      const worker = async (): Promise<void> => {
        while (next < FLOOD) {
          next++;
          const r = await send(t.listener.url, forged, { agent: bad, headers, localAddress: '127.0.0.2' });
          codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
        }
      };
      const sent: string[] = [];
      const genuine: number[] = [];
      const sender = (async () => {
        while (flooding || sent.length < 5) {
          const id = `GENUINE${sent.length}`;
          sent.push(id);
          genuine.push((await sendSigned(t.listener.url, t.secret, lineBody(id), { agent: good, localAddress: '127.0.0.3' })).status);
          await new Promise((r) => setTimeout(r, 20)); // ~50/s, under the endpoint's 100/s
        }
      })();
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      flooding = false;
      await sender;

      expect(genuine.every((s) => s === 200), `genuine statuses: ${JSON.stringify([...new Set(genuine)])}`).toBe(true);
      expect(t.eventIds()).toEqual(sent); // each genuine event once, in order, and nothing forged
      expect((codes.get(401) ?? 0) + (codes.get(429) ?? 0)).toBe(FLOOD);
      expect(codes.get(401)).toBeLessThanOrEqual(20 + CONCURRENCY); // the rest refused before any HMAC
      expect(t.listener.counters().rejectedBy.banned).toBe(codes.get(429));
      expect(t.listener.counters().rejectedBy['rate-limited']).toBeUndefined();
      expect(t.listener.stats!()).toMatchObject({ failBanEntries: 1 });
      expect(t.listener.stats!().ipConnections).toBeLessThanOrEqual(3);
      // Loose: 20,000 requests retained nothing per request (a leak of even 5 KB each would show).
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
      await t.stillServes();
    } finally {
      bad.destroy();
      good.destroy();
      await t.listener.close();
    }
  });

  it('forged requests from 12,000 forwarded client IPs: the fail-ban table stays at its cap', { timeout: 90_000 }, async () => {
    const t = await startTarget({ trustedProxies: ['127.0.0.1'], limits: { rate: { perSecond: 1_000_000, burst: 1_000_000 } } });
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      const forged = lineBody('SPREAD');
      const headers = { 'x-line-signature': lineSignature('attacker-guess', forged) };
      const total = FAIL_BAN_MAX_ENTRIES + 2_000;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          const i = next++;
          const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
          const r = await send(t.listener.url, forged, { agent, headers: { ...headers, 'x-forwarded-for': ip } });
          if (r.status !== 401) throw new Error(`unexpected ${r.status}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      expect(t.listener.counters().rejectedBy['bad-signature']).toBe(total);
      expect(t.listener.stats!().failBanEntries).toBe(FAIL_BAN_MAX_ENTRIES);
      await t.stillServes();
    } finally {
      agent.destroy();
      await t.listener.close();
    }
  });
});
