/**
 * End to end through the real CLI with the Slack connector against its emulator: `run`, `status`
 * (outbound socket, no listener, socket-auth), `tail --json`, `send` into a thread, a revoked bot
 * token (fatal), the sandbox — and neither token in any output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeSlackTokens, startSlackEmulator, type SlackEmulator } from '../../connectors/slack/emulator.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeSlackConfig } from '../helpers/slack-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('CLI end to end with the Slack connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: SlackEmulator;
  let tokens: { appToken: string; botToken: string };
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-sl-');
    tokens = fakeSlackTokens();
    emulator = await startSlackEmulator(tokens);
    config = writeSlackConfig(tmp.dir, emulator.apiUrl, tokens);
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
    session.expectNoSecrets([tokens.appToken, tokens.botToken, tokens.appToken.split('-').at(-1)!]);
  });

  const cli = (args: string[]) => session.cli(args);

  it('status without a runtime: outbound socket, listener none, socket-auth (exit 2)', async () => {
    const r = await cli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/sl\s+slack\s+outbound socket\s+not running\s+none\s+none\s+socket auth/);
  });

  it('run → status online → a message reaches tail --json → send replies in its thread → SIGTERM', async () => {
    await session.run(config);
    expect(await session.statusRow(config)).toMatchObject({ name: 'sl', platform: 'slack', transport: 'outbound-socket', state: 'online', listeners: [], verification: 'socket-auth' });
    expect((await cli(['status', '--config', config])).stdout).toMatch(/sl\s+slack\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+socket auth/);

    const m = emulator.injectMessage('hello from Slack', { channel: 'C0GENERAL', user: 'U0ADA' });
    const event = await session.tailOne(config);
    expect(event).toMatchObject({
      connector: 'sl', platform: 'slack', kind: 'message', text: 'hello from Slack', messageId: m.ts,
      conversation: { id: 'C0GENERAL', kind: 'channel' }, sender: { id: 'U0ADA', isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });
    expect(event.dedupKey).toMatch(/^sl:Ev\d+$/);
    expect(emulator.unacked()).toBe(0);

    const send = await cli(['send', '--config', config, 'sl', 'C0GENERAL', 'reply from the agent', '--reply-to', m.ts]);
    expect(send.code).toBe(0);
    expect(emulator.sent.at(-1)).toMatchObject({ method: 'chat.postMessage', channel: 'C0GENERAL', text: 'reply from the agent', thread_ts: m.ts });

    expect(await session.stop()).toBe(0);
    expect(emulator.openSockets()).toBe(0);
    expect(emulator.maxConcurrentSockets()).toBe(1);
  });

  it('a rejected bot token is fatal: status failed with the reason, no socket, no restart loop', async () => {
    const bad = writeSlackConfig(tmp.dir, emulator.apiUrl, { appToken: tokens.appToken, botToken: fakeSlackTokens().botToken }, { file: 'bad' });
    const { code, row } = await session.runUntilFailed(bad);
    expect(code).toBe(1);
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toMatch(/rejected the bot_token \(auth\.test: invalid_auth\)/);
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.count('auth.test')).toBe(1);
    expect(emulator.connections()).toBe(0);
    await session.stop('SIGINT');
  });

  it('in the sandbox, slack is outbound with no listener, and a typed line comes back through chat.postMessage', async () => {
    const runtime = session.start(['sandbox']);
    await until(() => runtime.stdout().includes('Type a message'), 'the sandbox prompt', 20_000);
    expect(runtime.stdout()).toMatch(/slack-sandbox\s+slack\s+outbound socket\s+online/);
    runtime.child.stdin!.write('slack: hello sandbox\n');
    await until(() => runtime.stdout().includes('[slack] bot → C0EMULATOR'), 'the echo through Slack', 10_000);
    expect(runtime.stdout()).toMatch(/\[slack\] bot → C0EMULATOR[^\n]*echo: hello sandbox/);
    runtime.child.kill('SIGINT');
    await runtime.exited;
  });
});
