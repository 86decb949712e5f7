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
import { CHAOS_SEED as SEED, expectRoundRobin, runChaos } from '../helpers/chaos.js';
import { writeMattermostConfig } from '../helpers/mattermost-config.js';
import { makeTempDir } from '../helpers/tmp.js';

const N = 1_000;
const CHANNELS: ChannelName[] = ['dm', 'town', 'group'];

describe('mattermost chaos', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: MattermostEmulator;
  let token: string;

  beforeEach(async () => {
    tmp = makeTempDir('sb-mmc-');
    token = fakeMattermostToken();
    emulator = await startMattermostEmulator({ token });
  });
  afterEach(async () => {
    await emulator.close();
    tmp.cleanup();
  });

  it(`${N} posts, random socket drops (resumed and not) and one SIGKILL: each exactly once, in order per conversation (seed ${SEED})`, async () => {
    let resumable = 0;
    let forgotten = 0;
    const { unique, log } = await runChaos({
      n: N,
      seed: SEED,
      config: writeMattermostConfig(tmp.dir, emulator.url, token, { level: 'info' }),
      stateDir: join(tmp.dir, 'state'),
      inject: (i) => emulator.injectPost(`msg ${i}`, { channel: CHANNELS[i % 3]! }),
      // Alternating, so that both kinds happen however few drops a loaded machine leaves room for.
      drop: () => {
        if (emulator.socketStats().open === 0) return false;
        if (resumable <= forgotten) {
          emulator.dropConnections();
          resumable++;
        } else {
          emulator.dropConnections({ forget: true });
          forgotten++;
        }
        return true;
      },
      minDrops: 6,
    });

    expect(resumable).toBeGreaterThanOrEqual(2);
    expect(forgotten).toBeGreaterThanOrEqual(2);
    const stats = emulator.socketStats();
    expect(stats.resumes).toBeGreaterThanOrEqual(1);
    expect(stats.maxConcurrent).toBe(1);
    // Exactly once (asserted by runChaos) despite every overlap of replay and catch-up; in order per conversation.
    expectRoundRobin(unique, CHANNELS.map((name) => emulator.world.channels[name].id), N);
    expect(log).toContain('fetched posts missed while disconnected');
    expect(log).not.toContain(token);
  }, 120_000);
});
