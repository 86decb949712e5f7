/**
 * Chaos: 1,000 Feishu messages over three chats while the emulator drops the long connection at
 * random moments (and now and then closes it cleanly), and `switchboard run` is SIGKILLed and
 * restarted once. The acking agent sees every message exactly once: the platform redelivers every
 * event whose frame was not acked with code 200, and the dedup key absorbs what was already journaled.
 * (Feishu does not promise order across redeliveries, so only exactly-once is asserted.)
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeAppCredentials, startFeishuEmulator, type FeishuEmulator } from '../../connectors/feishu/emulator.js';
import { CHAOS_SEED as SEED, expectRoundRobin, runChaos } from '../helpers/chaos.js';
import { writeFeishuConfig } from '../helpers/feishu-config.js';
import { makeTempDir } from '../helpers/tmp.js';

const N = 1_000;
const CHATS = ['oc_chaos_dm', 'oc_chaos_group_a', 'oc_chaos_group_b'];

describe('feishu chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: FeishuEmulator;
  let creds: { appId: string; appSecret: string };

  beforeEach(async () => {
    tmp = makeTempDir('sb-fsc-');
    creds = fakeAppCredentials();
    emulator = await startFeishuEmulator({ ...creds, window: 50 });
  });
  afterEach(async () => {
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} messages, random disconnects and one SIGKILL: each exactly once (seed ${SEED})`, async () => {
    const { unique, drops, log } = await runChaos({
      n: N,
      seed: SEED,
      config: writeFeishuConfig(tmp.dir, emulator.domain, creds.appId, creds.appSecret),
      stateDir: join(tmp.dir, 'state'),
      inject: (i, random) => emulator.injectMessage(`msg ${i}`, { chatId: CHATS[i % 3]!, chatType: i % 3 === 0 ? 'p2p' : 'group', ...(random() < 0.05 ? { fragments: 3 } : {}) }),
      drop: (random) => (random() < 0.8 ? emulator.dropConnection() : emulator.sendDisconnect()) > 0,
      minDrops: 4,
      settled: { what: 'every frame acked', check: () => emulator.unacked() === 0 },
    });

    expect(drops).toBeGreaterThanOrEqual(4);
    // Drops and the kill left frames unacked: the platform delivered some events more than once.
    expect(emulator.deliveries()).toBeGreaterThan(N);
    expectRoundRobin(unique, CHATS, N, { anyOrder: true });
    expect(log).not.toContain(creds.appSecret);
  }, 90_000);
});
