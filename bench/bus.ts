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
 * lone event. Each row is measured after an unmeasured warm-up run of the same code.
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
  const sentAt = new Array<bigint>(n);
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
    latencyMs[i] = Number(process.hrtime.bigint() - sentAt[i]!) / 1e6;
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
    sentAt[i] = process.hrtime.bigint();
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

/** Measure `row` after an unmeasured run of the same code, so JIT compilation is not in the figures. */
async function warm(row: (n: number) => Promise<Row>, n: number): Promise<Row> {
  await row(Math.min(n, WARMUP));
  return row(n);
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Run the bus benchmark; `--window W`, `--durability normal|full`. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 50_000;
  const window = Number(flag(ctx.argv, '--window') ?? 50);
  const durability: Durability = flag(ctx.argv, '--durability') === 'full' ? 'full' : 'normal';
  const serialN = Math.max(1, Math.min(n, Math.floor(n / 10)));
  // The machine may be shared: the load says how far to trust the tail latencies.
  const loadBefore = loadavg()[0]!;

  const baseline = await warm((k) => drive('memory array (baseline)', memoryTarget(), k, window), n);
  const journal = await warm((k) => journalRow(`journal, ${durability}`, k, window, durability), n);
  const serial = await warm((k) => journalRow(`journal, ${durability}, window 1`, k, 1, durability), serialN);
  const rows = [baseline, journal, serial];

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
    rows,
  };
  writeFileSync(join(resultsDir, 'bus.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${join(resultsDir, 'bus.json')}`);
}
