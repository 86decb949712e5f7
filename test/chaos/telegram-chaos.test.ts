/**
 * Chaos: 1,000 Telegram messages over three chats while the emulator cuts connections at random
 * points (the waiting long poll, and answers cut mid-body) and `switchboard run` is SIGKILLed and
 * restarted once. The acking agent sees every message exactly once, in order per conversation:
 * Telegram redelivers whatever was not confirmed, the dedup key absorbs what was already journaled.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { AckingAgent, prng } from '../helpers/agent.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const N = 1_000;
const CHATS = [5120934881, -4012345678, -1002233445566];
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

describe('telegram chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let token: string;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-tgc-');
    token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} messages, random drops and one SIGKILL: each exactly once, in order per chat (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token);
    const agent = new AckingAgent(join(tmp.dir, 'state'));
    const logs: string[] = [];

    async function boot(): Promise<void> {
      if (runtime) logs.push(runtime.stderr());
      runtime = startCli(['run', '--config', config]);
      await agent.connect();
      // Inject only once the connector polls, so the chaos hits a live connector, not a booting one.
      await until(async () => (await agent.client!.request<{ connectors: { state: string }[] }>('status')).connectors[0]?.state === 'online', 'the connector online', 15_000);
    }

    let drops = 0;
    let cuts = 0;
    await boot();
    // Network drops at random moments, independent of the injections: whatever is open at that
    // instant — the waiting long poll, an answer on its way, an idle keep-alive connection — is cut.
    // (Paused while the runtime boots: the kill and restart are chaos enough there.)
    let dropping = true;
    let booting = false;
    const dropper = (async () => {
      while (dropping) {
        await new Promise((r) => setTimeout(r, 100 + Math.floor(random() * 300)));
        if (dropping && !booting && emulator.dropConnections() > 0) drops++;
      }
    })();
    const killAt = Math.floor(N * (0.4 + random() * 0.2));
    for (let i = 0; i < N; i++) {
      emulator.injectMessage(`msg ${i}`, { chat: { id: CHATS[i % 3]!, type: i % 3 === 0 ? 'private' : 'supergroup' } });
      if (i === killAt) {
        await until(() => agent.deliveries.length > i - 100, 'some deliveries before the kill', 20_000);
        booting = true;
        runtime!.child.kill('SIGKILL');
        await runtime!.exited;
        await boot();
        booting = false;
      }
      if (random() < 0.01) {
        emulator.failNextCalls(1, 'drop', { methods: ['getUpdates'] }); // the next answer cut mid-body
        cuts++;
      }
      // Small batches, so that polls, drops and journaling interleave many times.
      if (i % 2 === 0) await new Promise((r) => setTimeout(r, 4 + Math.floor(random() * 16)));
    }
    dropping = false;
    await dropper;
    await until(() => agent.distinctTexts() === N, `all ${N} events at the agent`, 45_000);
    await until(() => emulator.pending() === 0, 'Telegram to see every update confirmed', 15_000);
    logs.push(runtime!.stderr());

    // Drops that found a connection open, and answers cut mid-body.
    expect(drops).toBeGreaterThanOrEqual(2);
    expect(drops + cuts).toBeGreaterThanOrEqual(8);
    // One id per Telegram message (the dedup key absorbed every redelivery), no confirmed ack
    // redelivered; dropping redeliveries of acks not yet confirmed: each once, in order per chat.
    const unique = agent.expectExactlyOnce(N);
    for (const [k, chat] of CHATS.entries()) {
      const nums = unique.filter((e) => e.conversation.id === String(chat)).map((e) => Number(e.text!.split(' ')[1]));
      expect(nums).toEqual(Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === k));
    }
    // The drops were seen and recovered from; the token never reached a log line.
    const log = logs.join('');
    expect(log).toContain('polling interrupted');
    expect(log).not.toContain(token.split(':')[1]);
    expect(emulator.calls.some((c) => c.method === 'setWebhook')).toBe(false);
    agent.close();
  }, 90_000);
});
