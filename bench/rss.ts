/**
 * Shared pieces of the idle-RSS benchmarks (telegram-rss.ts, slack.ts): child processes measured side
 * by side, VmRSS read from /proc/<pid>/status, a runtime waited for through its control socket, and a
 * preloadable probe that lists the CommonJS modules a process has loaded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient } from '../src/control/client.js';
import type { RuntimeStatus } from '../src/control/protocol.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/switchboard.js');
/** Keeps an otherwise empty Node process alive. */
export const KEEP_ALIVE = 'setInterval(() => {}, 1 << 30)';
/**
 * Preload with `--require`: on SIGUSR2 the process writes the list of every CommonJS module it has
 * loaded to `$SB_PROBE_OUT` (the chat SDKs are CommonJS). Read it back with `waitForFile`.
 */
export const MODULE_PROBE = "process.on('SIGUSR2', () => require('fs').writeFileSync(process.env.SB_PROBE_OUT, JSON.stringify(Object.keys(require.cache))));\n";

/** The median of five VmRSS samples 200 ms apart (kB). */
export async function sampleRss(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) throw new Error(`a measured process exited early (${child.exitCode})`);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(vmRss(child.pid!));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

export function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** Wait until the runtime whose state dir is `stateDir` reports its first connector online (15 s). */
export async function waitOnline(stateDir: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`switchboard run exited (${child.exitCode}): ${stderr}`);
    try {
      const client = await ControlClient.connect(stateDir);
      try {
        const s = await client.request<RuntimeStatus>('status');
        if (s.connectors[0]?.state === 'online') return;
      } finally {
        client.close();
      }
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`the runtime in ${stateDir} did not come online: ${stderr}`);
}

/** The module list a `MODULE_PROBE` wrote to `path` (5 s). */
export async function waitForFile(path: string): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as string[];
    } catch {
      await sleep(100);
    }
  }
  throw new Error('the module probe did not answer');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * RSS of every child, KB: `fresh` 3 s from now, `settled` the lowest of samples every 5 s over the
 * following `settleMs` (V8's memory reducer runs only after a quiet spell, so one sample lies).
 */
export async function freshAndSettled(children: ChildProcess[], settleMs: number): Promise<{ fresh: number[]; settled: number[] }> {
  await sleep(3_000);
  const fresh = await Promise.all(children.map((c) => sampleRss(c)));
  const settled = [...fresh];
  for (let waited = 0; waited < settleMs; waited += 5_000) {
    await sleep(5_000);
    const now = await Promise.all(children.map((c) => sampleRss(c)));
    now.forEach((kb, i) => (settled[i] = Math.min(settled[i]!, kb)));
  }
  return { fresh, settled };
}

/**
 * The scratch area of an idle-RSS bench: files in a temp dir, `node` children (stderr piped, for
 * `waitOnline`), the loopback-only runtime config (the core runtime's own cost); `close` kills the
 * children and removes the dir.
 */
export class RssScratch {
  readonly dir: string;
  readonly #children: ChildProcess[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Write `name` in the dir; its path. */
  file(name: string, text: string, mode = 0o644): string {
    writeFileSync(join(this.dir, name), text, { mode });
    return join(this.dir, name);
  }

  /** Spawn `node args` from the repository root. */
  node(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.#children.push(child);
    return child;
  }

  /** `lb.yaml`: `switchboard run` with only a loopback connector, state in `lb-state`. */
  loopbackConfig(endpoint: string, token: string): string {
    const tokenFile = this.file('lb.token', token, 0o600);
    return this.file('lb.yaml', `state_dir: ${join(this.dir, 'lb-state')}\nlog:\n  level: warn\nconnectors:\n  lb:\n    platform: loopback\n    token: {file: ${tokenFile}}\n    endpoint: "${endpoint}"\n`);
  }

  close(): void {
    for (const c of this.#children) c.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
