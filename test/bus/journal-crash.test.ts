/**
 * kill -9 of the runtime at random points loses no appended event and shows an acking agent no event
 * twice. The child (test/fixtures/journal-runtime.mjs) owns the journal; this test plays the platform
 * (sends events, resends the unconfirmed ones after every restart, and some confirmed ones to exercise
 * dedup) and the agent (acks every delivery, and de-duplicates by id as the agent client does).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/bus/journal.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { prng } from '../helpers/agent.js';
import { collector, draft, settle, tempDirs } from './journal-helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/journal-runtime.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/src/bus/journal.js', import.meta.url));
const N = 2000;
const KILLS = 5;
/** Appends the platform has sent without a reply, at most. */
const WINDOW = 50;

type Reply =
  | { ready: true }
  | { deliver: InboundEvent }
  | { appended: string; id: string }
  | { duplicate: string }
  | { acked: string }
  | { error: string };

/** One incarnation of the child runtime, with its replies fed to `onReply` in order. */
class Runtime {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  lines = 0;
  /** Ids delivered by this incarnation: within one subscription nothing may come twice. */
  readonly delivered = new Set<string>();
  #waiters: { pred: () => boolean; resolve: () => void }[] = [];

  constructor(dir: string, onReply: (r: Reply) => void) {
    this.child = spawn(process.execPath, [FIXTURE, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {}); // EPIPE after a kill is expected
    let stderr = '';
    this.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // 'close', not 'exit': it comes after stdout has been read to the end, so no reply is missed.
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`journal-runtime exited ${code}: ${stderr}\n`);
        this.#check(true);
        resolve(code);
      }),
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        return; // the line cut short by SIGKILL
      }
      this.lines += 1;
      onReply(reply);
      this.#check(false);
    });
  }

  send(msg: unknown): void {
    if (this.child.stdin.writable) this.child.stdin.write(JSON.stringify(msg) + '\n');
  }

  /** Resolves when `pred` holds (checked after every reply), the child has exited, or `timeoutMs` passed. */
  until(pred: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  #check(exited: boolean): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!exited && !w.pred()) return true;
      w.resolve();
      return false;
    });
  }
}

const dirs = tempDirs();
let current: Runtime | undefined;

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error('dist/src/bus/journal.js is missing: run npm run build (npm test does it)');
});

afterEach(async () => {
  if (current && current.child.exitCode === null) {
    current.child.kill('SIGKILL');
    await current.exited;
  }
  dirs.cleanup();
});

describe('journal under kill -9', () => {
  it('loses no appended event and redelivers no acked one', { timeout: 60_000 }, async () => {
    const seed = Number(process.env.SB_CRASH_SEED ?? Date.now() % 1e9);
    const random = prng(seed); // seeded, so a failure can be replayed with SB_CRASH_SEED
    const ctx = `seed ${seed} (rerun with SB_CRASH_SEED=${seed})`;
    const dir = dirs.make();
    const drafts = Array.from({ length: N }, (_, i) => draft(i));

    const confirmed = new Set<string>(); // dedupKeys whose append reply arrived
    const ackConfirmed = new Set<string>(); // ids whose ack reply arrived
    const firstSeen: string[] = []; // ids in the order the agent first saw them
    const seen = new Set<string>();
    const redeliveredAfterAck: string[] = [];
    const twiceInOneLife: string[] = [];
    const errors: string[] = [];
    let duplicatesReported = 0;
    let inFlight = 0;
    let sendAppends = (): void => {};

    const onReply = (r: Reply): void => {
      if ('deliver' in r) {
        const id = r.deliver.id;
        if (ackConfirmed.has(id)) redeliveredAfterAck.push(id);
        if (current!.delivered.has(id)) twiceInOneLife.push(id);
        current!.delivered.add(id);
        if (!seen.has(id)) {
          seen.add(id);
          firstSeen.push(id);
        }
        current!.send({ ack: id }); // the agent acks every delivery, redeliveries included
      } else if ('appended' in r) {
        confirmed.add(r.appended);
        inFlight -= 1;
        sendAppends();
      } else if ('duplicate' in r) {
        duplicatesReported += 1;
        confirmed.add(r.duplicate); // refused because it is already in the journal
        inFlight -= 1;
        sendAppends();
      } else if ('acked' in r) ackConfirmed.add(r.acked);
      else if ('error' in r) errors.push(r.error);
    };
    const allDone = (): boolean => confirmed.size === N && seen.size === N && ackConfirmed.size === N;

    for (let life = 0; life <= KILLS; life++) {
      current = new Runtime(dir, onReply);
      await current.until(() => current!.lines > 0);
      // The platform redelivers everything it has no confirmation for, in order, and now and then
      // something that was confirmed (its ack to the platform got lost)...
      const outbox = drafts.filter((d) => !confirmed.has(d.dedupKey));
      const confirmedKeys = [...confirmed];
      for (let k = 0; k < 25 && confirmedKeys.length > 0; k++) {
        const key = confirmedKeys[Math.floor(random() * confirmedKeys.length)]!;
        outbox.splice(Math.floor(random() * outbox.length), 0, drafts[Number(key.split(':')[1])]!);
      }
      // ...with a bounded number in flight, so appends, deliveries and acks interleave all along and
      // a kill can land in the middle of any of them.
      sendAppends = () => {
        while (outbox.length > 0 && inFlight < WINDOW) {
          inFlight += 1;
          current!.send({ append: outbox.shift() });
        }
      };
      inFlight = 0;
      sendAppends();
      // The agent re-sends the acks it has no reply for: the runtime may have died after an ack was
      // durable but before it answered, and then that event is (rightly) not redelivered.
      for (const id of seen) if (!ackConfirmed.has(id)) current.send({ ack: id });
      if (life < KILLS) {
        // Kill at a random point of the stream: after some replies, mid-append or mid-ack.
        const at = current.lines + 20 + Math.floor(random() * 1500);
        await current.until(() => current!.lines >= at || allDone(), 5_000);
        current.child.kill('SIGKILL');
      } else {
        // Bounded, so a lost event fails the assertions below instead of timing the test out.
        await current.until(allDone, 20_000);
        current.child.stdin.end(); // clean shutdown
      }
      await current.exited;
    }

    expect(errors, ctx).toEqual([]);
    expect(allDone(), ctx).toBe(true);
    expect(duplicatesReported, ctx).toBeGreaterThan(0);
    // No event whose ack was confirmed was ever delivered again.
    expect(redeliveredAfterAck, ctx).toEqual([]);
    expect(twiceInOneLife, ctx).toEqual([]);
    // De-duplicated by id, the agent saw each event once, in journal order.
    expect(firstSeen.length, ctx).toBe(N);
    expect([...firstSeen].sort(), ctx).toEqual(firstSeen);

    // Every one of the N events is in the journal exactly once, in the order the agent saw them.
    const journal = openJournal({ dir });
    try {
      expect(journal.stats().stored, ctx).toBe(N);
      const all = collector();
      journal.subscribe('verify', all.onEvent);
      await all.waitFor(N, 10_000);
      await settle();
      expect(all.events.map((e) => e.id), ctx).toEqual(firstSeen);
      expect(new Set(all.events.map((e) => e.dedupKey)).size, ctx).toBe(N);
      // And the agent's cursor survived every kill: nothing is left to redeliver.
      const agent = collector();
      journal.subscribe('agent', agent.onEvent);
      await settle(10);
      expect(agent.events, ctx).toEqual([]);
    } finally {
      await journal.close();
    }
  });
});
