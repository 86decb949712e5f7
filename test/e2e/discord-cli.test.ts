/**
 * End to end through the real CLI with the Discord connector: `switchboard run` against the emulator,
 * `status` (outbound socket, no listener), a user message reaching `tail --json`, `switchboard send`
 * reaching the emulator, and the bot token in no output at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator } from '../../connectors/discord/emulator.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeDiscordConfig } from '../helpers/discord-config.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('CLI end to end with the Discord connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: DiscordEmulator;
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-dce2e-');
    // A token shaped like a real one, so a leak would look like one.
    emulator = await startDiscordEmulator();
    config = writeDiscordConfig(tmp.dir, emulator.apiBase, emulator.token);
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
    // Whatever happened, the bot token never reached a terminal or a log line.
    session.expectNoSecrets([emulator.token]);
  });

  const cli = (args: string[]) => session.cli(args);

  it('status shows the plan before the runtime runs: outbound socket, listener none', async () => {
    const r = await cli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/dc\s+discord\s+outbound socket\s+not running\s+none\s+none\s+socket auth/);
  });

  it('run → status online → a user message reaches tail --json → send reaches Discord → SIGTERM', async () => {
    await session.run(config, 20_000);

    const status = await cli(['status', '--config', config]);
    expect(status.stdout).toMatch(/dc\s+discord\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+socket auth/);
    expect(await session.statusRow(config)).toMatchObject({ name: 'dc', platform: 'discord', transport: 'outbound-socket', state: 'online', listeners: [], verification: 'socket-auth' });

    const messageId = emulator.injectMessage('hello from discord', { channel: 'general' });
    const event = await session.tailOne(config);
    expect(event).toMatchObject({
      connector: 'dc', platform: 'discord', kind: 'message', text: 'hello from discord', messageId,
      conversation: { id: emulator.ids.general, kind: 'channel', title: 'general' },
      sender: { id: emulator.ids.userId, isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });

    const send = await cli(['send', '--config', config, 'dc', emulator.ids.general, 'reply from the agent']);
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/sent: \d{17,20}/);
    expect(emulator.sent.at(-1)).toMatchObject({ kind: 'message', channel_id: emulator.ids.general, content: 'reply from the agent' });

    expect(await session.stop()).toBe(0);
  });

  it('a revoked token is fatal: failed with the reason, no restart loop, no token in any output', async () => {
    const bad = 'MTE4NzM1MjEyMzQ1Njc4OTAxMg.GaBcDe.this-is-not-the-emulator-token-at-all';
    const badConfig = writeDiscordConfig(tmp.dir, emulator.apiBase, bad);
    const { row } = await session.runUntilFailed(badConfig, 20_000);
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toMatch(/rejected the bot token/);
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.counters.connections).toBe(0);
    await session.stop('SIGINT');
    await session.kill();
    session.expectNoSecrets([bad]);
  });
});
