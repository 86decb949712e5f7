/**
 * Connectors load lazily: a runtime whose config names only Discord loads discord.js's Gateway layer and never another
 * platform's SDK. A module-resolution hook in the `switchboard run` child reports every package it
 * resolves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator } from '../../connectors/discord/emulator.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeDiscordConfig } from '../helpers/discord-config.js';
import { resolveProbeOptions, resolvedPackages } from '../helpers/resolve-probe.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('lazy connector loading', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: DiscordEmulator;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-dclazy-');
    emulator = await startDiscordEmulator();
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it('a Discord-only runtime loads discord.js (its @discordjs/ws Gateway) and never grammy', async () => {
    const config = writeDiscordConfig(tmp.dir, emulator.apiBase, emulator.token, { level: 'warn' });
    runtime = startCli(['run', '--config', config], { env: { NODE_OPTIONS: resolveProbeOptions(tmp.dir) } });
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'online', 20_000);
    const resolved = resolvedPackages(runtime.stderr());
    expect(resolved).toContain('discord.js');
    expect(resolved).toContain('@discordjs/ws');
    expect(resolved).not.toContain('grammy');
  });
});
