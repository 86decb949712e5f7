/**
 * Chaos: 1,000 Telegram messages over three chats while the emulator cuts connections at random
 * points (the waiting long poll, and answers cut mid-body) and `switchboard run` is SIGKILLed and
 * restarted once. The acking agent sees every message exactly once, in order per conversation:
 * Telegram redelivers whatever was not confirmed, the dedup key absorbs what was already journaled.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { CHAOS_SEED as SEED, expectRoundRobin, runChaos } from '../helpers/chaos.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir } from '../helpers/tmp.js';

const N = 1_000;
const CHATS = [5120934881, -4012345678, -1002233445566];

describe('telegram chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let token: string;

  beforeEach(async () => {
    tmp = makeTempDir('sb-tgc-');
    token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
  });
  afterEach(async () => {
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} messages, random drops and one SIGKILL: each exactly once, in order per chat (seed ${SEED})`, async () => {
    let cuts = 0;
    const { unique, drops, log } = await runChaos({
      n: N,
      seed: SEED,
      config: writeTelegramConfig(tmp.dir, emulator.apiRoot, token),
      stateDir: join(tmp.dir, 'state'),
      inject: (i) => emulator.injectMessage(`msg ${i}`, { chat: { id: CHATS[i % 3]!, type: i % 3 === 0 ? 'private' : 'supergroup' } }),
      // Network drops at random moments, independent of the injections: whatever is open at that
      // instant — the waiting long poll, an answer on its way, an idle keep-alive connection — is cut.
      drop: () => emulator.dropConnections() > 0,
      dropEveryMs: [100, 300],
      minDrops: 8,
      onIteration: (_i, random) => {
        if (random() < 0.01) {
          emulator.failNextCalls(1, 'drop', { methods: ['getUpdates'] }); // the next answer cut mid-body
          cuts++;
        }
      },
      settled: { what: 'Telegram to see every update confirmed', check: () => emulator.pending() === 0 },
    });

    // Drops that found a connection open, and answers cut mid-body.
    expect(drops).toBeGreaterThanOrEqual(2);
    expect(drops + cuts).toBeGreaterThanOrEqual(8);
    expectRoundRobin(unique, CHATS.map(String), N);
    // The drops were seen and recovered from; the token never reached a log line.
    expect(log).toContain('polling interrupted');
    expect(log).not.toContain(token.split(':')[1]);
    expect(emulator.calls.some((c) => c.method === 'setWebhook')).toBe(false);
  }, 90_000);
});
