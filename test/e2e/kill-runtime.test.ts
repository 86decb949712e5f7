/**
 * `kill -9` of the runtime mid-stream loses no event and shows an acking agent none twice.
 * The platform (loopback emulator) redelivers whatever was not acked to it; the journal's dedup key
 * absorbs what had already been journaled; the agent's cursor resumes after what it acked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackEmulator, type LoopbackEmulator } from '../../connectors/loopback/emulator.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { ControlClient } from '../../src/control/client.js';
import { startCli, type LiveCli } from '../helpers/cli.js';
import { writeLoopbackConfig } from '../helpers/loopback-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';
import { join } from 'node:path';

const TOKEN = 'lbtoken-kill-0a1b2c3d4e5f';
const N = 600;

describe('kill -9 of the runtime', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: LoopbackEmulator;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-kill-');
    emulator = await startLoopbackEmulator({ token: TOKEN });
  });
  afterEach(async () => {
    if (runtime && runtime.child.exitCode === null) {
      runtime.child.kill('SIGKILL');
      await runtime.exited;
    }
    await emulator.close();
    tmp.cleanup();
  });

  it(`delivers all ${N} events exactly once across two SIGKILLs`, async () => {
    const config = writeLoopbackConfig(tmp.dir, emulator.endpoint, TOKEN);
    const stateDir = join(tmp.dir, 'state');
    const deliveries: InboundEvent[] = [];
    const confirmedAcks = new Set<string>();
    const redeliveredAfterAck: string[] = [];
    let client: ControlClient | undefined;

    async function boot(): Promise<void> {
      runtime = startCli(['run', '--config', config]);
      await until(async () => {
        try {
          client = await ControlClient.connect(stateDir);
          return true;
        } catch {
          return false;
        }
      }, 'the control socket', 15_000);
      await client!.subscribe('agent', (event) => {
        if (confirmedAcks.has(event.id)) redeliveredAfterAck.push(event.id);
        deliveries.push(event);
        const c = client!;
        c.ack(event.id).then(
          () => confirmedAcks.add(event.id),
          () => undefined, // the runtime died before the ack landed: the event may come again
        );
      });
    }

    await boot();
    const killAt = [Math.floor(N * 0.3), Math.floor(N * 0.7)];
    for (let i = 0; i < N; i++) {
      emulator.injectMessage(`msg ${i}`, { chat: { id: `chat-${i % 3}`, type: 'dm' } });
      if (killAt.includes(i)) {
        await until(() => deliveries.length > i - 50, 'some deliveries before the kill');
        runtime!.child.kill('SIGKILL');
        await runtime!.exited;
        client?.close();
        await boot();
      } else if (i % 50 === 0) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await until(() => new Set(deliveries.map((e) => e.text)).size === N, `all ${N} events at the agent`, 30_000);
    await until(() => emulator.pending() === 0, 'the platform to see every ack');

    // Journal: one id per platform message (the dedup key absorbed the redeliveries).
    const idsPerText = new Map<string, Set<string>>();
    for (const e of deliveries) idsPerText.set(e.text!, (idsPerText.get(e.text!) ?? new Set()).add(e.id));
    expect([...idsPerText.values()].every((ids) => ids.size === 1)).toBe(true);
    // No event whose ack the runtime confirmed was ever delivered again.
    expect(redeliveredAfterAck).toEqual([]);
    // After dropping redeliveries of not-yet-confirmed acks (what the agent client does), each once, in order per conversation.
    const seen = new Set<string>();
    const unique = deliveries.filter((e) => !seen.has(e.id) && seen.add(e.id));
    expect(unique).toHaveLength(N);
    for (const chat of ['chat-0', 'chat-1', 'chat-2']) {
      const nums = unique.filter((e) => e.conversation.id === chat).map((e) => Number(e.text!.split(' ')[1]));
      expect(nums).toEqual([...nums].sort((a, b) => a - b));
    }
    client?.close();
  }, 90_000);
});
