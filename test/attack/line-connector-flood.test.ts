/**
 * Attack against the real thing: a started LineConnector (real listener, real SDK, its emulator as
 * LINE) while one source (127.0.0.2) floods the hook with forged and unsigned requests. LINE's own
 * deliveries (the emulator, from 127.0.0.1, redelivery off so nothing masks a lost one) are all
 * answered 200 and journaled once, in order; the flood is banned after 20 failures, before any HMAC.
 */
import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { lineBody, lineSignature, send } from '../helpers/webhook.js';
import { startHarness } from '../line/harness.js';

const FLOOD = 3_000;
const CONCURRENCY = 8;

describe('attack: a flood beside LINE, against a started LineConnector', () => {
  it(`${FLOOD} forged requests from one source do not cost LINE a delivery`, { timeout: 60_000 }, async () => {
    const h = await startHarness({ emulator: { redelivery: false } });
    const bad = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      await h.start();
      const url = h.url();
      const forged = lineBody('FORGED');
      const codes = new Map<number, number>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < FLOOD) {
          // Alternate a wrong signature and none at all.
          const headers: Record<string, string> = next++ % 2 === 0 ? { 'x-line-signature': lineSignature('attacker-guess', forged) } : {};
          const r = await send(url, forged, { agent: bad, headers, localAddress: '127.0.0.2' });
          codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
        }
      };
      let flooding = true;
      const sent: string[] = [];
      const statuses: (number | undefined)[] = [];
      const line = (async () => {
        while (flooding || sent.length < 5) {
          const text = `genuine ${sent.length}`;
          sent.push(text);
          statuses.push((await h.emulator.injectText(text).delivery).status);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      flooding = false;
      await line;

      expect(statuses.every((s) => s === 200), `LINE's statuses: ${JSON.stringify([...new Set(statuses)])}`).toBe(true);
      expect(h.drafts.map((d) => d.text)).toEqual(sent); // each once, in order, nothing forged
      expect((codes.get(401) ?? 0) + (codes.get(429) ?? 0)).toBe(FLOOD);
      expect(codes.get(401)).toBeLessThanOrEqual(20 + CONCURRENCY); // the rest refused before any HMAC
      const counters = h.connector.listeners()[0]!.counters!;
      expect(counters.accepted).toBe(sent.length);
      expect(counters.rejectedBy.banned).toBe(codes.get(429));
      expect(counters.rejectedBy['rate-limited']).toBeUndefined();
      // Still serving LINE after the flood.
      expect((await h.emulator.injectText('after').delivery).status).toBe(200);
    } finally {
      bad.destroy();
      await h.close();
    }
  });
});
