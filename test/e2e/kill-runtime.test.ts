/**
 * `kill -9` of the runtime mid-stream loses no event and shows an acking agent none twice.
 * The platform (loopback emulator) redelivers whatever was not acked to it; the journal's dedup key
 * absorbs what had already been journaled; the agent's cursor resumes after what it acked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackEmulator, type LoopbackEmulator } from '../../connectors/loopback/emulator.js';
import { AckingAgent } from '../helpers/agent.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeLoopbackConfig } from '../helpers/loopback-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';
import { join } from 'node:path';

const TOKEN = 'lbtoken-kill-0a1b2c3d4e5f';
const N = 600;

describe('kill -9 of the runtime', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: LoopbackEmulator;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-kill-');
    emulator = await startLoopbackEmulator({ token: TOKEN });
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it(`delivers all ${N} events exactly once across two SIGKILLs`, async () => {
    const config = writeLoopbackConfig(tmp.dir, emulator.endpoint, TOKEN);
    const agent = new AckingAgent(join(tmp.dir, 'state'));
    const boot = async () => {
      runtime = startCli(['run', '--config', config]);
      await agent.connect();
    };

    await boot();
    const killAt = [Math.floor(N * 0.3), Math.floor(N * 0.7)];
    for (let i = 0; i < N; i++) {
      emulator.injectMessage(`msg ${i}`, { chat: { id: `chat-${i % 3}`, type: 'dm' } });
      if (killAt.includes(i)) {
        await until(() => agent.deliveries.length > i - 50, 'some deliveries before the kill');
        runtime!.child.kill('SIGKILL');
        await runtime!.exited;
        await boot();
      } else if (i % 50 === 0) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await until(() => agent.distinctTexts() === N, `all ${N} events at the agent`, 30_000);
    await until(() => emulator.pending() === 0, 'the platform to see every ack');

    const unique = agent.expectExactlyOnce(N);
    for (const chat of ['chat-0', 'chat-1', 'chat-2']) {
      const nums = unique.filter((e) => e.conversation.id === chat).map((e) => Number(e.text!.split(' ')[1]));
      expect(nums).toEqual([...nums].sort((a, b) => a - b));
      expect(nums).toHaveLength(N / 3);
    }
    agent.close();
  }, 90_000);
});
