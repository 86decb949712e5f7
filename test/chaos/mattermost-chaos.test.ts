/**
 * Chaos: 1,000 Mattermost posts over a DM, a channel and a group message while the emulator cuts the
 * WebSocket at random moments — half the time keeping the server-side session (the SDK resumes with
 * `sequence_number` and the missed events are replayed), half the time forgetting it (a new
 * `connection_id`: the connector fetches the missed posts over REST before going online) — and
 * `switchboard run` is SIGKILLed and restarted once (it catches up from its saved cursor). The acking
 * agent sees every post exactly once, in order per conversation.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeMattermostToken, startMattermostEmulator, type ChannelName, type MattermostEmulator } from '../../connectors/mattermost/emulator.js';
import { AckingAgent, prng } from '../helpers/agent.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeMattermostConfig } from '../helpers/mattermost-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const N = 1_000;
const CHANNELS: ChannelName[] = ['dm', 'town', 'group'];
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

describe('mattermost chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: MattermostEmulator;
  let token: string;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-mmc-');
    token = fakeMattermostToken();
    emulator = await startMattermostEmulator({ token });
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} posts, random socket drops (resumed and not) and one SIGKILL: each exactly once, in order per conversation (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const config = writeMattermostConfig(tmp.dir, emulator.url, token, { level: 'info' });
    const agent = new AckingAgent(join(tmp.dir, 'state'));
    const logs: string[] = [];

    async function boot(): Promise<void> {
      if (runtime) logs.push(runtime.stderr());
      runtime = startCli(['run', '--config', config]);
      await agent.connect();
      await until(async () => (await agent.client!.request<{ connectors: { state: string }[] }>('status')).connectors[0]?.state === 'online', 'the connector online', 15_000);
    }

    let resumable = 0;
    let forgotten = 0;
    await boot();
    let chaos = true;
    let booting = false;
    const disturber = (async () => {
      while (chaos) {
        await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 350)));
        if (!chaos || booting || emulator.socketStats().open === 0) continue;
        if (random() < 0.5) {
          emulator.dropConnections();
          resumable++;
        } else {
          emulator.dropConnections({ forget: true });
          forgotten++;
        }
      }
    })();
    const killAt = Math.floor(N * (0.4 + random() * 0.2));
    for (let i = 0; i < N; i++) {
      emulator.injectPost(`msg ${i}`, { channel: CHANNELS[i % 3]! });
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
    await until(() => agent.distinctTexts() === N, `all ${N} events at the agent`, 45_000).catch((err: unknown) => {
      const seen = new Set(agent.deliveries.map((e) => e.text));
      const missing = Array.from({ length: N }, (_, i) => `msg ${i}`).filter((t) => !seen.has(t));
      throw new Error(`${String(err)}; missing ${missing.length}: ${missing.slice(0, 20).join(', ')}`);
    });
    logs.push(runtime!.stderr());

    expect(resumable).toBeGreaterThanOrEqual(2);
    expect(forgotten).toBeGreaterThanOrEqual(2);
    const stats = emulator.socketStats();
    expect(stats.resumes).toBeGreaterThanOrEqual(1);
    expect(stats.maxConcurrent).toBe(1);
    // One id per post (the dedup key absorbed every overlap of replay and catch-up), no confirmed ack
    // redelivered; dropping redeliveries of acks not yet confirmed: each once, in order per conversation.
    const unique = agent.expectExactlyOnce(N);
    for (const [k, name] of CHANNELS.entries()) {
      const nums = unique.filter((e) => e.conversation.id === emulator.world.channels[name].id).map((e) => Number(e.text!.split(' ')[1]));
      expect(nums).toEqual(Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === k));
    }
    const log = logs.join('');
    expect(log).toContain('fetched posts missed while disconnected');
    expect(log).not.toContain(token);
    agent.close();
  }, 120_000);
});
