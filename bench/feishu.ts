/**
 * Feishu benchmark: messages/s and latency from the emulator to an agent subscriber through the
 * connector (every event journaled in SQLite, deduplicated, its frame acked only after the journal),
 * beside a bare `WSClient` with an empty handler (no journal) against the same emulator in the same
 * run. Then idle RSS of a Feishu-only `switchboard run` beside a bare Node process that has only the
 * Lark SDK loaded.
 *
 * Both rows are driven the same way: a window of messages (default 100, `--window W`) is kept between
 * injection and delivery; the next message is injected when one is delivered. Latency is from the
 * injection to the handler / subscriber callback. Rounds alternate baseline and connector after a
 * warm-up of each; the median round is reported, the ratio is the median of per-pair ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lark from '@larksuiteoapi/node-sdk';
import { FeishuConnector } from '../connectors/feishu/connector.js';
import { fakeAppCredentials, startFeishuEmulator } from '../connectors/feishu/emulator.js';
import { Secret } from '../src/config/secret.js';
import type { BenchContext } from './run.js';
import { WindowedLoad, alternateRounds, flag, type Row } from './rounds.js';
import { startJournaled } from './journaled.js';
import { BIN, KEEP_ALIVE, ROOT, freshAndSettled, sleep } from './rss.js';


type Receiver = (domain: string, creds: { appId: string; appSecret: string }, onText: (text: string) => void) => Promise<() => Promise<void>>;

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

/** The bare SDK: a WSClient with a handler that only reads the text. */
const bareSdk: Receiver = async (domain, creds, onText) => {
  let ready!: () => void;
  const opened = new Promise<void>((r) => (ready = r));
  const ws = new lark.WSClient({ appId: creds.appId, appSecret: creds.appSecret, domain, logger: quiet, loggerLevel: lark.LoggerLevel.error, onReady: () => ready() });
  const dispatcher = new lark.EventDispatcher({ logger: quiet, loggerLevel: lark.LoggerLevel.error }).register({
    'im.message.receive_v1': async (data: { message: { content: string } }) => {
      onText((JSON.parse(data.message.content) as { text: string }).text);
    },
  });
  void ws.start({ eventDispatcher: dispatcher });
  await opened;
  return async () => ws.close({ force: true });
};

/** The connector with the real journal; the agent subscribes to the journal and acks each event. */
const connector: Receiver = (domain, creds, onText) =>
  startJournaled(
    'sb-bench-fs-',
    (deps) =>
      new FeishuConnector({ app_id: creds.appId, app_secret: new Secret(creds.appSecret, 'bench'), domain }, deps),
    onText,
  );

async function drive(name: string, receiver: Receiver, n: number, window: number): Promise<Row> {
  const creds = fakeAppCredentials();
  const emulator = await startFeishuEmulator({ ...creds, window: window * 2 });
  const load = new WindowedLoad(n, window, (i) => emulator.injectMessage(`bench ${i}`));
  const stop = await receiver(emulator.domain, creds, load.arrived);
  // The emulator pushes nothing until the client has pinged and its listener is attached.
  await new Promise((r) => setTimeout(r, 100));
  try {
    return load.row(name, await load.run());
  } finally {
    await stop();
    await emulator.close();
  }
}

/** Alternating rounds of the bare SDK and the connector (bench/rounds.ts). */
function measureThroughput(n: number, window: number, rounds: number) {
  return alternateRounds(
    { name: 'bare Lark WSClient (empty handler, no journal)', drive: (name, k, w) => drive(name, bareSdk, k, w) },
    { name: 'switchboard feishu connector (journaled before ack, deduplicated)', drive: (name, k, w) => drive(name, connector, k, w) },
    n,
    window,
    rounds,
  );
}

/**
 * Idle RSS, side by side: bare Node, Node with only the Lark SDK imported (the baseline), and a
 * Feishu-only `switchboard run` connected to an emulator. The lowest of samples every 5 s over
 * `settleMs` (V8's memory reducer runs after a quiet spell).
 */
async function measureIdleRss(settleMs: number) {
  const creds = fakeAppCredentials();
  const emulator = await startFeishuEmulator(creds);
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-fsrss-'));
  const children: ChildProcess[] = [];
  try {
    const secret = join(dir, 'fs.secret');
    writeFileSync(secret, creds.appSecret, { mode: 0o600 });
    const config = join(dir, 'fs.yaml');
    writeFileSync(config, `state_dir: ${join(dir, 'state')}\nlog:\n  level: warn\nconnectors:\n  fs:\n    platform: feishu\n    app_id: ${creds.appId}\n    app_secret: {file: ${secret}}\n    domain: "${emulator.domain}"\n`);
    const procs = {
      node: spawn(process.execPath, ['-e', KEEP_ALIVE], { stdio: 'ignore' }),
      sdk: spawn(process.execPath, ['-e', `require('@larksuiteoapi/node-sdk'); ${KEEP_ALIVE}`], { cwd: ROOT, stdio: 'ignore' }),
      runtime: spawn(process.execPath, [BIN, 'run', '--config', config], { cwd: ROOT, stdio: 'ignore' }),
    };
    children.push(...Object.values(procs));
    const deadline = Date.now() + 15_000;
    while (emulator.connections() === 0 && Date.now() < deadline) await sleep(100);
    if (emulator.connections() === 0) throw new Error('the feishu runtime did not connect');
    const names = Object.keys(procs);
    const kb = await freshAndSettled(Object.values(procs), settleMs);
    const byName = (values: number[]) => Object.fromEntries(names.map((k, i) => [k, values[i]!]));
    return { fresh: byName(kb.fresh), settled: byName(kb.settled) };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}


/** Run the Feishu benchmark; `--n N` per round, `--window W`, `--rounds R`, `--settle-ms MS`, `--no-rss`, `--rss-only`. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 10_000;
  const window = Number(flag(ctx.argv, '--window') ?? 100);
  const rounds = Number(flag(ctx.argv, '--rounds') ?? 5);
  let throughput: Awaited<ReturnType<typeof measureThroughput>> | undefined;
  if (!ctx.argv.includes('--rss-only')) throughput = await measureThroughput(n, window, rounds);
  let rss: Awaited<ReturnType<typeof measureIdleRss>> | undefined;
  let rssMet: boolean | undefined;
  if (!ctx.argv.includes('--no-rss')) {
    rss = await measureIdleRss(Number(flag(ctx.argv, '--settle-ms') ?? 60_000));
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    const labels = { node: 'bare node', sdk: 'node + @larksuiteoapi/node-sdk (baseline)', runtime: 'switchboard run, feishu only, connected' } as const;
    console.table(
      (Object.keys(labels) as (keyof typeof labels)[]).map((k) => ({
        process: labels[k],
        'RSS MB, fresh': mb(rss!.fresh[k]!),
        'RSS MB, settled': mb(rss!.settled[k]!),
        'settled vs SDK baseline': (rss!.settled[k]! / rss!.settled.sdk!).toFixed(3),
      })),
    );
    rssMet = rss.settled.runtime! <= 1.3 * rss.settled.sdk!;
    console.log(`RSS target (idle Feishu-only runtime <= 1.3 x node with the Lark SDK, settled): ${rssMet ? 'met' : 'MISSED'} (${(rss.settled.runtime! / rss.settled.sdk!).toFixed(3)})`);
  }
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const out = { bench: 'feishu', at: new Date().toISOString(), node: process.version, cpus: cpus().length, throughput, rssMet, rss };
  writeFileSync(join(resultsDir, 'feishu.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${join(resultsDir, 'feishu.json')}`);
}
