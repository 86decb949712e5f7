/**
 * End to end through the real CLI: `switchboard run` against the loopback emulator, `status`,
 * `tail --json`, `send`, graceful SIGTERM, and no secret in any output.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackEmulator, type LoopbackEmulator } from '../../connectors/loopback/emulator.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import { runCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { writeLoopbackConfig } from '../helpers/loopback-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const TOKEN = 'lbtoken-e2e-9f8e7d6c5b4a';

describe('CLI end to end with the loopback connector', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: LoopbackEmulator;
  let config: string;
  let session: CliSession;

  beforeEach(async () => {
    tmp = makeTempDir('sb-e2e-');
    emulator = await startLoopbackEmulator({ token: TOKEN });
    config = writeLoopbackConfig(tmp.dir, emulator.endpoint, TOKEN);
    session = new CliSession();
  });

  afterEach(async () => {
    await session.kill();
    await emulator.close();
    tmp.cleanup();
  });

  const startRuntime = () => session.run(config);

  it('status without a runtime shows the plan and says not running (exit 2)', async () => {
    const r = await runCli(['status', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('not running');
    expect(r.stdout).toMatch(/lb\s+loopback\s+outbound socket\s+not running\s+none\s+none\s+socket auth/);
    const j = await runCli(['status', '--config', config, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ running: false, connectors: [{ name: 'lb', transport: 'outbound-socket', listeners: [] }] });
  });

  it('run → status online → a user message reaches tail --json → send reaches the platform → SIGTERM stops cleanly', async () => {
    const live = await startRuntime();
    const status = await runCli(['status', '--config', config, '--json']);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout);
    expect(view).toMatchObject({ running: true, healthy: true });
    expect(view.connectors[0]).toMatchObject({ name: 'lb', platform: 'loopback', transport: 'outbound-socket', state: 'online', listeners: [], verification: 'socket-auth' });

    emulator.injectMessage('hello from a chat user', { chat: { id: 'chat-42', type: 'dm' }, from: { id: 'u-1', name: 'Ada' } });
    const tail = await runCli(['tail', '--config', config, '--json', '--limit', '1']);
    expect(tail.code).toBe(0);
    const event = inboundEventSchema.parse(JSON.parse(tail.stdout.trim()));
    expect(event).toMatchObject({ connector: 'lb', kind: 'message', text: 'hello from a chat user', conversation: { id: 'chat-42', kind: 'dm' }, sender: { id: 'u-1', name: 'Ada' } });

    // tail acked it: the next tail under the same subscriber does not see it again.
    emulator.injectMessage('second');
    const tail2 = await runCli(['tail', '--config', config, '--json', '--limit', '1']);
    expect(JSON.parse(tail2.stdout.trim()).text).toBe('second');
    // --from replays from a given id regardless of the cursor.
    const replay = await runCli(['tail', '--config', config, '--json', '--limit', '1', '--from', event.id]);
    expect(JSON.parse(replay.stdout.trim()).id).toBe(event.id);

    const send = await runCli(['send', '--config', config, 'lb', 'chat-42', 'reply from the agent']);
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/sent: m\d+/);
    expect(emulator.sent.at(-1)).toMatchObject({ op: 'send', chat: 'chat-42', text: 'reply from the agent' });

    const human = await runCli(['status', '--config', config]);
    expect(human.stdout).toMatch(/lb\s+loopback\s+outbound socket\s+online \(\d+s ago\)\s+none\s+none\s+socket auth\s+2\s+0\s+\d+s ago/);

    const unknown = await runCli(['send', '--config', config, 'nope', 'chat-42', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no running connector named "nope"');

    live.child.kill('SIGTERM');
    expect(await live.exited).toBe(0);
    const after = await runCli(['status', '--config', config]);
    expect(after.code).toBe(2);

    for (const text of [live.stdout(), live.stderr(), status.stdout, tail.stdout, send.stdout, human.stdout, unknown.stderr]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it('reports degraded (exit 1) with the reason while the platform is unreachable', async () => {
    await startRuntime();
    await emulator.close();
    await until(async () => (await runCli(['status', '--config', config])).code === 1, 'degraded');
    const r = await runCli(['status', '--config', config]);
    expect(r.stdout).toContain('DEGRADED');
    expect(r.stdout).toMatch(/reconnecting/);
  });

  it('the control socket is a 0600 Unix socket inside a 0700 state dir', async () => {
    await startRuntime();
    const { statSync } = await import('node:fs');
    const sock = statSync(join(tmp.dir, 'state', 'control.sock'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, 'state')).mode & 0o777).toBe(0o700);
  });

  it('run with an invalid config prints file:line:col, exits 2 and starts nothing', async () => {
    const { writeFileSync, existsSync } = await import('node:fs');
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, `state_dir: ${join(tmp.dir, 'never')}\nconnectors:\n  lb:\n    platform: loopback\n    endpoint: "${emulator.endpoint}"\n    tokn: {env: X}\n`);
    const r = await runCli(['run', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:6:5: connectors\.lb.*did you mean "token"/);
    expect(existsSync(join(tmp.dir, 'never'))).toBe(false);
    expect(emulator.handshakes).toBe(0);
  });

  it('a second runtime on the same state dir is refused with a clear error (exit 2)', async () => {
    await startRuntime();
    const second = await runCli(['run', '--config', config]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('already running');
  });

  it('a rejected token is fatal: status failed with the reason, no restart loop, no token in any output', async () => {
    const bad = writeLoopbackConfig(tmp.dir, emulator.endpoint, 'lbtoken-wrong-0123456789');
    const runtime = session.start(['run', '--config', bad]);
    await until(async () => (await runCli(['status', '--config', bad])).stdout.includes('failed'), 'failed state', 15_000);
    const r = await runCli(['status', '--config', bad, '--json']);
    expect(r.code).toBe(1);
    const row = JSON.parse(r.stdout).connectors[0];
    expect(row).toMatchObject({ state: 'failed', restarts: 0 });
    expect(row.reason).toContain('unauthorized');
    await new Promise((res) => setTimeout(res, 500));
    expect(emulator.connections).toBe(0);
    expect(emulator.handshakes).toBe(1);
    runtime.child.kill('SIGINT');
    await runtime.exited;
    expect(runtime.stderr() + runtime.stdout() + r.stdout).not.toContain('lbtoken-wrong-0123456789');
  });
});
