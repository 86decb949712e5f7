/**
 * What the per-platform throughput benches share: a result row, the bare-SDK-vs-connector round
 * alternation with the paired-ratio figure, and flag parsing. Each bench supplies only its drivers.
 */

/** One measured round of one receiver. */
export interface Row {
  name: string;
  messages: number;
  window: number;
  messagesPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Drive `n` messages through one receiver with `window` in flight; resolves with the round's figures. */
export type Drive = (name: string, n: number, window: number) => Promise<Row>;

export interface Contestant {
  name: string;
  drive: Drive;
}

/** A round's row from its latencies in ms (sorted in place) and how long it took. */
export function roundRow(name: string, latencyMs: Float64Array, window: number, seconds: number): Row {
  const n = latencyMs.length;
  const sorted = latencyMs.sort();
  const pct = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  return { name, messages: n, window, messagesPerSec: n / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

/**
 * Closed-loop load for the platform benches: `window` messages in flight, the next one injected as
 * one arrives. Message `i` is injected by `inject(i)` with the text `bench <i>`; the receiver reports
 * each text it sees to `arrived`.
 */
export class WindowedLoad {
  readonly #n: number;
  readonly #window: number;
  readonly #inject: (i: number) => void;
  readonly #sentAt: bigint[];
  readonly #latencyMs: Float64Array;
  #next = 0;
  #delivered = 0;
  #done!: () => void;
  readonly #finished = new Promise<void>((r) => (this.#done = r));

  constructor(n: number, window: number, inject: (i: number) => void) {
    this.#n = n;
    this.#window = window;
    this.#inject = inject;
    this.#sentAt = new Array<bigint>(n);
    this.#latencyMs = new Float64Array(n);
  }

  /** The receiver saw the text `bench <i>`. */
  readonly arrived = (text: string): void => {
    const i = Number(text.slice(6));
    this.#latencyMs[this.#delivered++] = Number(process.hrtime.bigint() - this.#sentAt[i]!) / 1e6;
    if (this.#delivered === this.#n) this.#done();
    else this.#issue();
  };

  /** Inject the first `window` messages and wait for all `n`; the seconds it took. */
  async run(): Promise<number> {
    const start = process.hrtime.bigint();
    for (let k = 0; k < this.#window; k++) this.#issue();
    await this.#finished;
    return Number(process.hrtime.bigint() - start) / 1e9;
  }

  /** The round's row, once `run` resolved. */
  row(name: string, seconds: number): Row {
    return roundRow(name, this.#latencyMs, this.#window, seconds);
  }

  #issue(): void {
    if (this.#next >= this.#n) return;
    const i = this.#next++;
    this.#sentAt[i] = process.hrtime.bigint();
    this.#inject(i);
  }
}

/** The median round by rate. */
export function median<R extends { messagesPerSec: number }>(rows: R[]): R {
  return [...rows].sort((a, b) => a.messagesPerSec - b.messagesPerSec)[Math.floor(rows.length / 2)]!;
}

/** The value after `name` in argv, if present. */
export function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * Warm both up, then alternate rounds bare, connector, bare, ...; print the median rows and the
 * rounds, and judge the target (≥ 0.6 of the bare SDK) on the median of the pair ratios — each
 * connector round against the bare round just before it, since the machine's load drifts less within a
 * pair than across the run.
 */
export async function alternateRounds(bareSdk: Contestant, connector: Contestant, n: number, window: number, rounds: number) {
  await bareSdk.drive('warm-up', Math.min(n, 2_000), window);
  await connector.drive('warm-up', Math.min(n, 2_000), window);
  const bare: Row[] = [];
  const ours: Row[] = [];
  for (let r = 0; r < rounds; r++) {
    bare.push(await bareSdk.drive(bareSdk.name, n, window));
    ours.push(await connector.drive(connector.name, n, window));
  }
  const baseline = median(bare);
  const measured = median(ours);
  const pairs = ours.map((r, i) => r.messagesPerSec / bare[i]!.messagesPerSec).sort((a, b) => a - b);
  const ratio = pairs[Math.floor(pairs.length / 2)]!;
  console.table(
    [baseline, measured].map((r) => ({
      bench: r.name,
      messages: r.messages,
      window: r.window,
      'msg/s': Math.round(r.messagesPerSec),
      'p50 ms': r.p50Ms.toFixed(2),
      'p99 ms': r.p99Ms.toFixed(2),
      'vs bare SDK': (r.messagesPerSec / baseline.messagesPerSec).toFixed(3),
    })),
  );
  console.log(`rounds (msg/s): bare ${bare.map((r) => Math.round(r.messagesPerSec)).join(', ')}; connector ${ours.map((r) => Math.round(r.messagesPerSec)).join(', ')}`);
  const met = ratio >= 0.6;
  console.log(`throughput target (>= 0.6 of the bare SDK, median of paired rounds): ${met ? 'met' : 'MISSED'} (${ratio.toFixed(3)})`);
  return { baseline, connector: measured, ratio, met, rounds: { bare, connector: ours } };
}
