/**
 * Chaos: 1,000 Slack messages over three channels while the emulator drops the socket or sends
 * `disconnect` (refresh_requested / warning / too_many_websockets) at random moments, and
 * `switchboard run` is SIGKILLed and restarted once. The acking agent sees every message exactly once:
 * Slack redelivers every envelope not acked, the dedup key absorbs what was already journaled, and
 * there is never more than one socket on the app token.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeSlackTokens, startSlackEmulator, type SlackEmulator } from '../../connectors/slack/emulator.js';
import { CHAOS_SEED as SEED, runChaos } from '../helpers/chaos.js';
import { writeSlackConfig } from '../helpers/slack-config.js';
import { makeTempDir } from '../helpers/tmp.js';

const N = 1_000;
const CHANNELS = ['C0GENERAL', 'D0ADA', 'G0PRIVATE'];
const REASONS = ['refresh_requested', 'warning', 'too_many_websockets'] as const;

describe('slack chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: SlackEmulator;
  let tokens: { appToken: string; botToken: string };

  beforeEach(async () => {
    tmp = makeTempDir('sb-slc-');
    tokens = fakeSlackTokens();
    emulator = await startSlackEmulator({ ...tokens, redeliverAfterMs: 1_000 });
  });
  afterEach(async () => {
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} messages, random disconnects and one SIGKILL: each exactly once (seed ${SEED})`, async () => {
    const { drops, log } = await runChaos({
      n: N,
      seed: SEED,
      config: writeSlackConfig(tmp.dir, emulator.apiUrl, tokens),
      stateDir: join(tmp.dir, 'state'),
      inject: (i) => {
        const channel = CHANNELS[i % 3]!;
        emulator.injectMessage(`msg ${i}`, { channel, channel_type: channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel' });
      },
      // A dropped socket or a `disconnect` message with a random reason.
      drop: (random) => {
        if (emulator.openSockets() === 0) return false;
        if (random() < 0.5) emulator.dropConnections();
        else emulator.sendDisconnect(REASONS[Math.floor(random() * REASONS.length)]);
        return true;
      },
      minDrops: 6,
      settled: { what: 'Slack to see every envelope acked', check: () => emulator.unacked() === 0 },
    });

    expect(drops).toBeGreaterThanOrEqual(6);
    expect(emulator.maxConcurrentSockets()).toBe(1);
    expect(log).toContain('Socket Mode connection open again');
    expect(log).not.toContain(tokens.appToken);
    expect(log).not.toContain(tokens.botToken);
  }, 90_000);
});
