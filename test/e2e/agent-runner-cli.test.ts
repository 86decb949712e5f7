/**
 * The agent runner end to end through the real `switchboard run`: a Telegram message reaches a fake
 * agent CLI, and its output appears as the bot's message (and its edits) in the Telegram emulator;
 * a crash is a short notice while the runtime keeps serving; with the slow agent, a follow-up is
 * queued and runs next, `/stop` ends a run and a timeout ends one, each with its notice.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import type { RuntimeStatus } from '../../src/control/protocol.js';
import { ControlClient } from '../../src/control/client.js';
import { fakeAgent } from '../agent/runner-harness.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('agent runner through switchboard run', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let runtime: LiveCli | undefined;
  let token: string;

  beforeEach(async () => {
    tmp = makeTempDir('sb-arun-');
    token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
  });

  afterEach(async () => {
    await runtime?.kill();
    runtime = undefined;
    await emulator.close();
    tmp.cleanup();
  });

  /** Start `switchboard run` with an agent running `script` (a node fixture) and `args`. */
  async function start(script: string, args: string[], extra = ''): Promise<void> {
    const config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token, { pollTimeout: 1 });
    appendFileSync(config, `agent:\n  command: ${JSON.stringify([process.execPath, fakeAgent(script), ...args])}\n  edit_interval: 100ms\n${extra}`);
    runtime = startCli(['run', '--config', config]);
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'the runtime to report healthy', 15_000);
  }

  const say = (text: string, chat = 5120934881) => emulator.injectMessage(text, { chat: { id: chat, type: 'private' }, from: { id: chat, first_name: 'Ada' } });

  it('a message runs the agent and its output is the bot\'s reply', async () => {
    await start('echo', ['{text}']);
    const m = say('what is $(whoami)?');
    await until(() => emulator.sent.some((s) => s.method === 'sendMessage'), 'the agent answer', 15_000);
    expect(emulator.sent.find((s) => s.method === 'sendMessage')).toMatchObject({ chat_id: '5120934881', text: 'echo: what is $(whoami)?', reply_to: m.message_id });
    expect(emulator.sent.some((s) => s.method === 'sendChatAction')).toBe(true);
  }, 60_000);

  it('streamed output becomes a message and its edits; a crash is a notice and the runtime keeps serving', async () => {
    await start('streaming', ['4', '150']);
    say('stream please');
    await until(() => emulator.sent.some((s) => s.method === 'editMessageText' && s.text === 'chunk 1 chunk 2 chunk 3 chunk 4'), 'the final edit', 15_000);
    const first = emulator.sent.find((s) => s.method === 'sendMessage')!;
    expect(first.text).toMatch(/^chunk 1/);
    expect(emulator.sent.filter((s) => s.method === 'editMessageText').every((s) => s.message_id === first.message_id)).toBe(true);
    runtime!.child.kill('SIGTERM');
    expect(await runtime!.exited).toBe(0);

    await start('crash', []);
    say('crash please', 42);
    await until(() => emulator.sent.some((s) => s.chat_id === '42' && s.method === 'sendMessage'), 'the crash notice', 15_000);
    expect(emulator.sent.find((s) => s.chat_id === '42' && s.method === 'sendMessage')?.text).toBe('The agent exited with code 2; details are in the switchboard log.');
    await until(() => runtime!.stderr().includes('ValueError: boom'), 'the stderr tail in the log');
    const status = await runCli(['status', '--config', `${tmp.dir}/switchboard.yaml`]);
    expect(status.code).toBe(0);
    // status shows the runner: what runs, and how the last run ended (not its stderr). Two failures when
    // the streaming run had not been acked at the SIGTERM: it then ran again, with the crashing agent.
    expect(status.stdout).toMatch(/agent node: 0 running, 0 queued; 0 finished, [12] failed; last failure \S+: exited with code 2/);
    expect(status.stdout).not.toContain('ValueError');
    const json = JSON.parse((await runCli(['status', '--json', '--config', `${tmp.dir}/switchboard.yaml`])).stdout) as { agent?: { failed: number } };
    expect(json.agent).toMatchObject({ agent: 'node', running: 0, queued: 0, finished: 0, lastFailure: { outcome: 'exited with code 2' } });
    expect(json.agent!.failed).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('slow agent: a follow-up is queued and runs next, /stop ends a run, a timeout ends another', async () => {
    // The message is also how long the agent sleeps: "15000" says "working on 15000", "done with 15000" 15 s later.
    await start('slow', ['{text}', '{text}'], '  timeout: 30s\n');
    const config = `${tmp.dir}/switchboard.yaml`;
    const [timeoutChat, queueChat, stopChat] = [7001, 7002, 7003];
    const inChat = (chat: number) => emulator.sent.filter((s) => s.chat_id === String(chat) && (s.method === 'sendMessage' || s.method === 'editMessageText'));
    const shows = (chat: number, text: string) => inChat(chat).some((s) => s.text?.includes(text));

    say('600000', timeoutChat);
    say('15000', queueChat);
    say('600001', stopChat);
    await until(() => shows(queueChat, 'working on 15000') && shows(stopChat, 'working on 600001'), 'the runs to start', 15_000);

    // A follow-up while the run goes on is queued (status says so; asked in-process: a CLI per poll is
    // slow on a loaded machine, and the window is the first run's 15 s) ...
    say('300', queueChat);
    const control = await ControlClient.connect(join(tmp.dir, 'state'));
    try {
      await until(async () => (await control.request<RuntimeStatus>('status')).agent?.queued === 1, 'the follow-up to be queued', 12_000);
    } finally {
      control.close();
    }
    // ... and /stop ends the other conversation's run with its notice.
    say('/stop', stopChat);
    await until(() => shows(stopChat, 'Stopped.'), 'the stop notice', 15_000);
    expect(shows(stopChat, 'done with 600001')).toBe(false);

    // The follow-up ran as the next run, after the first had finished.
    await until(() => shows(queueChat, 'done with 300'), 'the follow-up to finish', 30_000);
    const texts = inChat(queueChat).map((s) => s.text ?? '');
    const firstDone = texts.findIndex((t) => t.includes('done with 15000'));
    expect(firstDone).toBeGreaterThanOrEqual(0);
    expect(texts.findIndex((t) => t.includes('working on 300'))).toBeGreaterThan(firstDone);

    // The run past `timeout` was stopped with the timeout notice.
    await until(() => shows(timeoutChat, 'The agent ran longer than 30s and was stopped.'), 'the timeout notice', 40_000);
    expect(shows(timeoutChat, 'done with 600000')).toBe(false);
    const status = await runCli(['status', '--config', config]);
    expect(status.stdout).toMatch(/agent node: 0 running, 0 queued; 2 finished, 2 failed; last failure \S+: stopped \(timeout\)/);
  }, 120_000);
});
