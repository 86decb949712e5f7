/**
 * Bus benchmark: N events appended through the SQLite journal to an in-process subscriber that acks
 * each one, against the same events through a plain in-memory array + callback, in the same run.
 *
 * The producer keeps a window of events in flight between append and delivery (default 50,
 * `--window W`) — a connector taking a batch of updates from `getUpdates`, or a burst on a socket.
 * Latency grows with the window: every event in flight waits out the same commit or GC pause.
 *
 * Latency is from the `append` call to the subscriber's callback; throughput counts until every ack
 * has been committed. A third row runs the journal with one append at a time, to show the cost of a
 * lone event. After an unmeasured warm-up, each row is the median of `--runs` (default 3) runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppendResult } from '../src/bus/bus.js';
import { openJournal, type Durability } from '../src/bus/journal.js';
import type { EventDraft, InboundEvent } from '../src/bus/types.js';
import type { BenchContext } from './run.js';

/** What one row of the table measured. */
interface Row {
  name: string;
  events: number;
  window: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** The slice of a bus the driver needs; both the journal and the baseline provide it. */
interface Target {
  append(draft: EventDraft): Promise<AppendResult>;
  subscribe(name: string, onEvent: (e: InboundEvent) => void): unknown;
  ack(name: string, id: string): Promise<void>;
}

/** Events run through each configuration before it is measured. */
const WARMUP = 5_000;

function draftOf(i: number): EventDraft {
  return {
    dedupKey: `bench:${i}`,
    connector: 'bench',
    platform: 'telegram',
    kind: 'message',
    conversation: { id: '1001', kind: 'dm' },
    sender: { id: '42', name: 'Bench', isBot: false },
    messageId: String(i),
    text: 'please run the test suite and tell me what failed',
    provenance: { transport: 'outbound-socket', verified: 'token', sender: 'owner' },
  };
}

/** Drive `n` events through `target` with `window` appends in flight; resolves when all acks committed. */
async function drive(name: string, target: Target, n: number, window: number): Promise<Row> {
  // Nanoseconds as doubles (exact below 2^53 ns, i.e. for 104 days of uptime): a retained array of
  // BigInts would itself load the GC whose pauses this measures.
  const sentAt = new Float64Array(n);
  const latencyMs = new Float64Array(n);
  let delivered = 0;
  let acked = 0;
  let done!: () => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => ((done = resolve), (fail = reject)));
  const onAck = (): void => {
    if (++acked === n) done();
  };
  target.subscribe('bench', (e) => {
    // Delivery is in order, so the k-th delivery is the k-th event appended.
    const i = delivered++;
    latencyMs[i] = (Number(process.hrtime.bigint()) - sentAt[i]!) / 1e6;
    if (e.dedupKey !== `bench:${i}`) fail(new Error(`out of order: got ${e.dedupKey} at ${i}`));
    target.ack('bench', e.id).then(onAck, fail);
    issue();
  });
  let next = 0;
  // The next event goes out when one is delivered, so at most `window` are between append and
  // delivery: an append that resolves at once (the baseline) cannot run ahead of delivery.
  const issue = (): void => {
    if (next >= n) return;
    const i = next++;
    sentAt[i] = Number(process.hrtime.bigint());
    target.append(draftOf(i)).catch(fail);
  };
  const start = process.hrtime.bigint();
  for (let k = 0; k < window; k++) issue();
  await finished;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const sorted = latencyMs.sort();
  const pct = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  return { name, events: n, window, eventsPerSec: n / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

/**
 * The baseline: a plain array + callback, no durability. Like the journal it delivers what was
 * appended during one turn on the next, and like the journal it keeps nothing once delivered (the
 * journal keeps events on disk, not in memory) — so the difference is the cost of the journal.
 */
function memoryTarget(): Target {
  let queue: InboundEvent[] = [];
  let onEvent: ((e: InboundEvent) => void) | undefined;
  let seq = 0;
  const deliver = (): void => {
    // Events appended by the callbacks wait for the next turn, as they do in the journal.
    const batch = queue;
    queue = [];
    for (const event of batch) onEvent?.(event);
  };
  return {
    append(draft) {
      const event: InboundEvent = { ...draft, id: String(++seq), receivedAt: new Date().toISOString(), correlationId: 'c' };
      if (queue.push(event) === 1) setImmediate(deliver);
      return Promise.resolve({ status: 'appended', event });
    },
    subscribe(_name, cb) {
      onEvent = cb;
      return undefined;
    },
    // Nothing to remember: delivery is in order and the baseline never redelivers.
    ack() {
      return Promise.resolve();
    },
  };
}

async function journalRow(name: string, n: number, window: number, durability: Durability): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-bus-'));
  const journal = openJournal({ dir, durability, retention: { maxAgeMs: Infinity, maxEvents: Infinity } });
  try {
    return await drive(name, journal, n, window);
  } finally {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of each figure over repeated runs of one configuration (all runs kept in the JSON). */
function median(runs: Row[]): Row {
  const mid = (pick: (r: Row) => number): number => {
    const xs = runs.map(pick).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)]!;
  };
  const first = runs[0]!;
  return { ...first, eventsPerSec: mid((r) => r.eventsPerSec), p50Ms: mid((r) => r.p50Ms), p99Ms: mid((r) => r.p99Ms) };
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function intFlag(argv: string[], name: string, fallback: number): number {
  const raw = flag(argv, name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} needs a positive integer, got ${raw}`);
  return value;
}

/** Run the bus benchmark; `--window W`, `--durability normal|full`, `--runs R`. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 50_000;
  const window = intFlag(ctx.argv, '--window', 50);
  const runs = intFlag(ctx.argv, '--runs', 3);
  const durability = flag(ctx.argv, '--durability') ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new Error('--durability is normal or full');
  const serialN = Math.max(1, Math.min(n, Math.floor(n / 10)));
  // The machine may be shared: the load says how far to trust the tail latencies.
  const loadBefore = loadavg()[0]!;

  const configs: { events: number; measure: (k: number) => Promise<Row> }[] = [
    { events: n, measure: (k) => drive('memory array (baseline)', memoryTarget(), k, window) },
    { events: n, measure: (k) => journalRow(`journal, ${durability}`, k, window, durability) },
    { events: serialN, measure: (k) => journalRow(`journal, ${durability}, window 1`, k, 1, durability) },
  ];
  // An unmeasured warm-up of each, so JIT compilation is not in the figures.
  for (const c of configs) await c.measure(Math.min(c.events, WARMUP));
  // Runs interleaved (baseline, journal, serial, baseline, ...) so that a noisy moment on a shared
  // machine falls on every configuration alike; each figure is the median over the runs.
  const all: Row[][] = configs.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of configs.entries()) all[i]!.push(await c.measure(c.events));
  }
  const rows = all.map(median);
  const [baseline, journal] = rows as [Row, Row, Row];

  const table = rows.map((r) => ({
    bench: r.name,
    events: r.events,
    window: r.window,
    'events/s': Math.round(r.eventsPerSec),
    'p50 ms': r.p50Ms.toFixed(3),
    'p99 ms': r.p99Ms.toFixed(3),
    'vs baseline': (r.eventsPerSec / baseline.eventsPerSec).toFixed(3),
  }));
  console.table(table);
  console.log(`median of ${runs} runs each, after a ${WARMUP}-event warm-up`);
  const target = journal.eventsPerSec >= 20_000 && journal.p99Ms < 5;
  console.log(`target (>= 20,000 events/s, p99 < 5 ms): ${target ? 'met' : 'MISSED'}`);
  const load = [loadBefore, loadavg()[0]!].map((l) => l.toFixed(2));
  console.log(`node ${process.version}, ${cpus().length} cpus, 1-min load average ${load[0]} before, ${load[1]} after`);

  const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const out = {
    bench: 'bus',
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    durability,
    targetMet: target,
    runs,
    rows,
    allRuns: all,
  };
  writeFileSync(join(resultsDir, 'bus.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${join(resultsDir, 'bus.json')}`);
}
