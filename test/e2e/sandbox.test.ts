/** `npm start` runs `switchboard sandbox`: it must reach the status table and answer through the echo agent. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../connectors/registry.js';
import { startCli } from '../helpers/cli.js';
import { until } from '../helpers/tmp.js';

describe('switchboard sandbox', () => {
  it('shows every platform online in the status table and echoes a typed message', async () => {
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
      sandbox.child.kill('SIGINT');
      expect(await sandbox.exited).toBe(0);
    } finally {
      await sandbox.kill();
    }
  });

  it('--json prints the endpoints and exits cleanly on SIGINT', async () => {
    const sandbox = startCli(['sandbox', '--json']);
    try {
      await until(() => sandbox.stdout().includes('\n'), 'the JSON line', 30_000);
      const info = JSON.parse(sandbox.stdout().split('\n')[0]!);
      expect(Object.keys(info.platforms).sort()).toEqual(Object.keys(registry).sort());
      expect(info.controlSocket).toMatch(/control\.sock$/);
      sandbox.child.kill('SIGINT');
      expect(await sandbox.exited).toBe(0);
    } finally {
      await sandbox.kill();
    }
  });
});
