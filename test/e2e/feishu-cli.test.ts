/**
 * End to end through the real CLI with the Feishu connector against its emulator: `status`
 * (outbound socket, no listener, socket-auth), `run`, `tail --json`, `send`, a wrong app secret
 * (fatal, no loop), an app id the SDK would ignore (refused by config check) — and the app secret in
 * no output at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeAppCredentials, startFeishuEmulator, type FeishuEmulator } from '../../connectors/feishu/emulator.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeFeishuConfig } from '../helpers/feishu-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

describe('CLI end to end with the Feishu connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: FeishuEmulator;
  let creds: { appId: string; appSecret: string };
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-fs-');
    creds = fakeAppCredentials();
    emulator = await startFeishuEmulator(creds);
    config = writeFeishuConfig(tmp.dir, emulator.domain, creds.appId, creds.appSecret);
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
    session.expectNoSecrets([creds.appSecret]);
  });

  const cli = (args: string[]) => session.cli(args);

  it('status without a runtime: outbound socket, listener none, socket-auth (exit 2)', async () => {
    const r = await cli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/fs\s+feishu\s+outbound socket\s+not running\s+none\s+none\s+socket auth/);
  });

  it('run → online → a user message reaches tail --json → send replies through the OpenAPI → SIGTERM', async () => {
    await session.run(config);
    expect(await session.statusRow(config)).toMatchObject({ name: 'fs', platform: 'feishu', transport: 'outbound-socket', state: 'online', listeners: [], verification: 'socket-auth' });
    expect((await cli(['status', '--config', config])).stdout).toMatch(/fs\s+feishu\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+socket auth/);

    const m = emulator.injectMessage('hello from Feishu', { fragments: 2 });
    const event = await session.tailOne(config);
    expect(event).toMatchObject({
      connector: 'fs', platform: 'feishu', kind: 'message', text: 'hello from Feishu', messageId: m.messageId, dedupKey: `fs:${m.eventId}`,
      conversation: { id: m.chatId, kind: 'dm' }, sender: { id: emulator.userOpenId, isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });
    await until(() => emulator.unacked() === 0, 'the frame ack');

    const send = await cli(['send', '--config', config, 'fs', m.chatId, 'reply from the agent', '--reply-to', m.messageId]);
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/sent: om_/);
    expect(emulator.sent.at(-1)).toMatchObject({ call: 'reply', chatId: m.chatId, replyTo: m.messageId, text: 'reply from the agent' });
    const plain = await cli(['send', '--config', config, 'fs', m.chatId, 'a new message']);
    expect(plain.code).toBe(0);
    expect(emulator.sent.at(-1)).toMatchObject({ call: 'create', chatId: m.chatId, text: 'a new message' });

    expect(await session.stop()).toBe(0);
  });

  it('a wrong app secret is fatal: status failed with the reason, no reconnect loop', async () => {
    const bad = writeFeishuConfig(tmp.dir, emulator.domain, creds.appId, 'Zz9' + creds.appSecret.slice(3), { file: 'bad' });
    const { code, row } = await session.runUntilFailed(bad);
    expect(code).toBe(1);
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toMatch(/endpoint refused the app .*check app_id, app_secret/);
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.endpointFetches()).toBe(1);
    await session.stop('SIGINT');
  });

  it('config check refuses an app id the SDK would silently ignore', async () => {
    const bad = writeFeishuConfig(tmp.dir, emulator.domain, 'cli_12345', creds.appSecret, { file: 'badid' });
    const r = await cli(['config', 'check', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/app_id.*silently does nothing/);
  });
});
