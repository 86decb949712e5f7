/**
 * Slack benchmark: messages/s and latency from the emulator to an agent subscriber through the
 * connector (every event journaled in SQLite and deduplicated, its envelope acked only after the
 * journal), beside a bare Bolt app (Socket Mode, an empty `message` handler, Bolt's own ack, no
 * journal) against the same emulator in the same run. Then idle RSS of a Slack-only `switchboard run`
 * beside a bare Node process that has only Bolt loaded.
 *
 * Both rows are driven the same way: a window of messages (default 100, `--window W`) is kept between
 * injection and delivery; the next message is injected when one is delivered. Latency is from the
 * injection to the handler / subscriber callback. Rounds alternate baseline and connector after an
 * unmeasured warm-up of each; the median round of each is reported, and the ratio is the median of
 * the per-pair ratios.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, LogLevel } from '@slack/bolt';
import { startLoopbackEmulator } from '../connectors/loopback/emulator.js';
import { SlackConnector } from '../connectors/slack/connector.js';
import { fakeSlackTokens, startSlackEmulator } from '../connectors/slack/emulator.js';
import { Secret } from '../src/config/secret.js';
import type { BenchContext } from './run.js';
import { BIN, KEEP_ALIVE, MODULE_PROBE, ROOT, RssScratch, freshAndSettled, waitForFile, waitOnline } from './rss.js';
import { WindowedLoad, alternateRounds, flag, type Row } from './rounds.js';
import { startJournaled } from './journaled.js';


type Tokens = { appToken: string; botToken: string };
/** Start a receiver against the emulator at `apiUrl`; `onText` for every message it hands on; returns its stop. */
type Receiver = (apiUrl: string, tokens: Tokens, onText: (text: string) => void) => Promise<() => Promise<void>>;

const CHANNELS = ['C0BENCH001', 'C0BENCH002', 'D0BENCH003'];

/** The bare SDK: a plain Bolt app in Socket Mode with an empty handler; Bolt acks each envelope itself. */
const bareBolt: Receiver = async (apiUrl, tokens, onText) => {
  const app = new App({
    token: tokens.botToken,
    appToken: tokens.appToken,
    socketMode: true,
    // Silent: Bolt's socket client logs a WebSocket error when `app.stop()` closes it between rounds.
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined },
    clientOptions: { slackApiUrl: apiUrl },
    // Socket Mode's own client (apps.connections.open) takes its Web API options from here.
    installerOptions: { clientOptions: { slackApiUrl: apiUrl } },
  });
  app.event('message', async ({ event }) => {
    onText((event as { text?: string }).text ?? '');
  });
  await app.start();
  return async () => {
    await app.stop();
  };
};

/** The connector with the real journal; the agent subscribes to the journal and acks each event. */
const connector: Receiver = (apiUrl, tokens, onText) =>
  startJournaled(
    'sb-bench-slack-',
    (deps) =>
      new SlackConnector({ app_token: new Secret(tokens.appToken, 'bench'), bot_token: new Secret(tokens.botToken, 'bench'), api_url: apiUrl }, deps),
    onText,
  );

/** Drive `n` messages through a fresh emulator into `receiver`, `window` at a time. */
async function drive(name: string, receiver: Receiver, n: number, window: number): Promise<Row> {
  const tokens = fakeSlackTokens();
  const emulator = await startSlackEmulator({ ...tokens });
  const load = new WindowedLoad(n, window, (i) => emulator.injectMessage(`bench ${i}`, { channel: CHANNELS[i % CHANNELS.length]! }));
  const stop = await receiver(emulator.apiUrl, tokens, load.arrived);
  try {
    const seconds = await load.run();
    // Every envelope acked (the connector acks after the journal): wait for the last acks to land.
    await emulator.waitFor(() => emulator.acked() >= n, 10_000);
    if (emulator.redeliveries() > 0) console.warn(`${name}: ${emulator.redeliveries()} envelopes redelivered`);
    return load.row(name, seconds);
  } finally {
    await stop();
    await emulator.close();
  }
}

/** Alternating rounds of the bare SDK and the connector (bench/rounds.ts). */
function measureThroughput(n: number, window: number, rounds: number) {
  return alternateRounds(
    { name: 'bare Bolt app (Socket Mode, empty handler, no journal)', drive: (name, k, w) => drive(name, bareBolt, k, w) },
    { name: 'switchboard slack connector (journaled before ack, deduplicated)', drive: (name, k, w) => drive(name, connector, k, w) },
    n,
    window,
    rounds,
  );
}

interface RssRow {
  key: 'node' | 'bolt' | 'runtime' | 'core';
  name: string;
  /** 3 s after start (the runtimes: 3 s after they are online). */
  freshKb: number;
  /** The lowest of samples every 5 s over `settleMs` of idling (after V8's memory reducer has run). */
  settledKb: number;
  note?: string;
}

/**
 * Idle RSS, side by side, no traffic: bare Node; Node with only Bolt imported (the baseline);
 * `switchboard run` with one Slack connector on an open socket to an emulator (what a user runs); and
 * `switchboard run` with only the loopback connector (the core runtime without an SDK, for context).
 */
async function measureIdleRss(settleMs: number): Promise<RssRow[]> {
  const tokens = fakeSlackTokens();
  const emulator = await startSlackEmulator({ ...tokens });
  const loopback = await startLoopbackEmulator({ token: 'bench-loopback-token' });
  const scratch = new RssScratch('sb-bench-slack-rss-');
  const { dir } = scratch;
  try {
    const appToken = scratch.file('app.token', tokens.appToken, 0o600);
    const botToken = scratch.file('bot.token', tokens.botToken, 0o600);
    const probe = scratch.file('probe.cjs', MODULE_PROBE);
    const slConfig = scratch.file('sl.yaml', `state_dir: ${join(dir, 'sl-state')}\nlog:\n  level: warn\nconnectors:\n  sl:\n    platform: slack\n    app_token: {file: ${appToken}}\n    bot_token: {file: ${botToken}}\n    api_url: "${emulator.apiUrl}"\n`);
    const lbConfig = scratch.loopbackConfig(loopback.endpoint, 'bench-loopback-token');
    const rows: { key: RssRow['key']; name: string; child: ChildProcess }[] = [
      { key: 'node', name: 'bare node', child: scratch.node(['-e', KEEP_ALIVE]) },
      { key: 'bolt', name: 'bare node + @slack/bolt imported', child: scratch.node(['-e', `import('@slack/bolt').then(() => { ${KEEP_ALIVE}; })`]) },
      { key: 'runtime', name: 'switchboard run, slack connector idle', child: scratch.node(['--require', probe, BIN, 'run', '--config', slConfig], { SB_PROBE_OUT: join(dir, 'modules.json') }) },
      { key: 'core', name: 'switchboard run, loopback only (no SDK)', child: scratch.node([BIN, 'run', '--config', lbConfig]) },
    ];
    await Promise.all([waitOnline(join(dir, 'sl-state'), rows[2]!.child), waitOnline(join(dir, 'lb-state'), rows[3]!.child)]);
    const { fresh, settled } = await freshAndSettled(rows.map((r) => r.child), settleMs);
    rows[2]!.child.kill('SIGUSR2');
    const modules = await waitForFile(join(dir, 'modules.json'));
    const loaded = (pkg: string) => modules.some((m) => m.includes(`/node_modules/${pkg}/`));
    const others = ['grammy', 'discord.js', '@larksuiteoapi/node-sdk'].filter(loaded);
    const boltIndex = modules.some((m) => m.endsWith('/node_modules/@slack/bolt/dist/index.js'));
    const note = `socket-mode ${loaded('@slack/socket-mode') ? 'loaded' : 'NOT loaded'}, Bolt's index ${boltIndex ? 'loaded' : 'not loaded'}; other SDKs: ${others.length ? others.join(', ') : 'none'}`;
    return rows.map((r, i) => ({ key: r.key, name: r.name, freshKb: fresh[i]!, settledKb: settled[i]!, ...(r.key === 'runtime' ? { note } : {}) }));
  } finally {
    scratch.close();
    await Promise.all([emulator.close(), loopback.close()]);
  }
}



/** Run the Slack benchmark; `--n N` messages per round, `--window W`, `--rounds R`, `--settle-ms MS`, `--no-rss`, `--rss-only`. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 10_000;
  const window = Number(flag(ctx.argv, '--window') ?? 100);
  const rounds = Number(flag(ctx.argv, '--rounds') ?? 5);

  let throughput: Awaited<ReturnType<typeof measureThroughput>> | undefined;
  if (!ctx.argv.includes('--rss-only')) throughput = await measureThroughput(n, window, rounds);

  let rss: RssRow[] | undefined;
  let rssMet: boolean | undefined;
  if (!ctx.argv.includes('--no-rss')) {
    rss = await measureIdleRss(Number(flag(ctx.argv, '--settle-ms') ?? 60_000));
    const sdk = rss.find((r) => r.key === 'bolt')!;
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    console.table(
      rss.map((r) => ({
        process: r.name,
        'RSS MB, fresh': mb(r.freshKb),
        'RSS MB, settled': mb(r.settledKb),
        'settled vs bare Bolt': (r.settledKb / sdk.settledKb).toFixed(3),
        ...(r.note ? { note: r.note } : {}),
      })),
    );
    const runtime = rss.find((r) => r.key === 'runtime')!;
    const core = rss.find((r) => r.key === 'core')!;
    rssMet = runtime.settledKb <= 1.3 * sdk.settledKb;
    const x = (r: RssRow) => (r.settledKb / sdk.settledKb).toFixed(3);
    console.log(`RSS target (idle Slack-only runtime <= 1.3 x bare Bolt, settled): ${rssMet ? 'met' : 'MISSED'} (${x(runtime)})`);
    console.log(`  the core runtime with no SDK at all: ${x(core)} (${mb(core.settledKb)} MB)`);
  }

  const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const out = { bench: 'slack', at: new Date().toISOString(), node: process.version, cpus: cpus().length, throughput, rssMet, rss };
  writeFileSync(join(resultsDir, 'slack.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${join(resultsDir, 'slack.json')}`);
}
