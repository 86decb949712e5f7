/**
 * The Socket Mode session's close against a peer that never completes the close handshake: the SDK
 * keeps the socket for up to 30 s after our 2 s wait, and an error in that time must reach the SDK's
 * own `error` listener (our cleanup removes only our listeners) and must not become an uncaught exception.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/tmp.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('slack socket session: close', () => {
  it("a socket error after stop, while Slack never answered the close frame, reaches the SDK's error listener", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      h = await startHarness();
      await h.connector.start(h.ctx, h.abort.signal);
      await until(() => h!.emulator.openSockets() === 1, 'the socket open');
      h.emulator.stallSockets();
      await h.connector.stop(); // gives up waiting after 2 s; the SDK still holds the closing socket
      expect(h.emulator.dropConnections()).toBeGreaterThan(0);
      // The client's own `error` listener (it logs "WebSocket error! ...") took the error: it was not
      // removed with ours. (With Node's EventEmitter, an `error` without a listener would throw.)
      await until(() => h!.logs.some((l) => String(l.msg).startsWith('WebSocket error!')), "the SDK's error listener to take the socket error");
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
