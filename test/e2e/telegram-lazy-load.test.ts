/**
 * Connectors load lazily: a runtime whose config names only Telegram loads grammY and never
 * discord.js (46 MB of RSS it has no use for). A module-resolution hook in the `switchboard run`
 * child reports every package the ES module loader resolves.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const HOOK = `
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) process.stderr.write('SB-RESOLVED ' + m[1] + '\\n');
  return r;
}`;

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
    const hook = join(tmp.dir, 'hook.mjs');
    writeFileSync(hook, HOOK);
    const register = join(tmp.dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
    const config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token);
    runtime = startCli(['run', '--config', config], { env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` } });
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'online', 20_000);
    const resolved = new Set(runtime.stderr().split('\n').filter((l) => l.startsWith('SB-RESOLVED ')).map((l) => l.slice(12)));
    expect(resolved).toContain('grammy');
    expect(resolved).not.toContain('discord.js');
    expect(resolved).not.toContain('@discordjs/ws');
    // Every platform's schema is read to validate the config; none of them may pull in its SDK.
    expect(resolved).not.toContain('@line/bot-sdk');
  });
});
