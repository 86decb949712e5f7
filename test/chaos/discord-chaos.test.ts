/**
 * Chaos: 1,000 Discord messages over three channels (a text channel, another, a thread) while the
 * emulator drops the Gateway connection and sends op 7 RECONNECT at random points, and
 * `switchboard run` is SIGKILLed and restarted once. The acking agent sees every message exactly
 * once, in order per conversation: each RESUME (including the restarted process's, from the session
 * persisted in the state dir) starts at the last *journaled* sequence, the emulator replays everything
 * after it, and the journal's dedup key absorbs what had been journaled already.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator } from '../../connectors/discord/emulator.js';
import type { RuntimeStatus } from '../../src/control/protocol.js';
import { AckingAgent, prng } from '../helpers/agent.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeDiscordConfig } from '../helpers/discord-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const N = 1_000;
const CHANNELS = ['general', 'random', 'agent-thread'];
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

describe(`discord chaos (CHAOS_SEED=${SEED})`, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: DiscordEmulator;
  let runtime: LiveCli | undefined;
  let agent: AckingAgent | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-dchaos-');
    emulator = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
  });
  afterEach(async () => {
    agent?.close();
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it(`delivers ${N} messages exactly once, in order per channel, through drops, op 7 and a SIGKILL`, async () => {
    const random = prng(SEED);
    const config = writeDiscordConfig(tmp.dir, emulator.apiBase, emulator.token, { level: 'info' });
    const acking = new AckingAgent(join(tmp.dir, 'state'));
    agent = acking;

    /** Start `switchboard run` and subscribe as the agent; the first time, wait for the session to exist. */
    async function boot(first = false): Promise<void> {
      runtime = startCli(['run', '--config', config]);
      // Discord delivers only to a session that exists: nothing sent before the first IDENTIFY reaches the bot.
      await acking.connect(20_000);
      if (first) await until(async () => (await acking.client!.request<RuntimeStatus>('status')).connectors[0]?.state === 'online', 'the connector online', 20_000);
    }

    await boot(true);
    const killAt = Math.floor(N * (0.35 + random() * 0.3));
    let chaos = 0;
    for (let i = 0; i < N; i++) {
      emulator.injectMessage(`msg ${i}`, { channel: CHANNELS[i % CHANNELS.length]! });
      if (i === killAt) {
        await until(() => acking.deliveries.length > i - 100, 'some deliveries before the kill', 20_000);
        runtime!.child.kill('SIGKILL');
        await runtime!.exited;
        // Messages keep coming while the runtime is down; the session buffers them.
        for (let j = 0; j < 20 && i + 1 < N; j++) emulator.injectMessage(`msg ${++i}`, { channel: CHANNELS[i % CHANNELS.length]! });
        await boot();
      } else if (random() < 0.012) {
        chaos++;
        if (random() < 0.6) emulator.dropConnections();
        else emulator.sendReconnect();
      }
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 5 + random() * 20));
    }
    await until(() => acking.distinctTexts() === N, `all ${N} messages at the agent`, 45_000);

    // One journal id per Discord message (the dedup key absorbed every replay), no confirmed ack
    // redelivered; dropping redeliveries of acks not yet confirmed: each once, in order per channel.
    const unique = acking.expectExactlyOnce(N);
    const byChannel = new Map<string, number[]>();
    for (const e of unique) byChannel.set(e.conversation.id, [...(byChannel.get(e.conversation.id) ?? []), Number(e.text!.split(' ')[1])]);
    expect(byChannel.size).toBe(3);
    for (const nums of byChannel.values()) expect(nums).toEqual([...nums].sort((a, b) => a - b));
    // The chaos happened: resumes (incl. the restarted process's), never a second IDENTIFY.
    expect(emulator.counters.identifies).toBe(1);
    expect(emulator.counters.resumes).toBeGreaterThanOrEqual(1 + Math.min(chaos, 1));
    expect(emulator.counters.replayed).toBeGreaterThan(0);
  }, 90_000);
});
