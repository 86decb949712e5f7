/**
 * End to end through the real CLI with the Discord connector: `switchboard run` against the emulator,
 * `status` (outbound socket, no listener), a user message reaching `tail --json`, `switchboard send`
 * reaching the emulator, and the bot token in no output at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator } from '../../connectors/discord/emulator.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeDiscordConfig } from '../helpers/discord-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('CLI end to end with the Discord connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: DiscordEmulator;
  let config: string;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-dce2e-');
    // A token shaped like a real one, so a leak would look like one.
    emulator = await startDiscordEmulator();
    config = writeDiscordConfig(tmp.dir, emulator.apiBase, emulator.token);
  });

  afterEach(async () => {
    await runtime?.kill();
    runtime = undefined;
    await emulator.close();
    tmp.cleanup();
  });

  it('status shows the plan before the runtime runs: outbound socket, listener none', async () => {
    const r = await runCli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/dc\s+discord\s+outbound socket\s+not running\s+none\s+none\s+socket auth/);
  });

  it('run → status online → a user message reaches tail --json → send reaches Discord → SIGTERM', async () => {
    runtime = startCli(['run', '--config', config]);
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'the runtime to report healthy', 20_000);

    const status = await runCli(['status', '--config', config]);
    expect(status.stdout).toMatch(/dc\s+discord\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+socket auth/);
    const json = JSON.parse((await runCli(['status', '--config', config, '--json'])).stdout);
    expect(json.connectors[0]).toMatchObject({ name: 'dc', platform: 'discord', transport: 'outbound-socket', state: 'online', listeners: [], verification: 'socket-auth' });

    const messageId = emulator.injectMessage('hello from discord', { channel: 'general' });
    const tail = await runCli(['tail', '--config', config, '--json', '--limit', '1']);
    expect(tail.code).toBe(0);
    const event = inboundEventSchema.parse(JSON.parse(tail.stdout.trim()));
    expect(event).toMatchObject({
      connector: 'dc', platform: 'discord', kind: 'message', text: 'hello from discord', messageId,
      conversation: { id: emulator.ids.general, kind: 'channel', title: 'general' },
      sender: { id: emulator.ids.userId, isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });

    const send = await runCli(['send', '--config', config, 'dc', emulator.ids.general, 'reply from the agent']);
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/sent: \d{17,20}/);
    expect(emulator.sent.at(-1)).toMatchObject({ kind: 'message', channel_id: emulator.ids.general, content: 'reply from the agent' });

    runtime.child.kill('SIGTERM');
    expect(await runtime.exited).toBe(0);
    for (const text of [runtime.stdout(), runtime.stderr(), status.stdout, tail.stdout, send.stdout, send.stderr]) {
      expect(text).not.toContain(emulator.token);
    }
  });

  it('a revoked token is fatal: failed with the reason, no restart loop, no token in any output', async () => {
    const bad = 'MTE4NzM1MjEyMzQ1Njc4OTAxMg.GaBcDe.this-is-not-the-emulator-token-at-all';
    const badConfig = writeDiscordConfig(tmp.dir, emulator.apiBase, bad);
    runtime = startCli(['run', '--config', badConfig]);
    await until(async () => (await runCli(['status', '--config', badConfig])).stdout.includes('failed'), 'failed state', 20_000);
    const r = await runCli(['status', '--config', badConfig, '--json']);
    const row = JSON.parse(r.stdout).connectors[0];
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toMatch(/rejected the bot token/);
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.counters.connections).toBe(0);
    runtime.child.kill('SIGINT');
    await runtime.exited;
    expect(runtime.stderr() + runtime.stdout() + r.stdout).not.toContain(bad);
  });
});
