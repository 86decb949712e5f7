/**
 * Discord benchmark: `npm run bench -- discord [--n N] [--rate R] [--rounds K]`.
 *
 * Two receivers against the same emulator in the same run, each in a forked process of its own
 * (bench/discord-worker.ts) while this process plays Discord: (a) a plain discord.js client with an
 * empty `messageCreate` handler and no journal, (b) the Discord connector journaling and deduplicating
 * every message into the SQLite journal, delivered to an acking subscriber.
 *
 * - capacity: N messages (default 20,000) queued on the Gateway session, then written at once — the
 *   messages/s each receiver sustains;
 * - latency: R messages/s (default 1,000) for 5 s — p50/p99 from injection to the handler/subscriber.
 * Each receiver first takes an unmeasured burst of 10,000 messages (JIT warm-up); K rounds (default 3) alternate
 * the receivers; each row is the median round, the ratio the median of the per-pair ratios (a
 * connector round against the bare round just before it).
 *
 * Memory — RSS (fresh, and settled: the lowest over a minute) of `node` with only discord.js imported
 * (the baseline), of the connector with its journal in one process, of `switchboard run` with a
 * Discord-only config, and — the core runtime's own share — of `switchboard run` with only the
 * loopback connector; all idle.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startDiscordEmulator, type DiscordEmulator } from '../connectors/discord/emulator.js';
import { startLoopbackEmulator } from '../connectors/loopback/emulator.js';
import type { CollectCommand, WorkerMessage } from './discord-worker.js';
import { flag, median } from './rounds.js';
import { BIN, KEEP_ALIVE, ROOT, freshAndSettled } from './rss.js';
import type { BenchContext } from './run.js';

const WARMUP = 10_000;
const PACED_SECONDS = 5;
const WORKER = fileURLToPath(new URL('./discord-worker.js', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

interface Row {
  name: string;
  burst: number;
  messagesPerSec: number;
  pacedRate: number;
  p50Ms: number;
  p99Ms: number;
}

type Collected = Extract<WorkerMessage, { type: 'collected' }>;

/** One receiver: fork it, warm it up, measure its capacity on a burst and its latency at a steady rate. */
async function measure(name: string, mode: 'bare' | 'connector', emulator: DiscordEmulator, n: number, rate: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-discord-'));
  const child = fork(WORKER, [mode, emulator.apiBase, emulator.token, dir], { stdio: 'inherit', execArgv: [] });
  const next = messages(child);
  const collect = async (k: number, produce: () => Promise<void> | void): Promise<Collected> => {
    child.send({ collect: k } satisfies CollectCommand);
    await next('collecting');
    await produce();
    return (await next('collected')) as Collected;
  };
  try {
    await next('ready');
    // Warm-up: an unmeasured burst, so both receivers' hot paths (for the connector also its journal
    // batches) are compiled before the measured one — a single small paced warm-up left the connector's
    // first burst ~30% slower than its second.
    await collect(WARMUP, () => {
      burst(emulator, WARMUP);
    });
    // Capacity: the whole burst is queued on the session first, then written in one go.
    let t0 = 0;
    const measured = await collect(n, () => {
      t0 = burst(emulator, n);
    });
    const steady = await collect(rate * PACED_SECONDS, () => paced(emulator, rate * PACED_SECONDS, rate));
    const sorted = steady.latenciesMs.sort((a, b) => a - b);
    return { name, burst: n, messagesPerSec: n / ((measured.lastArrival - t0) / 1000), pacedRate: rate, p50Ms: pct(sorted, 0.5), p99Ms: pct(sorted, 0.99) };
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Queue `k` messages over three channels (text "<i> <sent-at ms>") while delivery is held, then write
 * them in one go; returns the moment of the release.
 */
function burst(emulator: DiscordEmulator, k: number): number {
  const channels = ['general', 'random', 'ops'];
  emulator.holdDelivery();
  for (let i = 0; i < k; i++) emulator.injectMessage(`${i} ${now()}`, { channel: channels[i % 3]! });
  const at = now();
  emulator.releaseDelivery();
  return at;
}

/** Inject `k` messages at `rate` per second, a few every millisecond tick. */
async function paced(emulator: DiscordEmulator, k: number, rate: number): Promise<void> {
  const start = now();
  for (let sent = 0; sent < k; ) {
    const due = Math.min(k, Math.floor(((now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) emulator.injectMessage(`${sent} ${now()}`, { channel: ['general', 'random', 'ops'][sent % 3]! });
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Await typed messages from a worker in order; an `error` message or an exit rejects. */
function messages(child: ChildProcess): (type: WorkerMessage['type']) => Promise<WorkerMessage> {
  const inbox: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let failed: Error | undefined;
  child.on('message', (m: WorkerMessage) => {
    inbox.push(m);
    wake?.();
  });
  child.on('exit', (code) => {
    failed ??= new Error(`bench worker exited (${code})`);
    wake?.();
  });
  return async (type) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const m = inbox.shift();
      if (m?.type === 'error') throw new Error(`bench worker: ${m.message}`);
      if (m?.type === type) return m;
      if (m) continue;
      if (failed) throw failed;
      if (Date.now() > deadline) throw new Error(`bench worker: no "${type}" within 120 s`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    }
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** RSS figures of one process, MB: `fresh` 3 s after it is up, `settled` the lowest sample over 60 s (bench/rss.ts). */
interface Rss {
  fresh: number;
  settled: number;
}

const SETTLE_MS = 60_000;

interface Memory {
  node: Rss;
  /** The baseline: node with discord.js imported. */
  bare: Rss;
  connectorProcess: Rss;
  runtime: Rss;
  /** `switchboard run` with only the loopback connector (no SDK): the core runtime's own cost. */
  coreRuntime: Rss;
}

/** RSS of five idle processes side by side, each measured the same way. */
async function memory(emulator: DiscordEmulator): Promise<Memory> {
  const plain = spawn(process.execPath, ['-e', KEEP_ALIVE], { stdio: 'ignore' });
  const bare = spawn(process.execPath, ['--input-type=module', '-e', `await import('discord.js'); ${KEEP_ALIVE}`], { cwd: ROOT, stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-rss-'));
  mkdirSync(join(dir, 'worker'));
  const worker = fork(WORKER, ['connector', emulator.apiBase, emulator.token, join(dir, 'worker')], { stdio: 'ignore', execArgv: [] });
  writeFileSync(join(dir, 'token'), emulator.token, { mode: 0o600 });
  const config = join(dir, 'switchboard.yaml');
  writeFileSync(config, `state_dir: ${join(dir, 'state')}\nlog: {level: warn}\nconnectors:\n  dc:\n    platform: discord\n    token: {file: ${join(dir, 'token')}}\n    api_base: "${emulator.apiBase}"\n`);
  const runtime = spawn(process.execPath, [BIN, 'run', '--config', config], { cwd: ROOT, stdio: 'ignore' });
  const loopback = await startLoopbackEmulator({ token: 'bench-loopback-token' });
  writeFileSync(join(dir, 'lb-token'), 'bench-loopback-token', { mode: 0o600 });
  const coreConfig = join(dir, 'core.yaml');
  writeFileSync(coreConfig, `state_dir: ${join(dir, 'core-state')}\nlog: {level: warn}\nconnectors:\n  lb:\n    platform: loopback\n    token: {file: ${join(dir, 'lb-token')}}\n    endpoint: "${loopback.endpoint}"\n`);
  const core = spawn(process.execPath, [BIN, 'run', '--config', coreConfig], { cwd: ROOT, stdio: 'ignore' });
  try {
    await messages(worker)('ready');
    const deadline = Date.now() + 30_000;
    while (emulator.openSockets() < 2) {
      if (Date.now() > deadline) throw new Error('the connector processes did not connect to the emulator');
      await new Promise((r) => setTimeout(r, 100));
    }
    while (loopback.connections === 0) {
      if (Date.now() > deadline) throw new Error('the loopback runtime did not connect');
      await new Promise((r) => setTimeout(r, 100));
    }
    const kb = await freshAndSettled([plain, bare, worker, runtime, core], SETTLE_MS);
    const mb = (i: number): Rss => ({ fresh: kb.fresh[i]! / 1024, settled: kb.settled[i]! / 1024 });
    return { node: mb(0), bare: mb(1), connectorProcess: mb(2), runtime: mb(3), coreRuntime: mb(4) };
  } finally {
    for (const c of [plain, bare, worker, runtime, core]) c.kill('SIGKILL');
    await loopback.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the Discord benchmark, print both tables, write bench/results/discord.json. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 20_000;
  const rate = Number(flag(ctx.argv, '--rate') ?? 1_000);
  const rounds = Number(flag(ctx.argv, '--rounds') ?? 3);
  // No resume window: a finished receiver's session must not keep collecting the next one's messages.
  const emulator = await startDiscordEmulator({ maxBuffer: Math.max(50_000, n + 10_000), resumeWindowMs: 0 });
  try {
    // Rounds alternate the two receivers; each row is the median round (the machine may be shared).
    const bareRounds: Row[] = [];
    const connectorRounds: Row[] = [];
    for (let round = 0; round < rounds; round++) {
      bareRounds.push(await measure('discord.js client, empty handler (baseline)', 'bare', emulator, n, rate));
      connectorRounds.push(await measure('discord connector, journaled + deduplicated', 'connector', emulator, n, rate));
    }
    const bare = median(bareRounds);
    const connector = median(connectorRounds);
    const mem = await memory(emulator);
    // Each connector round against the bare round just before it: the box's drifting load disturbs that less.
    const pairRatios = connectorRounds.map((c, i) => c.messagesPerSec / bareRounds[i]!.messagesPerSec).sort((a, b) => a - b);
    const rateRatio = pairRatios[Math.floor(pairRatios.length / 2)]!;
    const rssRatio = mem.runtime.settled / mem.bare.settled;
    console.table([bare, connector].map((r) => ({
      bench: r.name, 'burst msgs': r.burst, 'msgs/s': Math.round(r.messagesPerSec), 'vs baseline': (r.messagesPerSec / bare.messagesPerSec).toFixed(3),
      [`p50 ms @${rate}/s`]: r.p50Ms.toFixed(2), [`p99 ms @${rate}/s`]: r.p99Ms.toFixed(2),
    })));
    console.log(`rounds, msgs/s: bare ${bareRounds.map((r) => Math.round(r.messagesPerSec)).join(' · ')}; connector ${connectorRounds.map((r) => Math.round(r.messagesPerSec)).join(' · ')}; median pair ratio ${rateRatio.toFixed(3)}`);
    const row = (process: string, r: Rss) => ({ process, 'fresh MB': r.fresh.toFixed(1), 'settled MB': r.settled.toFixed(1), 'settled vs baseline': (r.settled / mem.bare.settled).toFixed(3) });
    console.table([
      row('node, nothing loaded', mem.node),
      row('node + discord.js imported (baseline)', mem.bare),
      row('discord connector + journal, one process', mem.connectorProcess),
      row('switchboard run, Discord only, online', mem.runtime),
      row('switchboard run, loopback only (no SDK)', mem.coreRuntime),
    ]);
    const rateMet = rateRatio >= 0.6;
    const rssMet = rssRatio <= 1.3;
    console.log(`target rate >= 0.6 of bare discord.js: ${rateMet ? 'met' : 'MISSED'} (${rateRatio.toFixed(3)}); settled RSS of switchboard run <= 1.3 of node + discord.js: ${rssMet ? 'met' : 'MISSED'} (${rssRatio.toFixed(3)})`);
    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const out = {
      bench: 'discord', at: new Date().toISOString(), node: process.version, cpus: cpus().length, warmup: WARMUP, rounds,
      rows: [bare, connector], allRounds: { bare: bareRounds.map((r) => Math.round(r.messagesPerSec)), connector: connectorRounds.map((r) => Math.round(r.messagesPerSec)) },
      rateRatio, rateMet, memoryMb: mem, rssRatio, rssMet,
    };
    writeFileSync(join(resultsDir, 'discord.json'), JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${join(resultsDir, 'discord.json')}`);
  } finally {
    await emulator.close();
  }
}
