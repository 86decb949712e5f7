/** `npm start` runs `switchboard sandbox`: it must reach the status table and answer through the echo agent. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../../src/agent/client.js';
import { registry } from '../../connectors/registry.js';
import { startCli } from '../helpers/cli.js';
import { until } from '../helpers/tmp.js';

describe('switchboard sandbox', () => {
  it('is what npm start runs', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node bin/switchboard.js sandbox');
  });

  it('shows every platform online in the status table and echoes a typed message, on the platform picked by its prefix', async () => {
    const sandbox = startCli(['sandbox']);
    try {
      await until(() => sandbox.stdout().includes('Type a message'), 'the status table and prompt', 30_000);
      const out = sandbox.stdout();
      expect(out).toContain('switchboard is running');
      for (const platform of Object.keys(registry)) {
        expect(out).toMatch(new RegExp(`${platform}-sandbox\\s+${platform}\\s+(?:outbound socket|webhook)\\s+online`));
      }
      sandbox.child.stdin!.write('hello sandbox\n');
      await until(() => sandbox.stdout().includes('echo: hello sandbox'), 'the echo reply', 15_000);
      for (const platform of Object.keys(registry)) {
        sandbox.child.stdin!.write(`${platform}: hi ${platform}\n`);
        await until(() => new RegExp(`\\[${platform}\\] bot → [^\\n]*echo: hi ${platform}\\n`).test(sandbox.stdout()), `the echo reply on ${platform}`, 15_000);
      }
      sandbox.child.kill('SIGINT');
      expect(await sandbox.exited).toBe(0);
    } finally {
      await sandbox.kill();
    }
  }, 120_000);

  it('--json prints the endpoints and exits cleanly on SIGINT', async () => {
    const sandbox = startCli(['sandbox', '--json']);
    try {
      await until(() => sandbox.stdout().includes('\n'), 'the JSON line', 30_000);
      const info = JSON.parse(sandbox.stdout().split('\n')[0]!);
      expect(Object.keys(info.platforms).sort()).toEqual(Object.keys(registry).sort());
      expect(info.controlSocket).toBe(join(info.stateDir, 'control.sock'));
      expect(existsSync(info.config) && existsSync(info.log)).toBe(true);
      // A script can reach the runtime from what --json printed.
      const client = await AgentClient.connect(info.stateDir);
      try {
        const sent = await client.send({ connector: 'loopback-sandbox', conversation: 'sandbox-chat', text: 'from a script' });
        expect(sent.messageIds).toHaveLength(1);
      } finally {
        client.close();
      }
      sandbox.child.kill('SIGINT');
      expect(await sandbox.exited).toBe(0);
    } finally {
      await sandbox.kill();
    }
  }, 120_000);
});
