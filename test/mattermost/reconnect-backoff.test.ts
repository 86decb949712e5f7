/**
 * The Mattermost socket reconnects with the shared backoff: while the server refuses the WebSocket,
 * each wait is longer than the one before, up to the cap, and the first success resets it. The waits
 * are read from the reason the connector reports (`reconnecting in N ms`), not timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/tmp.js';
import { startHarness, texts, type Harness } from './harness.js';

const waits = (h: Harness): number[] =>
  h.transitions.flatMap((t) => {
    const m = /reconnecting in (\d+) ms/.exec(t.reason ?? '');
    return m ? [Number(m[1])] : [];
  });

describe('mattermost reconnect backoff', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('waits longer after each refused reconnect, capped at retryMaxMs, and starts over once connected', async () => {
    h = await startHarness({ timing: { retryInitialMs: 50, retryMaxMs: 400 } });
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.refuseSockets(5);
    h.emulator.dropConnections();
    h.emulator.injectPost('while refused');
    await until(() => texts(h!).length === 1 && h!.connector.status().state === 'online', 'online again with the post', 15_000);
    // One wait after the drop, then one after each of the five refusals.
    const first = waits(h);
    expect(first).toHaveLength(6);
    // Jitter takes up to 30% off: [35,50] < [70,100] < [140,200] < [280,400], then held at the cap.
    for (let i = 1; i < 4; i++) expect(first[i]!).toBeGreaterThan(first[i - 1]!);
    expect(Math.max(...first)).toBeLessThanOrEqual(400);
    expect(first[4]!).toBeGreaterThanOrEqual(280);
    expect(first[5]!).toBeGreaterThanOrEqual(280);

    // Connected again: the next drop starts from the initial wait.
    h.emulator.dropConnections();
    await until(() => waits(h!).length === 7 && h!.connector.status().state === 'online', 'online after the second drop', 15_000);
    expect(waits(h).at(-1)!).toBeLessThanOrEqual(50);
  });
});
