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
import { CHAOS_SEED as SEED, numbersByConversation, runChaos } from '../helpers/chaos.js';
import { writeDiscordConfig } from '../helpers/discord-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const N = 1_000;
const CHANNELS = ['general', 'random', 'agent-thread'];

describe(`discord chaos (CHAOS_SEED=${SEED})`, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: DiscordEmulator;

  beforeEach(async () => {
    tmp = makeTempDir('sb-dchaos-');
    emulator = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
  });
  afterEach(async () => {
    await emulator.close();
    tmp.cleanup();
  });

  it(`delivers ${N} messages exactly once, in order per channel, through drops, op 7 and a SIGKILL`, async () => {
    const inject = (i: number) => emulator.injectMessage(`msg ${i}`, { channel: CHANNELS[i % CHANNELS.length]! });
    // Disturbances that hit a socket carrying a live session: each forces a reconnect and RESUME. One that
    // lands while the client is between sockets (or before its RESUME/IDENTIFY) hits nothing to resume.
    let hits = 0;
    const { unique } = await runChaos({
      n: N,
      seed: SEED,
      config: writeDiscordConfig(tmp.dir, emulator.apiBase, emulator.token, { level: 'info' }),
      stateDir: join(tmp.dir, 'state'),
      // Discord delivers only to a session that exists: nothing sent before the first IDENTIFY reaches
      // the bot. After the restart, messages keep coming while it resumes.
      onlineAfterRestart: false,
      bootTimeoutMs: 20_000,
      killWindow: [0.35, 0.3],
      pause: { every: 25, min: 5, spread: 20 },
      inject,
      drop: (random) => {
        const live = random() < 0.6 ? emulator.dropConnections() : emulator.sendReconnect();
        hits += live;
        return live > 0;
      },
      dropEveryMs: [100, 200],
      minDrops: 6,
      // Messages keep coming while the runtime is down; the session buffers them.
      whileDown: (i) => {
        for (let j = 0; j < 20 && i + 1 < N; j++) inject(++i);
        return i;
      },
    });

    // Exactly once (asserted by runChaos: the dedup key absorbed every replay); in order per channel.
    const byChannel = numbersByConversation(unique);
    expect(byChannel.size).toBe(3);
    for (const nums of byChannel.values()) expect(nums).toEqual([...nums].sort((a, b) => a - b));
    // The chaos happened: resumes (incl. the restarted process's), never a second IDENTIFY.
    // Every hit was answered by a RESUME (the restarted process's own RESUME stands in for a hit the
    // SIGKILL may have cut short); a hit after the last message may still be resuming: wait for it.
    expect(hits).toBeGreaterThanOrEqual(6);
    expect(emulator.counters.identifies).toBe(1);
    await until(() => emulator.counters.resumes >= hits, `a RESUME after each of ${hits} hits`, 10_000);
    expect(emulator.counters.replayed).toBeGreaterThan(0);
  }, 90_000);
});
