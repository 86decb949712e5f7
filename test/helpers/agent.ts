/**
 * An acking agent for crash and chaos tests: subscribes through the control socket like a real agent,
 * acks every event, and records what a test needs to prove "each exactly once": every delivery,
 * which acks the runtime confirmed, and any event delivered again after its ack was confirmed.
 */
import { expect } from 'vitest';
import type { InboundEvent } from '../../src/bus/types.js';
import { ControlClient } from '../../src/control/client.js';
import { until } from './tmp.js';

export class AckingAgent {
  readonly deliveries: InboundEvent[] = [];
  readonly confirmedAcks = new Set<string>();
  /** Events delivered again after the runtime had confirmed their ack: must stay empty. */
  readonly redeliveredAfterAck: string[] = [];
  client: ControlClient | undefined;

  constructor(private readonly stateDir: string, private readonly subscriber = 'agent') {}

  /** Wait for the runtime's control socket, then subscribe (again, after a restart). */
  async connect(timeoutMs = 15_000): Promise<void> {
    this.client?.close();
    await until(async () => {
      try {
        this.client = await ControlClient.connect(this.stateDir);
        return true;
      } catch {
        return false;
      }
    }, 'the control socket', timeoutMs);
    const client = this.client!;
    await client.subscribe(this.subscriber, (event) => {
      if (this.confirmedAcks.has(event.id)) this.redeliveredAfterAck.push(event.id);
      this.deliveries.push(event);
      client.ack(event.id).then(
        () => this.confirmedAcks.add(event.id),
        () => undefined, // the runtime died before the ack landed: the event may come again
      );
    });
  }

  /** Distinct texts seen so far. */
  distinctTexts(): number {
    return new Set(this.deliveries.map((e) => e.text)).size;
  }

  /**
   * Assert the journal kept one id per platform message (by text), no confirmed ack was redelivered,
   * and — dropping redeliveries of acks not yet confirmed, as an agent client does — `n` events
   * remain. Returns those events in delivery order.
   */
  expectExactlyOnce(n: number): InboundEvent[] {
    const idsPerText = new Map<string, Set<string>>();
    for (const e of this.deliveries) idsPerText.set(e.text!, (idsPerText.get(e.text!) ?? new Set()).add(e.id));
    expect([...idsPerText.entries()].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    expect(this.redeliveredAfterAck).toEqual([]);
    const seen = new Set<string>();
    const unique = this.deliveries.filter((e) => !seen.has(e.id) && seen.add(e.id));
    expect(unique).toHaveLength(n);
    return unique;
  }

  close(): void {
    this.client?.close();
  }
}

/** A small seeded PRNG (mulberry32), so a failing chaos run can be repeated with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
