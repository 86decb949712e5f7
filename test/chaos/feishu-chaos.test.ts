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
import { AckingAgent, prng } from '../helpers/agent.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeFeishuConfig } from '../helpers/feishu-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const N = 1_000;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

describe('feishu chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: FeishuEmulator;
  let creds: { appId: string; appSecret: string };
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-fsc-');
    creds = fakeAppCredentials();
    emulator = await startFeishuEmulator({ ...creds, window: 50 });
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} messages, random disconnects and one SIGKILL: each exactly once (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const config = writeFeishuConfig(tmp.dir, emulator.domain, creds.appId, creds.appSecret);
    const agent = new AckingAgent(join(tmp.dir, 'state'));
    const logs: string[] = [];
    const chats = ['oc_chaos_dm', 'oc_chaos_group_a', 'oc_chaos_group_b'];

    async function boot(): Promise<void> {
      if (runtime) logs.push(runtime.stdout(), runtime.stderr());
      runtime = startCli(['run', '--config', config]);
      await agent.connect();
      await until(async () => (await agent.client!.request<{ connectors: { state: string }[] }>('status')).connectors[0]?.state === 'online', 'the connector online', 15_000);
    }

    let drops = 0;
    await boot();
    let dropping = true;
    let booting = false;
    const dropper = (async () => {
      while (dropping) {
        await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 350)));
        if (!dropping || booting) continue;
        const n = random() < 0.8 ? emulator.dropConnection() : emulator.sendDisconnect();
        if (n > 0) drops++;
      }
    })();
    const killAt = Math.floor(N * (0.4 + random() * 0.2));
    for (let i = 0; i < N; i++) {
      emulator.injectMessage(`msg ${i}`, { chatId: chats[i % 3]!, chatType: i % 3 === 0 ? 'p2p' : 'group', ...(random() < 0.05 ? { fragments: 3 } : {}) });
      if (i === killAt) {
        await until(() => agent.deliveries.length > i - 100, 'some deliveries before the kill', 20_000);
        booting = true;
        runtime!.child.kill('SIGKILL');
        await runtime!.exited;
        await boot();
        booting = false;
      }
      if (i % 2 === 0) await new Promise((r) => setTimeout(r, 4 + Math.floor(random() * 16)));
    }
    dropping = false;
    await dropper;
    await until(() => agent.distinctTexts() === N, `all ${N} events at the agent`, 45_000);
    await until(() => emulator.unacked() === 0, 'every frame acked', 15_000);
    logs.push(runtime!.stdout(), runtime!.stderr());

    expect(drops).toBeGreaterThanOrEqual(4);
    // Drops and the kill left frames unacked: the platform delivered some events more than once.
    expect(emulator.deliveries()).toBeGreaterThan(N);
    const unique = agent.expectExactlyOnce(N);
    for (const [k, chat] of chats.entries()) {
      const nums = unique.filter((e) => e.conversation.id === chat).map((e) => Number(e.text!.split(' ')[1])).sort((a, b) => a - b);
      expect(nums).toEqual(Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === k));
    }
    const log = logs.join('');
    expect(log).not.toContain(creds.appSecret);
    agent.close();
  }, 90_000);
});
