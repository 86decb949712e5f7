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
