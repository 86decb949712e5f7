/**
 * The agent API end to end through the real `switchboard run` with the Telegram connector on its
 * emulator: a client subscriber receives, acks, disconnects, reconnects and resumes without gaps or
 * duplicates; and the example agent (examples/echo-agent.ts, as built) answers in the chat and rides
 * out a restart of the runtime.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { AgentClient } from '../../src/agent/client.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { ROOT } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const CHAT = 5120934881;

describe('agent API through switchboard run', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let config: string;
  let stateDir: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-aapi-');
    const token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
    config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token, { pollTimeout: 1 });
    stateDir = join(tmp.dir, 'state');
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
  });

  async function start(): Promise<void> {
    await session.run(config);
  }

  const say = (text: string) => emulator.injectMessage(text, { chat: { id: CHAT, type: 'private' }, from: { id: CHAT, first_name: 'Ada' } });

  /** Take `n` events from a fresh client under `subscriber`, acking those `ack` picks; then disconnect. */
  async function take(n: number, ack: (e: InboundEvent, i: number) => boolean): Promise<string[]> {
    const client = await AgentClient.connect(stateDir);
    const texts: string[] = [];
    try {
      for await (const event of client.events({ subscriber: 'resume-agent' })) {
        texts.push(event.text ?? '');
        if (ack(event, texts.length - 1)) await client.ack(event.id);
        if (texts.length === n) break;
      }
    } finally {
      client.close();
    }
    return texts;
  }

  it('a subscriber receives, acks, disconnects, reconnects and resumes without gaps or duplicates', async () => {
    await start();
    for (const t of ['m1', 'm2', 'm3']) say(t);
    expect(await take(3, () => true)).toEqual(['m1', 'm2', 'm3']);
    // Disconnected: these wait in the journal.
    say('m4');
    say('m5');
    await until(() => emulator.pending() === 0, 'the runtime took m4 and m5');
    // Back: only what was not acked, in order; m5 is left un-acked this time.
    expect(await take(2, (_e, i) => i === 0)).toEqual(['m4', 'm5']);
    say('m6');
    expect(await take(2, () => true)).toEqual(['m5', 'm6']);
  });

  it('the example echo agent answers, and resumes after the runtime restarts', async () => {
    await start();
    const agent = spawn(process.execPath, [join(ROOT, 'dist/examples/echo-agent.js'), stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    agent.stdout.on('data', (d) => (out += d));
    agent.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => agent.on('close', resolve));
    try {
      const m = say('hello example');
      await until(() => emulator.sent.some((s) => s.text === 'echo: hello example'), 'the echo', 15_000);
      expect(emulator.sent.find((s) => s.text === 'echo: hello example')).toMatchObject({ method: 'sendMessage', reply_to: m.message_id });
      // Its ack confirmed before the runtime goes (an ack lost in the stop would rightly mean a redelivery).
      await until(() => out.includes('handled ev_'), 'the first ack', 10_000);

      expect(await session.stop()).toBe(0);
      say('while it was down');
      await start();
      await until(() => emulator.sent.some((s) => s.text === 'echo: while it was down'), 'the echo after the restart', 20_000);
      await until(() => out.split('handled ev_').length === 3, 'the second ack', 10_000);
      expect(emulator.sent.filter((s) => s.text?.startsWith('echo: ')).map((s) => s.text)).toEqual(['echo: hello example', 'echo: while it was down']);
    } finally {
      agent.kill('SIGTERM');
      await exited;
    }
    expect(out).toMatch(/^handled ev_\w+\nhandled ev_\w+\n$/);
  });
});
