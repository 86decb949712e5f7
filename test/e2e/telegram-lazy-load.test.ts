/**
 * Connectors load lazily: a runtime whose config names only Telegram loads grammY and never
 * discord.js (46 MB of RSS it has no use for). A module-resolution hook in the `switchboard run`
 * child reports every package the ES module loader (and CommonJS `require`) resolves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { resolveProbeOptions, resolvedPackages } from '../helpers/resolve-probe.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('lazy connector loading', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let token: string;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-tglazy-');
    token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it('a Telegram-only runtime loads grammy and never discord.js', async () => {
    const config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token);
    runtime = startCli(['run', '--config', config], { env: { NODE_OPTIONS: resolveProbeOptions(tmp.dir) } });
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'online', 20_000);
    const resolved = resolvedPackages(runtime.stderr());
    expect(resolved).toContain('grammy');
    expect(resolved).not.toContain('discord.js');
    expect(resolved).not.toContain('@discordjs/ws');
    // Every platform's schema is read to validate the config; none of them may pull in its SDK.
    expect(resolved).not.toContain('@line/bot-sdk');
  });
});
