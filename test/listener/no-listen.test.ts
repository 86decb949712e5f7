/**
 * Dial out only: `switchboard run` with only outbound connectors holds no listening TCP socket
 * (checked in /proc against the real process), while the inspection does see a listener when one exists.
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackEmulator, type LoopbackEmulator } from '../../connectors/loopback/emulator.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeLoopbackConfig } from '../helpers/loopback-config.js';
import { listeningSockets } from '../helpers/sockets.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const TOKEN = 'lbtoken-nolisten-1a2b3c4d';

describe('no listening socket without a webhook connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: LoopbackEmulator;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-nl-');
    emulator = await startLoopbackEmulator({ token: TOKEN });
  });
  afterEach(async () => {
    await runtime?.kill();
    runtime = undefined;
    await emulator.close();
    tmp.cleanup();
  });

  it('the /proc inspection sees a listener in a process that has one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(listeningSockets(process.pid).map((s) => s.port)).toContain(port);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(listeningSockets(process.pid).map((s) => s.port)).not.toContain(port);
  });

  it('switchboard run with an outbound-only connector listens on no TCP port', async () => {
    const config = writeLoopbackConfig(tmp.dir, emulator.endpoint, TOKEN);
    runtime = startCli(['run', '--config', config]);
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'the runtime to report healthy', 15_000);
    expect(runtime.child.pid).toBeGreaterThan(0);
    expect(listeningSockets(runtime.child.pid!)).toEqual([]);
  });
});
