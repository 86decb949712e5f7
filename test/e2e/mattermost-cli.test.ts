/**
 * End to end through the real CLI with the Mattermost connector against its emulator: `status` from
 * config (outbound socket with a loopback callback listener), `run`, a DM reaching `tail --json`,
 * `send` into a thread, a button click through the listener (status shows its counters), a refused
 * token (fatal, no reconnect loop), `callbacks.bind: localhost:0` — and the token in no output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeMattermostToken, startMattermostEmulator, type MattermostEmulator } from '../../connectors/mattermost/emulator.js';
import { ControlClient } from '../../src/control/client.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeMattermostConfig } from '../helpers/mattermost-config.js';
import { makeTempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';

describe('CLI end to end with the Mattermost connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: MattermostEmulator;
  let token: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-mme-');
    token = fakeMattermostToken();
    emulator = await startMattermostEmulator({ token });
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
    session.expectNoSecrets([token]);
  });

  const cli = (args: string[]) => session.cli(args);

  it('run → status with the listener line → a DM reaches tail --json → send in a thread → a button click → SIGTERM', async () => {
    const port = await freePort();
    const config = writeMattermostConfig(tmp.dir, emulator.url, token, { callbacks: `127.0.0.1:${port}` });
    const plan = await cli(['status', '--config', config]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(new RegExp(`mm\\s+mattermost\\s+outbound socket\\s+not running\\s+127\\.0\\.0\\.1:${port}\\s+loopback\\s+socket auth`));

    await session.run(config);
    expect(await session.statusRow(config)).toMatchObject({
      name: 'mm', platform: 'mattermost', transport: 'outbound-socket', state: 'online', verification: 'socket-auth',
      listeners: [{ bind: `127.0.0.1:${port}`, exposure: 'loopback', verification: 'token', counters: { accepted: 0, rejected: 0 } }],
    });

    const { world } = emulator;
    const root = emulator.injectPost('hello from Mattermost', { channel: 'town' });
    const event = await session.tailOne(config);
    expect(event).toMatchObject({
      connector: 'mm', platform: 'mattermost', kind: 'message', text: 'hello from Mattermost', messageId: root.id, dedupKey: `mm:${root.id}`,
      conversation: { id: world.channels.town.id, kind: 'channel' }, sender: { id: world.alice.id, username: 'alice', isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth' },
    });

    const send = await cli(['send', '--config', config, 'mm', world.channels.town.id, 'reply from the agent', '--reply-to', root.id]);
    expect(send.code).toBe(0);
    expect(emulator.botPosts().at(-1)).toMatchObject({ channel_id: world.channels.town.id, root_id: root.id, message: 'reply from the agent' });

    const client = await ControlClient.connect(join(tmp.dir, 'state'));
    try {
      await client.request('buttons', { connector: 'mm', conversation: world.channels.dm.id, text: 'Ship it?', buttons: [{ id: 'yes', label: 'Yes' }], allowedUsers: [world.alice.id] });
    } finally {
      client.close();
    }
    const buttons = emulator.botPosts().at(-1)!;
    expect((await emulator.clickButton(buttons.id, 'yes', world.bob)).status).toBe(403);
    expect((await emulator.clickButton(buttons.id, 'yes', world.alice)).status).toBe(200);
    const human = await cli(['status', '--config', config]);
    expect(human.stdout).toMatch(new RegExp(`mm listener 127\\.0\\.0\\.1:${port}: 1 accepted, 1 rejected \\(user-not-allowed 1\\)`));
    // The next event after the message: the one accepted click (the refused one never reached the journal).
    expect(await session.tailOne(config)).toMatchObject({ kind: 'action', action: { id: 'yes' }, sender: { id: world.alice.id }, provenance: { transport: 'webhook', verified: 'token' } });

    expect(await session.stop()).toBe(0);
    expect(emulator.socketStats().open).toBe(0);
    expect(emulator.socketStats().maxConcurrent).toBe(1);
  }, 60_000);

  it('a refused token is fatal: status failed with the reason, no reconnect loop', async () => {
    const config = writeMattermostConfig(tmp.dir, emulator.url, fakeMattermostToken(), { file: 'bad' });
    const { code, row } = await session.runUntilFailed(config);
    expect(code).toBe(1);
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toMatch(/refused the bot token \(GET \/users\/me: HTTP 401\)/);
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.requests.filter((x) => x === 'GET /api/v4/users/me')).toHaveLength(1);
    expect(emulator.socketStats().connections).toBe(0);
    await session.stop('SIGINT');
  }, 30_000);

  it('config check refuses a public callback bind, naming why and what to write', async () => {
    const config = writeMattermostConfig(tmp.dir, emulator.url, token, { file: 'public', callbacks: '0.0.0.0:8787' });
    const r = await cli(['config', 'check', config]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/callbacks\.bind: 0\.0\.0\.0:8787 is a public address: Mattermost does not sign button callbacks/);
  });

  it('audit warns when a public server could not reach the loopback callback listener', async () => {
    const config = writeMattermostConfig(tmp.dir, 'https://mattermost.example.com', token, { file: 'remote', callbacks: '127.0.0.1:8787' });
    const r = await cli(['audit', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/mm\s+mattermost\s+outbound-socket\s+127\.0\.0\.1:8787 \(loopback\)/);
    expect(r.stdout).toMatch(/mm: callbacks: the Mattermost server mattermost\.example\.com looks public.*cannot reach it/);
  });

  // callbacks.bind: localhost:<port>: config check accepts it, the listener is on 127.0.0.1 (the exact
  // address the plan declares), and a button click reaches the agent through it.
  it('config check passes, the connector comes online with its listener on 127.0.0.1, and a click arrives', async () => {
    const config = writeMattermostConfig(tmp.dir, emulator.url, token, { callbacks: 'localhost:0' });
    const checked = await session.cli(['config', 'check', config]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);

    await session.run(config);
    expect(await session.statusRow(config)).toMatchObject({
      name: 'mm', state: 'online',
      listeners: [{ bind: expect.stringMatching(/^127\.0\.0\.1:[1-9]\d*$/), exposure: 'loopback', verification: 'token' }],
    });

    const { world } = emulator;
    const client = await ControlClient.connect(join(tmp.dir, 'state'));
    try {
      await client.request('buttons', { connector: 'mm', conversation: world.channels.dm.id, text: 'Ship it?', buttons: [{ id: 'yes', label: 'Yes' }], allowedUsers: [world.alice.id] });
    } finally {
      client.close();
    }
    const posted = emulator.botPosts().at(-1)!;
    expect((await emulator.clickButton(posted.id, 'yes', world.alice)).status).toBe(200);
    expect(await session.tailOne(config)).toMatchObject({ kind: 'action', action: { id: 'yes' }, sender: { id: world.alice.id }, provenance: { transport: 'webhook', verified: 'token' } });
    expect((await session.statusRow(config)).state).toBe('online');
    expect(await session.stop()).toBe(0);
  }, 60_000);
});
