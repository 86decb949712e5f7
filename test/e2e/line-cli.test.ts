/**
 * End to end through the real CLI with the LINE connector against its emulator: `status` from config
 * (webhook, public via tunnel, signature), `run`, a signed delivery reaching `tail --json`, `send`
 * as a reply (reply token) and as a push, a forged delivery counted, a bad access token (fatal), the
 * sandbox — and neither secret in any output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort, startLineEmulator, type LineEmulator } from '../../connectors/line/emulator.js';
import type { LiveCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeLineConfig } from '../helpers/line-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const USER = 'U7a1b2c3d4e5f60718293a4b5c6d7e8f9';

describe('CLI end to end with the LINE connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: LineEmulator;
  let bind: string;
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-line-');
    emulator = await startLineEmulator({ redeliveryDelayMs: 100 });
    bind = `127.0.0.1:${await freeLoopbackPort()}`;
    config = writeLineConfig(tmp.dir, emulator, bind);
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
    session.expectNoSecrets([emulator.channelSecret, emulator.accessToken]);
  });

  const cli = (args: string[]) => session.cli(args);

  /** `run`, then point the emulator at the webhook URL that `status --json` shows. */
  async function startRuntime(): Promise<{ runtime: LiveCli; hook: string }> {
    const runtime = await session.run(config);
    const hook = (await session.statusRow(config)).listeners[0]!.publicUrl!;
    emulator.setWebhookUrl(hook);
    return { runtime, hook };
  }

  it('status without a runtime: webhook on loopback, public via tunnel, verified by signature (exit 2)', async () => {
    const r = await cli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`line\\s+line\\s+webhook\\s+not running\\s+${bind}\\s+public via tunnel http://${bind}\\s+signature`));
  });

  it('run → a signed message reaches tail --json → send replies by token, then pushes → status shows the listener and its counters', async () => {
    const { runtime, hook } = await startRuntime();
    expect(hook).toMatch(new RegExp(`^http://${bind}/hooks/whk_[0-9a-f]{32}$`));
    expect(await session.statusRow(config)).toMatchObject({
      name: 'line', platform: 'line', transport: 'webhook', verification: 'signature', state: 'online',
      listeners: [{ bind, exposure: 'public', publicUrl: hook, verification: 'signature', counters: { accepted: 0, rejected: 0 } }],
    });
    // The log says once where the listener is and that status shows the hook URL; the endpoint id itself is redacted.
    expect(runtime.stderr().split('\n').filter((l) => l.includes('LINE webhook listening') && l.includes(`http://${bind}/hooks/`))).toHaveLength(1);
    expect(runtime.stderr()).not.toContain(hook.split('/hooks/')[1]);

    const { event, delivery } = emulator.injectText('hello from LINE', { source: { type: 'user', userId: USER } });
    expect((await delivery).status).toBe(200);
    const bus = await session.tailOne(config);
    expect(bus).toMatchObject({
      connector: 'line', platform: 'line', kind: 'message', text: 'hello from LINE', messageId: event.message!.id,
      conversation: { id: USER, kind: 'dm' }, sender: { id: USER, isBot: false },
      provenance: { transport: 'webhook', verified: 'signature' },
    });
    expect(bus.dedupKey).toBe(`line:${event.webhookEventId}`);

    const reply = await cli(['send', '--config', config, 'line', USER, 'reply from the agent', '--reply-to', bus.messageId!]);
    expect(reply.code).toBe(0);
    expect(emulator.sent.at(-1)).toMatchObject({ api: 'reply', to: USER, messages: [{ type: 'text', text: 'reply from the agent' }] });
    const push = await cli(['send', '--config', config, 'line', USER, 'a push']);
    expect(push.code).toBe(0);
    expect(emulator.sent.at(-1)).toMatchObject({ api: 'push', to: USER, messages: [{ type: 'text', text: 'a push' }] });

    const forged = await emulator.injectText('forged', { sign: { secret: 'not-the-channel-secret' } }).delivery;
    expect(forged.status).toBe(401);
    const human = await cli(['status', '--config', config]);
    expect(human.stdout).toMatch(new RegExp(`line\\s+line\\s+webhook\\s+online \\(\\d+s ago\\)\\s+${bind}\\s+public via tunnel ${hook}\\s+signature`));
    expect(human.stdout).toMatch(/line listener 127\.0\.0\.1:\d+: 1 accepted, \d+ rejected \(bad-signature \d+\)/);

    expect(await session.stop()).toBe(0);
  });

  it('a rejected access token is fatal: status failed with the reason, and nothing listens', async () => {
    const bad = writeLineConfig(tmp.dir, { ...emulator, accessToken: 'revoked-token' }, bind, { file: 'bad' });
    const { row } = await session.runUntilFailed(bad);
    expect(row).toMatchObject({ state: 'failed', restarts: 0, listeners: [] });
    expect(row.reason).toMatch(/LINE rejected the channel access token \(getBotInfo: 401\)/);
    await expect(fetch(`http://${bind}/`)).rejects.toThrow();
  });

  it('in the sandbox, a line typed for LINE goes through the webhook to the echo agent and comes back as a reply', async () => {
    const runtime = session.start(['sandbox']);
    await until(() => runtime.stdout().includes('Type a message'), 'the sandbox prompt', 20_000);
    expect(runtime.stdout()).toMatch(/line-sandbox\s+line\s+webhook\s+online.*public via tunnel http:\/\/127\.0\.0\.1:\d+\/hooks\/whk_/);
    runtime.child.stdin!.write('line: hello sandbox\n');
    await until(() => /\[line\] bot → U\w+: echo: hello sandbox/.test(runtime.stdout()), 'the echo through LINE', 10_000);
    runtime.child.kill('SIGINT');
    await runtime.exited;
  });
});
