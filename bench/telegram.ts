/**
 * Telegram benchmark: messages/s and latency from the emulator to an agent subscriber through the
 * connector (every message journaled in SQLite and deduplicated, the offset committed after the
 * journal), beside a bare grammY bot (`bot.start()`, an empty handler, no journal) against the same
 * emulator in the same run. Then idle RSS of a Telegram-only `switchboard run` beside a bare Node
 * process that has only grammY loaded (see telegram-rss.ts).
 *
 * Both rows are driven the same way: a window of messages (default 100, `--window W`) is kept between
 * injection and delivery, the next message is injected when one is delivered. Latency is from the
 * injection to the handler / subscriber callback. Rounds alternate baseline and connector after an
 * unmeasured warm-up of each; the median round of each is reported, and the ratio is the median of
 * the per-pair ratios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { TelegramConnector } from '../connectors/telegram/connector.js';
import { fakeBotToken, startTelegramEmulator } from '../connectors/telegram/emulator.js';
import { Secret } from '../src/config/secret.js';
import type { BenchContext } from './run.js';
import { measureIdleRss, type RssRow } from './telegram-rss.js';
import { WindowedLoad, alternateRounds, flag, type Row } from './rounds.js';
import { startJournaled } from './journaled.js';


/** Start a receiver against `apiRoot`; `onText` for every message it hands on; returns its stop. */
type Receiver = (apiRoot: string, token: string, onText: (text: string) => void) => Promise<() => Promise<void>>;

const CHATS = [1001, -1002233445566, 1003];

/** The bare SDK: what a plain grammY bot does with `bot.start()` and an empty handler. */
const bareGrammy: Receiver = async (apiRoot, token, onText) => {
  const botInfo = { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Bench', username: 'bench_bot' } as UserFromGetMe;
  const bot = new Bot(token, { client: { apiRoot }, botInfo });
  bot.on('message:text', (ctx) => onText(ctx.message.text));
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const done = bot.start({ timeout: 30, limit: 100, onStart: () => started() });
  await running;
  return async () => {
    await bot.stop();
    await done;
  };
};

/** The connector with the real journal; the agent subscribes to the journal and acks each event. */
const connector: Receiver = (apiRoot, token, onText) =>
  startJournaled(
    'sb-bench-tg-',
    (deps) =>
      new TelegramConnector({ token: new Secret(token, 'bench'), api_root: apiRoot, polling: { timeout: 30, limit: 100 } }, deps),
    onText,
  );

/** Drive `n` messages through a fresh emulator into `receiver`, `window` at a time. */
async function drive(name: string, receiver: Receiver, n: number, window: number): Promise<Row> {
  const token = fakeBotToken();
  const emulator = await startTelegramEmulator({ token });
  const load = new WindowedLoad(n, window, (i) => emulator.injectMessage(`bench ${i}`, { chat: { id: CHATS[i % CHATS.length]! } }));
  const stop = await receiver(emulator.apiRoot, token, load.arrived);
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
    { name: 'bare grammY bot (empty handler, no journal)', drive: (name, k, w) => drive(name, bareGrammy, k, w) },
    { name: 'switchboard telegram connector (journaled, deduplicated)', drive: (name, k, w) => drive(name, connector, k, w) },
    n,
    window,
    rounds,
  );
}



/** Run the Telegram benchmark; `--n N` messages per round, `--window W`, `--rounds R`, `--no-rss`, `--rss-only`. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 10_000;
  const window = Number(flag(ctx.argv, '--window') ?? 100);
  const rounds = Number(flag(ctx.argv, '--rounds') ?? 5);

  let throughput: { baseline: Row; connector: Row; ratio: number; met: boolean; rounds: { bare: Row[]; connector: Row[] } } | undefined;
  if (!ctx.argv.includes('--rss-only')) throughput = await measureThroughput(n, window, rounds);

  let rss: RssRow[] | undefined;
  let rssMet: boolean | undefined;
  if (!ctx.argv.includes('--no-rss')) {
    rss = await measureIdleRss();
    const sdk = rss.find((r) => r.key === 'grammy')!;
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    console.table(
      rss.map((r) => ({
        process: r.name,
        'RSS MB, fresh': mb(r.freshKb),
        'RSS MB, settled': mb(r.settledKb),
        'settled vs bare grammY': (r.settledKb / sdk.settledKb).toFixed(3),
        ...(r.note ? { note: r.note } : {}),
      })),
    );
    const runtime = rss.find((r) => r.key === 'runtime')!;
    const alone = rss.find((r) => r.key === 'connector')!;
    const core = rss.find((r) => r.key === 'core')!;
    rssMet = runtime.settledKb <= 1.3 * sdk.settledKb;
    const x = (r: RssRow) => (r.settledKb / sdk.settledKb).toFixed(3);
    console.log(`RSS target (idle Telegram-only runtime <= 1.3 x bare grammY, settled): ${rssMet ? 'met' : 'MISSED'} (${x(runtime)})`);
    console.log(`  the connector alone: ${x(alone)}; the core runtime with no SDK at all: ${x(core)} (${mb(core.settledKb)} MB)`);
  }

  const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const out = { bench: 'telegram', at: new Date().toISOString(), node: process.version, cpus: cpus().length, throughput, rssMet, rss };
  writeFileSync(join(resultsDir, 'telegram.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${join(resultsDir, 'telegram.json')}`);
}
