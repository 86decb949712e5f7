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
import { AckingAgent, prng } from '../helpers/agent.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeSlackConfig } from '../helpers/slack-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const N = 1_000;
const CHANNELS = ['C0GENERAL', 'D0ADA', 'G0PRIVATE'];
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const REASONS = ['refresh_requested', 'warning', 'too_many_websockets'] as const;

describe('slack chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: SlackEmulator;
  let tokens: { appToken: string; botToken: string };
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-slc-');
    tokens = fakeSlackTokens();
    emulator = await startSlackEmulator({ ...tokens, redeliverAfterMs: 1_000 });
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} messages, random disconnects and one SIGKILL: each exactly once (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const config = writeSlackConfig(tmp.dir, emulator.apiUrl, tokens);
    const agent = new AckingAgent(join(tmp.dir, 'state'));
    const logs: string[] = [];

    async function boot(): Promise<void> {
      if (runtime) logs.push(runtime.stderr());
      runtime = startCli(['run', '--config', config]);
      await agent.connect();
      await until(async () => (await agent.client!.request<{ connectors: { state: string }[] }>('status')).connectors[0]?.state === 'online', 'the connector online', 15_000);
    }

    let drops = 0;
    let disconnects = 0;
    await boot();
    let chaos = true;
    let booting = false;
    const disturber = (async () => {
      while (chaos) {
        await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 350)));
        if (!chaos || booting || emulator.openSockets() === 0) continue;
        if (random() < 0.5) {
          emulator.dropConnections();
          drops++;
        } else {
          emulator.sendDisconnect(REASONS[Math.floor(random() * REASONS.length)]);
          disconnects++;
        }
      }
    })();
    const killAt = Math.floor(N * (0.4 + random() * 0.2));
    for (let i = 0; i < N; i++) {
      const channel = CHANNELS[i % 3]!;
      emulator.injectMessage(`msg ${i}`, { channel, channel_type: channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel' });
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
    chaos = false;
    await disturber;
    await until(() => agent.distinctTexts() === N, `all ${N} events at the agent`, 45_000);
    await until(() => emulator.unacked() === 0, 'Slack to see every envelope acked', 15_000);
    logs.push(runtime!.stderr());

    expect(drops + disconnects).toBeGreaterThanOrEqual(6);
    agent.expectExactlyOnce(N);
    expect(emulator.maxConcurrentSockets()).toBe(1);
    const log = logs.join('');
    expect(log).toContain('Socket Mode connection open again');
    expect(log).not.toContain(tokens.appToken);
    expect(log).not.toContain(tokens.botToken);
    agent.close();
  }, 90_000);
});
