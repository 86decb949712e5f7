/**
 * Idle RSS for the Telegram benchmark, each in its own child process, read from /proc/<pid>/status:
 * bare Node; bare Node with only grammY imported (the SDK baseline); grammY plus the Telegram
 * connector alone, long-polling (its own cost); `switchboard run` with one Telegram connector
 * long-polling (what a user runs); and `switchboard run` with only the loopback connector (the core
 * runtime with no SDK, for context). No traffic. A preloaded probe lists the Telegram runtime's loaded
 * CommonJS packages at the end, to show that discord.js was never loaded.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLoopbackEmulator } from '../connectors/loopback/emulator.js';
import { fakeBotToken, startTelegramEmulator } from '../connectors/telegram/emulator.js';
import { BIN, KEEP_ALIVE, MODULE_PROBE, ROOT, RssScratch, freshAndSettled, waitForFile, waitOnline } from './rss.js';

/** One measured process. */
export interface RssRow {
  key: 'node' | 'grammy' | 'connector' | 'runtime' | 'core';
  name: string;
  /** 3 s after start (the runtime: 3 s after it is online). */
  freshKb: number;
  /**
   * The lowest of the samples taken every 5 s over `settleMs` of idling: once V8's memory reducer has
   * run (it waits for a quiet spell, ~30 s). One sample at a fixed time gave 71-81 MB for the same
   * runtime, depending on whether the reducer had run yet; a forced `gc()` does not return the pages.
   */
  settledKb: number;
  note?: string;
}

/**
 * Start the processes side by side (idle processes do not compete for the CPU), let the runtimes come
 * online, sample each 3 s later, then every 5 s for `settleMs`, keeping each one's lowest.
 */
export async function measureIdleRss(settleMs = 60_000): Promise<RssRow[]> {
  // One emulator per poller: two pollers on one token would fight (409) instead of idling.
  const tokens = [fakeBotToken(), fakeBotToken()] as const;
  const emulators = await Promise.all(tokens.map((token) => startTelegramEmulator({ token })));
  const loopback = await startLoopbackEmulator({ token: 'bench-loopback-token' });
  const scratch = new RssScratch('sb-bench-rss-');
  const { dir } = scratch;
  try {
    const tgToken = scratch.file('tg.token', tokens[0], 0o600);
    const probe = scratch.file('probe.cjs', MODULE_PROBE);
    const tgConfig = scratch.file('tg.yaml', `state_dir: ${join(dir, 'tg-state')}\nlog:\n  level: warn\nconnectors:\n  tg:\n    platform: telegram\n    token: {file: ${tgToken}}\n    api_root: "${emulators[0]!.apiRoot}"\n`);
    const lbConfig = scratch.loopbackConfig(loopback.endpoint, 'bench-loopback-token');
    const connectorOnly = scratch.file('connector-only.mjs', connectorScript(tokens[1], emulators[1]!.apiRoot));
    const rows: { key: RssRow['key']; name: string; child: ChildProcess }[] = [
      { key: 'node', name: 'bare node', child: scratch.node(['-e', KEEP_ALIVE]) },
      { key: 'grammy', name: 'bare node + grammY imported', child: scratch.node(['-e', `import('grammy').then(() => { ${KEEP_ALIVE}; })`]) },
      { key: 'connector', name: 'grammY + telegram connector, polling (no runtime)', child: scratch.node([connectorOnly]) },
      { key: 'runtime', name: 'switchboard run, telegram connector idle', child: scratch.node(['--require', probe, BIN, 'run', '--config', tgConfig], { SB_PROBE_OUT: join(dir, 'modules.json') }) },
      { key: 'core', name: 'switchboard run, loopback only (no SDK)', child: scratch.node([BIN, 'run', '--config', lbConfig]) },
    ];
    await Promise.all([waitOnline(join(dir, 'tg-state'), rows[3]!.child), waitOnline(join(dir, 'lb-state'), rows[4]!.child)]);
    const { fresh, settled } = await freshAndSettled(rows.map((r) => r.child), settleMs);
    rows[3]!.child.kill('SIGUSR2');
    const modules = await waitForFile(join(dir, 'modules.json'));
    const loaded = (pkg: string) => modules.some((m) => m.includes(`/node_modules/${pkg}/`));
    const note = `grammY ${loaded('grammy') ? 'loaded' : 'NOT loaded'}, discord.js ${loaded('discord.js') ? 'LOADED' : 'not loaded'}`;
    return rows.map((r, i) => ({ key: r.key, name: r.name, freshKb: fresh[i]!, settledKb: settled[i]!, ...(r.key === 'runtime' ? { note } : {}) }));
  } finally {
    scratch.close();
    await Promise.all([...emulators.map((e) => e.close()), loopback.close()]);
  }
}

/** An ES module that starts the Telegram connector alone against `apiRoot` and idles. */
function connectorScript(token: string, apiRoot: string): string {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, 'dist', path)).href);
  return [
    `import { TelegramConnector } from ${dist('connectors/telegram/connector.js')};`,
    `import { Secret } from ${dist('src/config/secret.js')};`,
    `import { StateTracker } from ${dist('src/connector.js')};`,
    `import { silentLogger } from ${dist('src/log/logger.js')};`,
    'const clock = { now: Date.now };',
    'const log = silentLogger();',
    `const c = new TelegramConnector({ token: new Secret(${JSON.stringify(token)}, 'bench'), api_root: ${JSON.stringify(apiRoot)} }, { name: 'tg', log, clock, stateDir: '.', state: new StateTracker(clock) });`,
    "await c.start({ log, clock, ingest: async () => ({ status: 'duplicate' }), reject() {}, fail(err) { throw err; } }, new AbortController().signal);",
    KEEP_ALIVE,
    '',
  ].join('\n');
}
