/**
 * The receiving side of `npm run bench -- discord`, forked by bench/discord.ts so that it has a core
 * of its own: either a plain discord.js client with an empty handler (`bare`), or the Discord connector
 * journaling every message into the SQLite journal with an acking subscriber (`connector`).
 *
 * argv: <bare|connector> <apiBase> <token> <stateDir>; the bench owns (creates and removes) the
 * state directory, since it ends this worker with SIGKILL. The bench then sends `{collect: k}`: the worker gathers the
 * next k messages (texts "<i> <sent-at ms>") and answers with their latencies and first/last arrival.
 */
import { performance } from 'node:perf_hooks';

/** Messages from this worker to the bench. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'collecting' }
  | { type: 'collected'; latenciesMs: number[]; firstArrival: number; lastArrival: number }
  | { type: 'error'; message: string };

/** Messages from the bench to this worker. */
export interface CollectCommand {
  collect: number;
}

const [mode, apiBase, token, dir] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const send = (m: WorkerMessage) => process.send!(m);

let want = 0;
let latencies: number[] = [];
let firstArrival = 0;
let lastArrival = 0;
// The bench went away (or is done): leave, so nothing lingers.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: CollectCommand) => {
  want = m.collect;
  latencies = [];
  send({ type: 'collecting' });
});

/** One message arrived (its text is "<i> <sent-at>"). */
function arrived(text: string): void {
  const at = now();
  if (latencies.length === 0) firstArrival = at;
  latencies.push(at - Number(text.slice(text.indexOf(' ') + 1)));
  lastArrival = at;
  if (latencies.length === want) send({ type: 'collected', latenciesMs: latencies, firstArrival, lastArrival });
}

async function bare(): Promise<void> {
  const { Client, GatewayIntentBits, Partials } = await import('discord.js');
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Channel],
    rest: { api: apiBase!, version: '10' },
  });
  client.on('messageCreate', (m) => arrived(m.content));
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(token);
  await ready;
}

async function connector(): Promise<void> {
  const { registry } = await import('../connectors/registry.js');
  const { openJournal } = await import('../src/bus/journal.js');
  const { Secret } = await import('../src/config/secret.js');
  const { StateTracker } = await import('../src/connector.js');
  const { systemClock } = await import('../src/clock.js');
  const { silentLogger } = await import('../src/log/logger.js');
  const bus = openJournal({ dir: dir! });
  bus.subscribe('bench', (e) => {
    arrived(e.text ?? '');
    void bus.ack('bench', e.id);
  });
  const module = await registry.discord!.load();
  const state = new StateTracker(systemClock);
  const c = module.create(
    { platform: 'discord', enabled: true, token: new Secret(token!, 'bench'), api_base: apiBase! },
    { name: 'bench', log: silentLogger(), clock: systemClock, stateDir: dir!, state },
  );
  await c.start(
    {
      log: silentLogger(),
      clock: systemClock,
      ingest: async (draft) => {
        const r = await bus.append(draft);
        return r.status === 'appended' ? r : { status: 'duplicate' };
      },
      reject: () => undefined,
      fail: (err) => send({ type: 'error', message: String(err) }),
    },
    new AbortController().signal,
  );
}

(mode === 'bare' ? bare() : connector()).then(
  () => send({ type: 'ready' }),
  (err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
