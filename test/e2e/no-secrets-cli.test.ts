/**
 * Only `run` (and `config check`) read secrets. `status`, `pair`, `send`, `tail` and `audit` talk to
 * the running runtime or read its state, so they work from another terminal that has none of the bot
 * tokens exported — as the README tells the user to run them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const VAR = 'SB_TEST_NO_SECRETS_TOKEN';

describe('commands that need no secrets', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let token: string;
  let runtime: LiveCli | undefined;
  let config: string;

  beforeEach(async () => {
    tmp = makeTempDir('sb-nosecret-');
    token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
    config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token);
    // The token from the environment, as a user would configure it.
    const yaml = parse(readFileSync(config, 'utf8')) as { connectors: { tg: Record<string, unknown> } };
    yaml.connectors.tg.token = { env: VAR };
    writeFileSync(config, stringify(yaml));
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it('status, pair, send, tail and audit work without the token in the environment; run and config check need it', async () => {
    expect(process.env[VAR]).toBeUndefined();
    // Independent commands run side by side: each is a node process, slow to start on a loaded machine.
    const [check, refused] = await Promise.all([runCli(['config', 'check', config]), runCli(['run', '--config', config])]);
    expect([check.code, check.stderr]).toEqual([2, expect.stringContaining(`environment variable ${VAR} is not set`)]);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining(VAR)]);

    runtime = startCli(['run', '--config', config], { env: { [VAR]: token } });
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'status online from a shell without the token', 20_000);
    const [status, pairs, audit] = await Promise.all([
      runCli(['status', '--config', config, '--json']),
      runCli(['pair', 'list', '--config', config]),
      runCli(['audit', '--config', config]),
    ]);
    expect(JSON.parse(status.stdout).connectors[0]).toMatchObject({ name: 'tg', state: 'online' });
    expect(pairs.code).toBe(0);
    expect([0, 1]).toContain(audit.code);

    const chat = emulator.injectMessage('hello from telegram').chat.id;
    const tail = await runCli(['tail', '--config', config, '--json', '--limit', '1'], { timeoutMs: 15_000 });
    expect([tail.code, JSON.parse(tail.stdout.trim()).text]).toEqual([0, 'hello from telegram']);
    const sent = await runCli(['send', '--config', config, 'tg', String(chat), 'an answer']);
    expect(sent.code).toBe(0);
    await until(() => emulator.sent.some((m) => m.text === 'an answer'), 'the answer at Telegram');

    for (const out of [status, pairs, audit, tail, sent]) expect(out.stdout + out.stderr).not.toContain(token);
  }, 120_000);
});
