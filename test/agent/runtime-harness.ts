/** An in-process runtime with one Telegram connector against its emulator, for agent-side tests. */
import { appendFileSync } from 'node:fs';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

export interface TelegramRuntime {
  emulator: TelegramEmulator;
  runtime: Runtime;
  stateDir: string;
  dir: string;
  /** A user's DM to the bot; resolves once the runtime has journaled it. */
  userSays(text: string, chat?: number): Promise<number>;
  close(): Promise<void>;
}

/** The DM chat (and user) id the harness talks from. */
export const USER = 5120934881;

/** Start the emulator and a runtime on it; `extraYaml` is appended to the config (e.g. an `agent:` block). */
export async function startTelegramRuntime(extraYaml = ''): Promise<TelegramRuntime> {
  const tmp = makeTempDir('sb-ag-');
  const token = fakeBotToken();
  const emulator = await startTelegramEmulator({ token });
  const file = writeTelegramConfig(tmp.dir, emulator.apiRoot, token, { pollTimeout: 1 });
  if (extraYaml) appendFileSync(file, extraYaml);
  const config = await loadConfig(file);
  const runtime = await startRuntime(config, { log: silentLogger() });
  await until(() => runtime.supervisor.report()[0]?.state === 'online', 'telegram online');
  return {
    emulator,
    runtime,
    stateDir: config.stateDir,
    dir: tmp.dir,
    async userSays(text, chat = USER) {
      const before = runtime.bus.stats().appended;
      const m = emulator.injectMessage(text, { chat: { id: chat, type: 'private' }, from: { id: chat, first_name: 'Ada' } });
      await until(() => runtime.bus.stats().appended > before, `"${text}" journaled`);
      return m.message_id;
    },
    async close() {
      await runtime.stop();
      await emulator.close();
      tmp.cleanup();
    },
  };
}
