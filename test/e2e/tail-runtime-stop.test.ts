/**
 * `switchboard tail` when the runtime stops under it with acks in flight: it says so once, exits 1
 * (the documented code), and prints no stack trace; what it did not ack comes again next time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackEmulator, type LoopbackEmulator } from '../../connectors/loopback/emulator.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeLoopbackConfig } from '../helpers/loopback-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const TOKEN = 'lbtoken-tail-stop-1a2b3c4d';

describe('tail while the runtime stops', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: LoopbackEmulator;
  let session: CliSession;
  let tail: LiveCli | undefined;
  let feeding: NodeJS.Timeout | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-tail-');
    emulator = await startLoopbackEmulator({ token: TOKEN });
    session = new CliSession();
  });

  afterEach(async () => {
    clearInterval(feeding);
    await tail?.kill();
    await session.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it('SIGTERM to the runtime with events streaming: tail reports "the runtime stopped" once and exits 1, no stack trace', async () => {
    const config = writeLoopbackConfig(tmp.dir, emulator.endpoint, TOKEN);
    await session.run(config);
    tail = startCli(['tail', '--config', config, '--json']);
    // A steady stream, so tail is acking when the runtime goes away.
    // At most 500 injected ahead of what tail printed: the flood does not grow with a slow machine.
    let n = 0;
    const live = tail;
    const printed = () => live.stdout().split('\n').filter(Boolean).length;
    feeding = setInterval(() => {
      for (let i = 0; i < 20 && n - printed() < 500; i++) emulator.injectMessage(`event ${n++}`);
    }, 5);
    await until(() => printed() >= 50, 'tail printing events', 30_000);
    expect(await session.stop()).toBe(0);
    clearInterval(feeding);
    const code = await live.exited;
    expect(code, live.stderr()).toBe(1);
    expect(live.stderr(), 'no stack trace').not.toMatch(/file:\/\/|\n\s+at |Error/);
    expect(live.stderr()).toBe('switchboard: the runtime stopped; events not acked come again next time\n');
    for (const line of live.stdout().split('\n').filter(Boolean)) expect(() => JSON.parse(line) as unknown).not.toThrow();
  }, 60_000);
});
