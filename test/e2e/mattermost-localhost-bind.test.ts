/**
 * `callbacks.bind: localhost:<port>` end to end through the real CLI: config check accepts it, the
 * runtime brings the Mattermost connector online with its callback listener on 127.0.0.1 (the exact
 * address the plan declares), and a button click reaches the agent through it.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeMattermostToken, startMattermostEmulator, type MattermostEmulator } from '../../connectors/mattermost/emulator.js';
import { ControlClient } from '../../src/control/client.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeMattermostConfig } from '../helpers/mattermost-config.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('Mattermost callbacks bound to localhost', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: MattermostEmulator;
  let token: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-mml-');
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
