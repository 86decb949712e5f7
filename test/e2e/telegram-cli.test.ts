/**
 * End to end through the real CLI with the Telegram connector against its emulator: `run`, `status`
 * (outbound socket, no listener, verified by token), `tail --json`, `send`, a bad token (fatal), a
 * second poller (409 in status), the sandbox — and the token in no output at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeTelegramConfig } from '../helpers/telegram-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('CLI end to end with the Telegram connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: TelegramEmulator;
  let token: string;
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-tg-');
    token = fakeBotToken();
    emulator = await startTelegramEmulator({ token });
    config = writeTelegramConfig(tmp.dir, emulator.apiRoot, token);
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
    // Whatever happened, the token never reached a terminal or a log line.
    session.expectNoSecrets([token, token.split(':')[1]!]);
  });

  const cli = (args: string[]) => session.cli(args);

  it('status without a runtime: outbound socket, listener none, verified by token (exit 2)', async () => {
    const r = await cli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/tg\s+telegram\s+outbound socket\s+not running\s+none\s+none\s+token/);
  });

  it('run → status online → a user message reaches tail --json → send reaches Telegram → SIGTERM', async () => {
    await session.run(config);
    expect(await session.statusRow(config)).toMatchObject({ name: 'tg', platform: 'telegram', transport: 'outbound-socket', state: 'online', listeners: [], verification: 'token' });
    const human = await cli(['status', '--config', config]);
    expect(human.stdout).toMatch(/tg\s+telegram\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+token/);

    const m = emulator.injectMessage('hello from Telegram', { chat: { id: 5120934881, type: 'private' }, from: { id: 5120934881, first_name: 'Ada', username: 'ada_l' } });
    const event = await session.tailOne(config);
    expect(event).toMatchObject({
      connector: 'tg', platform: 'telegram', kind: 'message', text: 'hello from Telegram', messageId: String(m.message_id),
      conversation: { id: '5120934881', kind: 'dm' }, sender: { id: '5120934881', username: 'ada_l', isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'token', sender: 'unknown' },
    });
    expect(event.dedupKey).toMatch(/^tg:u\d+$/);

    const send = await cli(['send', '--config', config, 'tg', '5120934881', 'reply from the agent', '--reply-to', event.messageId!]);
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/sent: \d+/);
    expect(emulator.sent.at(-1)).toMatchObject({ method: 'sendMessage', chat_id: '5120934881', text: 'reply from the agent', reply_to: m.message_id });

    expect(await session.stop()).toBe(0);
    expect(emulator.calls.some((c) => c.method === 'setWebhook')).toBe(false);
    // The graceful stop confirmed what was journaled: nothing waits to be delivered again.
    expect(emulator.pending()).toBe(0);
  });

  it('a rejected token is fatal: status failed with the reason, no restart loop', async () => {
    const bad = writeTelegramConfig(tmp.dir, emulator.apiRoot, fakeBotToken(), { file: 'bad' });
    const { code, row } = await session.runUntilFailed(bad);
    expect(code).toBe(1);
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toMatch(/rejected the bot token \(getMe: 401 Unauthorized\)/);
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.count('getMe')).toBe(1);
    expect(emulator.count('getUpdates')).toBe(0);
    await session.stop('SIGINT');
  });

  it('a second poller on the token (409) shows in status with what to do, and in the log once', async () => {
    const runtime = await session.run(config);
    const other = new AbortController();
    const poll = async () => {
      while (!other.signal.aborted) {
        await fetch(`${emulator.apiRoot}/bot${token}/getUpdates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"timeout":1,"limit":7}', signal: other.signal })
          .then((r) => r.text())
          .catch(() => undefined);
      }
    };
    const loop = poll();
    try {
      await until(async () => (await cli(['status', '--config', config])).code === 1, 'degraded', 10_000);
      const r = await cli(['status', '--config', config]);
      expect(r.stdout).toMatch(/tg\s+telegram\s+outbound socket\s+reconnecting/);
      expect(r.stdout).toContain('tg: another getUpdates poller is using this token (Telegram 409 Conflict)');
      const warns = runtime.stderr().split('\n').filter((l) => l.includes('"level":"warn"') && l.includes('another getUpdates poller'));
      expect(warns).toHaveLength(1);
    } finally {
      other.abort();
      await loop;
    }
  });

  it('switchboard sandbox runs the Telegram emulator, and status shows it outbound with no listener', async () => {
    const runtime = session.start(['sandbox', '--json']);
    await until(() => runtime.stdout().includes('\n'), 'the sandbox JSON line', 15_000);
    const info = JSON.parse(runtime.stdout().split('\n')[0]!) as { config: string; platforms: Record<string, Record<string, string>> };
    expect(info.platforms.telegram?.api_root).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await until(async () => /telegram-sandbox\s+telegram\s+outbound socket\s+online/.test((await cli(['status', '--config', info.config])).stdout), 'telegram online in the sandbox', 15_000);
    const r = await cli(['status', '--config', info.config]);
    expect(r.stdout).toMatch(/telegram-sandbox\s+telegram\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+token/);
    runtime.child.kill('SIGINT');
    await runtime.exited;
  });

  it('in the sandbox, a line typed for telegram reaches the echo agent and its answer comes back through the Bot API', async () => {
    const runtime = session.start(['sandbox']);
    await until(() => runtime.stdout().includes('Type a message'), 'the sandbox prompt', 20_000);
    runtime.child.stdin!.write('telegram: hello sandbox\n');
    await until(() => runtime.stdout().includes('[telegram] bot → 4242: echo: hello sandbox'), 'the echo through Telegram', 10_000);
    expect(runtime.stdout()).toMatch(/telegram-sandbox\s+telegram\s+outbound socket\s+online/);
    runtime.child.kill('SIGINT');
    await runtime.exited;
  });
});
