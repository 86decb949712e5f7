/**
 * Part of the shared connector contract suite (connector-contract.ts runs it inside every platform's
 * suite): what DESIGN.md asks of every connector beyond receiving and sending. Events ingest refused or
 * recognized as duplicates are acknowledged and never come back; the bot's own messages are never
 * inbound; stop() is idempotent and final; the live connector matches the plan its schema describes.
 */
import { expect, it } from 'vitest';
import { registry } from '../../connectors/registry.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import type { Connector, ConnectorState, IngestResult, ListenerInfo } from '../../src/connector.js';
import type { ConnectorConfig } from '../../src/registry-types.js';
import { until } from '../helpers/tmp.js';
import type { ContractPlatform } from './connector-contract.js';

/** One contract test's world, as the suite built it in beforeEach (read through getters). */
export interface ContractRun {
  readonly connector: Connector;
  readonly platform: ContractPlatform;
  readonly block: ConnectorConfig;
  readonly transitions: ConnectorState[];
  /** Events that reached the bus subscriber. */
  readonly received: InboundEvent[];
  /** Every draft offered to ingest, whatever ingest answered. */
  readonly offered: EventDraft[];
  readonly failures: unknown[];
  /** Make ingest answer `refused` / `duplicate` (instead of journaling) for the drafts `v` picks. */
  setVerdict(v: (draft: EventDraft) => IngestResult | undefined): void;
  /** Start the connector and tell a webhook platform where it listens. */
  start(): Promise<void>;
}

/** Register the ack and lifecycle checks; call inside the suite's `describe`. */
export function runAckAndLifecycleChecks(platformName: string, run: ContractRun): void {
  /** Cut the connection and wait until the connector is back online (a webhook one never leaves it). */
  const dropAndRecover = async () => {
    const before = run.transitions.length;
    run.platform.dropConnection();
    if (run.connector.transport === 'outbound-socket') await until(() => run.transitions.slice(before).includes('reconnecting'), 'the drop to be noticed');
    await until(() => run.connector.status().state === 'online', 'reconnected');
  };

  /** Inject a message and wait until it is journaled: the proof that traffic flows again. */
  const deliverProbe = async (text: string) => {
    await run.platform.injectMessage(text);
    await until(() => run.received.some((e) => e.text === text), `"${text}" on the bus`);
  };

  const offeredWith = (text: string) => run.offered.filter((d) => d.text === text);
  const texts = () => run.received.map((e) => e.text);

  // DESIGN: "on every outcome the connector acknowledges the platform and moves on". An event ingest
  // refused (access policy) or recognized as a duplicate is acked like a journaled one, so the platform
  // never brings it back: not on a reconnect (resume, catch-up, redelivery of unacked), not later.
  // For a webhook platform the ack is the 2xx answer; the drop then cuts the probe's delivery instead.
  for (const outcome of ['refused', 'duplicate'] as const) {
    it(`acknowledges an event ingest ${outcome}: offered once, not again after a reconnect`, async () => {
      const text = `${outcome} by ingest`;
      run.setVerdict((d) => (d.text !== text ? undefined : outcome === 'refused' ? { status: 'refused', reason: 'contract' } : { status: 'duplicate' }));
      await run.start();
      await run.platform.injectMessage(text);
      await until(() => offeredWith(text).length === 1, 'the event offered to ingest');
      await until(() => run.platform.unacked() === 0, `the platform to see the ${outcome} event acknowledged`);
      const key = offeredWith(text)[0]!.dedupKey;
      await dropAndRecover();
      await deliverProbe('after the reconnect');
      await deliverProbe('later still');
      expect(run.offered.filter((d) => d.dedupKey === key)).toHaveLength(1);
      expect(texts()).toEqual(['after the reconnect', 'later still']);
      await until(() => run.platform.unacked() === 0, 'the platform to see everything acknowledged');
      expect(run.failures).toEqual([]);
    });
  }

  // Platforms that show the bot its own posts (Discord, Mattermost, Slack with echo on) deliver the
  // sent message back, live and again in a resume or catch-up after a drop: none of it is inbound.
  it('never takes a message it sent for an inbound one, live or after a reconnect', async () => {
    await run.start();
    const text = 'echo probe from the agent';
    await run.connector.send({ type: 'send', connector: 'contract', conversation: run.platform.conversationId, text });
    await until(() => run.platform.sentTexts().includes(text), 'the platform to receive the message');
    await deliverProbe('after the send');
    await dropAndRecover();
    await deliverProbe('after the reconnect');
    expect(offeredWith(text)).toEqual([]);
    expect(texts()).toEqual(['after the send', 'after the reconnect']);
    await until(() => run.platform.unacked() === 0, 'the platform to see everything acknowledged');
  });

  it('stop() is idempotent and final: no platform traffic reaches ingest afterwards', async () => {
    await run.start();
    await deliverProbe('before stop');
    await Promise.all([run.connector.stop(), run.connector.stop()]);
    await run.connector.stop();
    expect(run.connector.status().state).toBe('offline');
    const seen = run.offered.length;
    const from = run.transitions.length;
    await run.platform.injectMessage('after stop');
    // A negative check has to wait: long enough for a live connector to have fetched and journaled it.
    await new Promise((r) => setTimeout(r, 600));
    expect(run.offered).toHaveLength(seen);
    expect(texts()).toEqual(['before stop']);
    expect(run.connector.status().state).toBe('offline');
    expect(run.transitions.slice(from)).toEqual([]);
    expect(run.failures).toEqual([]);
  });

  it('stop() before start resolves and leaves it offline', async () => {
    await run.connector.stop();
    await run.connector.stop();
    expect(run.connector.status().state).toBe('offline');
    expect(run.transitions.filter((t) => t !== 'stopping' && t !== 'offline')).toEqual([]);
  });

  it('agrees with its plan: transport, listeners and verification of describe(block)', async () => {
    const plan = (await registry[platformName]!.schema()).describe(run.block);
    await run.start();
    expect(run.connector.transport).toBe(plan.transport);
    // The plan's bind may say port 0; the live one names the port it got.
    const shape = (l: ListenerInfo) => ({ host: l.bind.replace(/:\d+$/, ''), exposure: l.exposure, verification: l.verification });
    const live = run.connector.listeners();
    expect(live.map(shape)).toEqual(plan.listeners.map(shape));
    for (const l of live) expect(l.bind).toMatch(/:[1-9]\d*$/);
    await deliverProbe('plan probe');
    expect(run.received[0]!.provenance).toMatchObject({ transport: plan.transport, verified: plan.verification });
  });
}
