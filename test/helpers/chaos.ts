/**
 * The chaos harness shared by test/chaos/*: `switchboard run` against an emulator, an acking agent,
 * `n` injected messages, a background disturber at random intervals (paused while the runtime boots),
 * one SIGKILL and restart at a random point, then every text at the agent, each exactly once.
 * The platform files keep only what is theirs: how to inject, how to disturb, what to assert after.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { InboundEvent } from '../../src/bus/types.js';
import type { RuntimeStatus } from '../../src/control/protocol.js';
import { AckingAgent, prng } from './agent.js';
import { startCli, type LiveCli } from './cli.js';
import { until } from './tmp.js';

/** The seed of this run: CHAOS_SEED to repeat a failing one. */
export const CHAOS_SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

/** What a platform's chaos test supplies. */
export interface ChaosOptions {
  n: number;
  seed: number;
  /** The config file for `switchboard run`. */
  config: string;
  /** The runtime's state dir (where the control socket lives). */
  stateDir: string;
  /** Inject message `msg ${i}` at the emulator. */
  inject(i: number, random: () => number): void;
  /** One background disturbance; true when it hit something (counted in `drops`). */
  drop?(random: () => number): boolean;
  /** The background disturber sleeps min + random × spread ms between disturbances. */
  dropEveryMs?: [min: number, spread: number];
  /**
   * At least this many disturbances that hit, spread over the run: after each n / minDrops injections
   * the injector waits for the disturber to catch up (a loaded machine slows the injections less than
   * it delays the disturber's timers and the reconnects it waits for).
   */
  minDrops?: number;
  /** Per-injection chaos (not on the kill iteration). */
  onIteration?(i: number, random: () => number): void;
  /** Right after the SIGKILL, before the restart; returns the last index injected (default i). */
  whileDown?(i: number): number;
  /** The kill lands at n × (from + random × spread). */
  killWindow?: [from: number, spread: number];
  /** Pause min + random × spread ms after every `every`-th injection. */
  pause?: { every: number; min: number; spread: number };
  /** Wait for the connector online after the restart too (default true), not only the first boot. */
  onlineAfterRestart?: boolean;
  bootTimeoutMs?: number;
  /** After every text arrived: wait until the platform side is settled too (all acked, confirmed). */
  settled?: { what: string; check(): boolean };
}

/** What the platform's assertions need. */
export interface ChaosResult {
  /** The agent's deliveries, redeliveries of unconfirmed acks dropped (exactly `n`, asserted). */
  unique: InboundEvent[];
  /** Background disturbances that hit something. */
  drops: number;
  /** Everything the runtime processes wrote (stdout and stderr, both runs). */
  log: string;
}

/** Run the chaos scenario; asserts every text arrived, each exactly once; always kills the runtime. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const random = prng(o.seed);
  const agent = new AckingAgent(o.stateDir);
  const bootTimeout = o.bootTimeoutMs ?? 15_000;
  const logs: string[] = [];
  let runtime: LiveCli | undefined;
  const boot = async (first: boolean): Promise<void> => {
    if (runtime) logs.push(runtime.stdout(), runtime.stderr());
    runtime = startCli(['run', '--config', o.config]);
    await agent.connect(bootTimeout);
    // Inject only once the connector is online, so the chaos hits a live connector, not a booting one.
    if (first || o.onlineAfterRestart !== false) {
      await until(async () => (await agent.client!.request<RuntimeStatus>('status')).connectors[0]?.state === 'online', 'the connector online', bootTimeout);
    }
  };
  try {
    await boot(true);
    let drops = 0;
    let chaos = !!o.drop;
    let booting = false;
    const [minMs, spreadMs] = o.dropEveryMs ?? [150, 350];
    const disturber = (async () => {
      while (chaos) {
        await new Promise((r) => setTimeout(r, minMs + Math.floor(random() * spreadMs)));
        if (chaos && !booting && o.drop!(random)) drops++;
      }
    })();
    const [from, spread] = o.killWindow ?? [0.4, 0.2];
    const killAt = Math.floor(o.n * (from + random() * spread));
    const pause = o.pause ?? { every: 2, min: 4, spread: 16 };
    const step = o.minDrops ? Math.floor(o.n / o.minDrops) : 0;
    for (let i = 0; i < o.n; i++) {
      o.inject(i, random);
      if (step && (i + 1) % step === 0 && i !== killAt) {
        const due = (i + 1) / step;
        await until(() => drops >= due, `disturbance ${due} of ${o.minDrops}`, 20_000);
      }
      if (i === killAt) {
        await until(() => agent.deliveries.length > i - 100, 'some deliveries before the kill', 20_000);
        booting = true;
        runtime!.child.kill('SIGKILL');
        await runtime!.exited;
        i = o.whileDown?.(i) ?? i;
        await boot(false);
        booting = false;
      } else {
        o.onIteration?.(i, random);
      }
      if (i % pause.every === 0) await new Promise((r) => setTimeout(r, pause.min + Math.floor(random() * pause.spread)));
    }
    chaos = false;
    await disturber;
    await until(() => agent.distinctTexts() === o.n, `all ${o.n} events at the agent`, 45_000).catch((err: unknown) => {
      const seen = new Set(agent.deliveries.map((e) => e.text));
      const missing = Array.from({ length: o.n }, (_, i) => `msg ${i}`).filter((t) => !seen.has(t));
      throw new Error(`${String(err)}; missing ${missing.length}: ${missing.slice(0, 20).join(', ')}`);
    });
    if (o.settled) await until(o.settled.check, o.settled.what, 15_000);
    logs.push(runtime!.stdout(), runtime!.stderr());
    // One id per platform message (the dedup key absorbed every redelivery), no confirmed ack
    // redelivered; dropping redeliveries of acks not yet confirmed: each exactly once.
    const unique = agent.expectExactlyOnce(o.n);
    return { unique, drops, log: logs.join('') };
  } finally {
    agent.close();
    await runtime?.kill();
  }
}

/** The message numbers (`msg <n>`) each conversation received, in delivery order. */
export function numbersByConversation(events: InboundEvent[]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  for (const e of events) by.set(e.conversation.id, [...(by.get(e.conversation.id) ?? []), Number(e.text!.split(' ')[1])]);
  return by;
}

/**
 * Assert message i went to conversation `ids[i % ids.length]`, each conversation receiving all of
 * its messages in order (or, with `anyOrder`, all of them in some order).
 */
export function expectRoundRobin(events: InboundEvent[], ids: string[], n: number, options: { anyOrder?: boolean } = {}): void {
  const by = numbersByConversation(events);
  for (const [k, id] of ids.entries()) {
    const nums = by.get(id) ?? [];
    if (options.anyOrder) nums.sort((a, b) => a - b);
    expect(nums).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => i % ids.length === k));
  }
}
