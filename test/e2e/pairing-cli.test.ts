/**
 * The access policy end to end through the real CLI, with the Telegram connector against its emulator:
 * a stranger's DM earns one pairing code and never reaches the agent; `switchboard pair approve` lets
 * their next message through; `pair list` and `pair revoke`; a button pressed by a user it was not
 * issued to is refused and counted in `status --json`; `audit` warns about `dm: open`.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import type { InboundEvent, SendResult } from '../../src/bus/types.js';
import { ControlClient } from '../../src/control/client.js';
import type { AccessBlock } from '../helpers/access.js';
import { runCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const OWNER = 1001; // the emulator's default user
const BOB = 2002;
const EVE = 3003;
const GROUP = -100777;
const ACCESS: AccessBlock = { dm: 'pairing', groups: [String(GROUP)], owners: [String(OWNER)] };

describe('access policy and pairing through the CLI', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-pair-');
    const token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
    config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token, { access: ACCESS, pollTimeout: 1 });
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
  });

  const startRuntime = () => session.run(config);

  /** The counters `status --json` shows, read over the control socket (polled: faster than a CLI each time). */
  async function rejectedBy(): Promise<Record<string, number>> {
    const client = await ControlClient.connect(join(tmp.dir, 'state'));
    try {
      return (await client.request<{ connectors: { rejectedBy: Record<string, number> }[] }>('status')).connectors[0]!.rejectedBy;
    } finally {
      client.close();
    }
  }

  async function nextEvent(): Promise<InboundEvent> {
    const tail = await runCli(['tail', '--config', config, '--json', '--limit', '1']);
    expect(tail.code).toBe(0);
    return JSON.parse(tail.stdout.trim()) as InboundEvent;
  }

  const codeSentTo = (chat: number) =>
    emulator.sent.filter((s) => s.method === 'sendMessage' && s.chat_id === String(chat)).map((s) => /pair approve ([A-Z0-9]{8})/.exec(s.text ?? '')?.[1]).filter(Boolean);

  it('a stranger gets one code and is kept out until `pair approve`; list and revoke', async () => {
    await startRuntime();
    emulator.injectMessage('first from bob', { from: { id: BOB, first_name: 'Bob', username: 'bob' } });
    await until(() => codeSentTo(BOB).length === 1, 'a pairing code sent to Bob');
    const code = codeSentTo(BOB)[0]!;
    emulator.injectMessage('second from bob', { from: { id: BOB, first_name: 'Bob', username: 'bob' } });
    await until(async () => (await rejectedBy())['dm-not-paired'] === 2, 'both of Bob\'s messages refused');
    expect(codeSentTo(BOB)).toHaveLength(1); // silence after the one code

    const list = await runCli(['pair', 'list', '--config', config, '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ pending: [{ code, connector: 'tg', userId: String(BOB), userName: 'bob', conversation: String(BOB) }], approved: [] });

    expect((await runCli(['pair', 'approve', 'ZZZZ2222', '--config', config])).code).toBe(1);
    const approve = await runCli(['pair', 'approve', code.toLowerCase(), '--config', config]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`approved bob (${BOB}) on connector tg`);

    emulator.injectMessage('third from bob', { from: { id: BOB, first_name: 'Bob', username: 'bob' } });
    // The first event the agent ever sees is the one after the approval: nothing before it was journaled.
    const event = await nextEvent();
    expect(event).toMatchObject({ text: 'third from bob', sender: { id: String(BOB) }, provenance: { sender: 'paired' } });

    const listed = JSON.parse((await runCli(['pair', 'list', '--config', config, '--json'])).stdout);
    expect(listed).toMatchObject({ pending: [], approved: [{ connector: 'tg', userId: String(BOB) }] });
    const human = await runCli(['pair', 'list', '--config', config]);
    expect(human.stdout).toMatch(new RegExp(`tg\\s+bob \\(${BOB}\\)`));

    const revoke = await runCli(['pair', 'revoke', '--connector', 'tg', String(BOB), '--config', config]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain(`revoked bob (${BOB}) on connector tg`);
    expect((await runCli(['pair', 'revoke', String(BOB), '--config', config])).code).toBe(1);
    emulator.injectMessage('fourth from bob', { from: { id: BOB, first_name: 'Bob', username: 'bob' } });
    await until(() => codeSentTo(BOB).length === 2, 'a new code once the pairing was revoked');
    // The owner still passes; the next event the agent sees is theirs, not Bob's fourth.
    emulator.injectMessage('from the owner', {});
    expect(await nextEvent()).toMatchObject({ text: 'from the owner', provenance: { sender: 'owner' } });
    expect((await rejectedBy())['dm-not-paired']).toBe(3);
  }, 90_000);

  it('a button pressed by a user it was not issued to is refused and counted; its user gets through', async () => {
    await startRuntime();
    const client = await ControlClient.connect(join(tmp.dir, 'state'));
    let result: SendResult;
    try {
      result = await client.request<SendResult>('buttons', {
        connector: 'tg', conversation: String(GROUP), text: 'Deploy?', buttons: [{ id: 'deploy', label: 'Yes' }], allowedUsers: [String(OWNER)],
      });
    } finally {
      client.close();
    }
    const messageId = Number(result.messageIds.at(-1));
    const chat = { id: GROUP, type: 'supergroup' as const, title: 'ops' };
    emulator.injectCallback(messageId, 'deploy', { chat, from: { id: EVE, first_name: 'Eve' } });
    await until(async () => (await rejectedBy())['button-not-issued-to-sender'] === 1, 'Eve\'s press refused');
    emulator.injectCallback(messageId, 'deploy', { chat });
    const event = await nextEvent();
    expect(event).toMatchObject({ kind: 'action', action: { id: 'deploy' }, sender: { id: String(OWNER) }, provenance: { sender: 'owner' } });
    const status = JSON.parse((await runCli(['status', '--config', config, '--json'])).stdout).connectors[0];
    expect(status).toMatchObject({ eventsIn: 1, rejected: 1, rejectedBy: { 'button-not-issued-to-sender': 1 } });
    expect((await runCli(['status', '--config', config])).stdout).toContain('tg rejected: button-not-issued-to-sender 1');
  }, 60_000);

  it('audit: exit 0 for this config, 1 with a warning for dm: open, 2 for an invalid config', async () => {
    const clean = await runCli(['audit', '--config', config]);
    expect(clean.stdout).toContain('No warnings.');
    expect(clean.code).toBe(0);
    const open = writeTelegramConfig(tmp.dir, emulator.apiRoot, fakeBotToken(), { file: 'open', access: { dm: 'open', owners: [String(OWNER)] } });
    const warned = await runCli(['audit', '--config', open]);
    expect(warned.code).toBe(1);
    expect(warned.stdout).toMatch(/tg: access\.dm is open: anyone who can message the bot reaches the agent/);
    const json = JSON.parse((await runCli(['audit', '--config', open, '--json'])).stdout);
    expect(json.connectors[0]).toMatchObject({ name: 'tg', transport: 'outbound-socket', listeners: [], access: { dm: 'open', owners: 1 } });
    expect(json.warnings).toHaveLength(1);
    const bad = writeTelegramConfig(tmp.dir, emulator.apiRoot, fakeBotToken(), { file: 'bad', access: { dm: 'sometimes' as 'open' } });
    expect((await runCli(['audit', '--config', bad])).code).toBe(2);
  }, 60_000);
});
