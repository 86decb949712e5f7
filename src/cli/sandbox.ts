/**
 * `switchboard sandbox` (what `npm start` runs): every platform emulator on loopback, a runtime
 * connected to them, and a built-in echo agent — try everything with no tokens and no network.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { registry } from '../../connectors/registry.js';
import { loadRedactPatterns } from '../config/connector-schemas.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log/logger.js';
import type { SandboxPlatform } from '../registry-types.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { startEchoAgent } from '../agent/echo.js';
import { EXIT, reportError } from './common.js';
import { readStatus, renderStatus } from './status.js';

export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('start emulated platforms on loopback, the runtime connected to them and an echo agent; type a line to chat')
    .option('--json', 'print the emulator endpoints and config path as JSON, then run until SIGINT')
    .option('--keep', 'keep the temporary state directory on exit (for a look at the journal and log)')
    .action(async (opts: { json?: boolean; keep?: boolean }) => {
      const dir = await mkdtemp(join(tmpdir(), 'switchboard-sandbox-'));
      const platforms = new Map<string, SandboxPlatform>();
      let runtime: Runtime | undefined;
      let closeLog = () => undefined as void;
      const shutdown = async (code: number) => {
        await runtime?.stop().catch(() => undefined);
        for (const p of platforms.values()) await p.close().catch(() => undefined);
        closeLog();
        if (!opts.keep) await rm(dir, { recursive: true, force: true });
        process.exit(code);
      };
      try {
        // Token shapes first: an emulator failing to start is reported before any config is loaded.
        await loadRedactPatterns();
        for (const [platform, entry] of Object.entries(registry)) {
          platforms.set(platform, await (await entry.emulator()).startSandbox());
        }
        const file = await writeSandboxConfig(dir, platforms);
        const config = await loadConfig(file);
        const logger = createLogger({ level: 'info', secrets: config.secretValues, file: join(dir, 'switchboard.log') });
        closeLog = logger.close;
        runtime = await startRuntime(config, { log: logger.log });
        // In the background: --json prints the endpoints at once; the table below waits for it.
        const attached = attachPlatforms(runtime, platforms);
        const echo = startEchoAgent(runtime);
        process.once('SIGINT', () => void echo.close().then(() => shutdown(EXIT.ok)));
        process.once('SIGTERM', () => void echo.close().then(() => shutdown(EXIT.ok)));
        if (opts.json) {
          const endpoints = Object.fromEntries([...platforms].map(([name, p]) => [name, p.endpoints]));
          process.stdout.write(JSON.stringify({ dir, config: file, stateDir: config.stateDir, controlSocket: runtime.controlPath, log: join(dir, 'switchboard.log'), platforms: endpoints }) + '\n');
          return;
        }
        await waitOnline(runtime);
        await attached;
        process.stdout.write(renderStatus(await readStatus(config)));
        process.stdout.write(
          `\nSandbox config: ${file}  (try: switchboard status --config ${file})\n` +
            `Type a message and press Enter to send it as a chat user (prefix "platform: " to pick one of ${[...platforms.keys()].join(', ')}). Ctrl-C quits.\n`,
        );
        for (const [name, p] of platforms) p.onBotMessage((m) => process.stdout.write(`[${name}] bot → ${m.conversation}: ${m.text}\n`));
        const rl = createInterface({ input: process.stdin });
        rl.on('line', (line) => {
          const m = /^([a-z0-9_-]+):\s*(.*)$/.exec(line);
          const target = m && platforms.has(m[1]!) ? m[1]! : [...platforms.keys()][0]!;
          const text = m && platforms.has(m[1]!) ? m[2]! : line;
          if (!text.trim()) return;
          const conversation = platforms.get(target)!.injectText(text);
          process.stdout.write(`[${target}] you → ${conversation}: ${text}\n`);
        });
        rl.on('close', () => void echo.close().then(() => shutdown(EXIT.ok)));
      } catch (err) {
        reportError(err);
        await shutdown(EXIT.invalid);
      }
    });
}

/** Write the sandbox config: config/sandbox.yaml's settings plus one block per emulator, secrets as 0600 files. */
async function writeSandboxConfig(dir: string, platforms: Map<string, SandboxPlatform>): Promise<string> {
  await mkdir(join(dir, 'secrets'), { mode: 0o700 });
  const connectors: Record<string, unknown> = {};
  for (const [name, p] of platforms) {
    const block: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(p.block)) {
      const env = (value as { env?: unknown } | null)?.env;
      if (typeof env === 'string' && env in p.env) {
        const path = join(dir, 'secrets', env);
        await writeFile(path, p.env[env]!, { mode: 0o600 });
        block[key] = { file: path };
      } else {
        block[key] = value;
      }
    }
    // Everyone is let in, spelled out (open is never a default): every platform here is an emulator on
    // loopback, and the only person on it is you, typing into this terminal.
    block.access ??= { dm: 'open', groups: ['*'] };
    connectors[`${name}-sandbox`] = block;
  }
  const file = join(dir, 'sandbox.yaml');
  await writeFile(file, stringify({ state_dir: join(dir, 'state'), log: { level: 'info' }, connectors }), { mode: 0o600 });
  return file;
}

/** Tell the emulators of webhook platforms where the runtime's listeners are, once they listen. */
async function attachPlatforms(runtime: Runtime, platforms: Map<string, SandboxPlatform>): Promise<void> {
  if (![...platforms.values()].some((p) => p.attach)) return;
  await waitOnline(runtime);
  const reports = runtime.supervisor.report();
  for (const [name, p] of platforms) p.attach?.(reports.find((r) => r.name === `${name}-sandbox`)?.listeners ?? []);
}

async function waitOnline(runtime: Runtime, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (runtime.supervisor.report().every((c) => c.state === 'online' || c.state === 'disabled')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
