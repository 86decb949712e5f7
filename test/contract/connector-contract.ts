/**
 * The shared connector contract suite. Every connector's test file runs it in a few lines:
 *
 *   runConnectorContract({ platform: 'telegram', setup: async () => { ...start emulator...; return { block, platform } } });
 *
 * It drives the connector through the registry (as the runtime does), against its emulator, with the
 * real journal, and checks: start → online, receive + normalize, journal-before-ack, send, restart
 * after a dropped connection, redelivery absorbed by the dedup key, stop, and the state transitions;
 * contract-ack-lifecycle.ts adds: refused and duplicate events acked for good, no echo of its own sends,
 * stop() idempotent and final, and the live connector matching its schema's plan.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../connectors/registry.js';
import type { AgentBus } from '../../src/bus/bus.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import { openJournal } from '../../src/bus/journal.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { StateTracker, type Connector, type ConnectorContext, type ConnectorState, type IngestResult, type ListenerInfo } from '../../src/connector.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ConnectorConfig } from '../../src/registry-types.js';
import { makeTempDir, until } from '../helpers/tmp.js';
import { runAckAndLifecycleChecks, type ContractRun } from './contract-ack-lifecycle.js';

/** The platform side, as the suite needs to drive it. */
export interface ContractPlatform {
  /** Deliver a text message from a user; resolves once the emulator has queued it. */
  injectMessage(text: string): Promise<void> | void;
  /** Conversation id the injected messages arrive in (where `send` is aimed). */
  conversationId: string;
  /** Texts of every message the bot sent, in order. */
  sentTexts(): string[];
  /** Events the platform has delivered or queued but not yet seen acknowledged. */
  unacked(): number;
  /**
   * Cut the connection abruptly, as a network failure would. For a webhook platform: cut the next
   * delivery halfway (the tunnel dropping); the platform's redelivery must still bring the event.
   */
  dropConnection(): void;
  /** Webhook platforms: called after every start with the connector's listeners, to learn where to deliver. */
  attach?(listeners: ListenerInfo[]): void;
  close(): Promise<void>;
}

export interface ContractHarness {
  platform: string;
  /** Start the emulator; return the connector block (secrets already resolved) that reaches it. */
  setup(): Promise<{ block: ConnectorConfig; platform: ContractPlatform }>;
}

export function runConnectorContract(harness: ContractHarness): void {
  describe(`connector contract: ${harness.platform}`, () => {
    let tmp: ReturnType<typeof makeTempDir>;
    let bus: AgentBus;
    let platform: ContractPlatform;
    let connector: Connector;
    let state: StateTracker;
    let transitions: ConnectorState[];
    let received: InboundEvent[];
    let gate: Promise<void> | undefined;
    let failures: unknown[];
    let abort: AbortController;
    let block: ConnectorConfig;
    /** Every draft the connector offered to ingest, in order (whatever ingest answered). */
    let offered: EventDraft[];
    /** When set and it answers, ingest resolves that instead of journaling (refused / duplicate). */
    let verdict: ((draft: EventDraft) => IngestResult | undefined) | undefined;

    const ctx = (): ConnectorContext => ({
      log: silentLogger(),
      clock: systemClock,
      ingest: async (draft: EventDraft) => {
        offered.push(draft);
        const answer = verdict?.(draft);
        if (answer) return answer;
        if (gate) await gate;
        const r = await bus.append(draft);
        return r.status === 'appended' ? r : { status: 'duplicate' };
      },
      reject: () => undefined,
      fail: (err) => failures.push(err),
    });

    beforeEach(async () => {
      tmp = makeTempDir('sb-contract-');
      bus = openJournal({ dir: tmp.dir });
      received = [];
      failures = [];
      offered = [];
      verdict = undefined;
      gate = undefined;
      bus.subscribe('contract', (e) => {
        received.push(e);
        void bus.ack('contract', e.id);
      });
      const setup = await harness.setup();
      platform = setup.platform;
      block = setup.block;
      const entry = registry[harness.platform];
      if (!entry) throw new Error(`platform ${harness.platform} is not in connectors/registry.ts`);
      state = new StateTracker(systemClock);
      transitions = [];
      state.on('change', (c) => transitions.push(c.state));
      connector = (await entry.load()).create(setup.block, { name: 'contract', log: silentLogger(), clock: systemClock, stateDir: tmp.dir, state });
      abort = new AbortController();
    });

    /** Start, then tell a webhook platform where the listener is. */
    const start = async () => {
      await connector.start(ctx(), abort.signal);
      platform.attach?.(connector.listeners());
    };

    /** What the ack and lifecycle checks read of this test's world (built anew in beforeEach). */
    const run: ContractRun = {
      get connector() { return connector; },
      get platform() { return platform; },
      get block() { return block; },
      get transitions() { return transitions; },
      get received() { return received; },
      get offered() { return offered; },
      get failures() { return failures; },
      setVerdict: (v) => (verdict = v),
      start,
    };

    afterEach(async () => {
      abort.abort();
      await connector.stop();
      await platform.close();
      await bus.close();
      tmp.cleanup();
    });

    it('starts offline, goes connecting → online, and an outbound connector reports no listener', async () => {
      expect(connector.status().state).toBe('offline');
      await start();
      expect(connector.status().state).toBe('online');
      expect(transitions.slice(0, 2)).toEqual(['connecting', 'online']);
      // Outbound: nothing listens beyond what the plan declares (Mattermost's button callbacks; docs/architecture.md).
      const plan = (await registry[harness.platform]!.schema()).describe(block);
      if (connector.transport === 'outbound-socket') expect(connector.listeners()).toHaveLength(plan.listeners.length);
      expect(connector.name).toBe('contract');
      expect(connector.platform).toBe(harness.platform);
    });

    it('receives a message and normalizes it to a valid bus event', async () => {
      await start();
      await platform.injectMessage('hello contract');
      await until(() => received.length === 1, 'the event on the bus');
      const event = inboundEventSchema.parse(received[0]);
      expect(event).toMatchObject({
        connector: 'contract',
        platform: harness.platform,
        kind: 'message',
        text: 'hello contract',
        conversation: { id: platform.conversationId },
        provenance: { transport: connector.transport, sender: 'unknown' },
      });
      expect(event.dedupKey.startsWith('contract:')).toBe(true);
      await until(() => platform.unacked() === 0, 'the platform to see the ack');
    });

    it('journals before it acknowledges: nothing is acked while the journal write is pending', async () => {
      await start();
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      await platform.injectMessage('held');
      await until(() => platform.unacked() === 1, 'the platform to deliver');
      await new Promise((r) => setTimeout(r, 200));
      expect(platform.unacked()).toBe(1);
      expect(received).toHaveLength(0);
      release();
      await until(() => platform.unacked() === 0, 'the ack after journaling');
      await until(() => received.length === 1, 'the event on the bus');
    });

    it('does not acknowledge an event the journal refused, and gets it again', async () => {
      await start();
      let refuse = true;
      gate = Promise.resolve();
      const real = bus.append.bind(bus);
      bus.append = async (d) => {
        if (refuse) {
          refuse = false;
          throw new Error('disk full');
        }
        return real(d);
      };
      await platform.injectMessage('retry me');
      await until(() => received.length === 1, 'the redelivered event on the bus');
      expect(received[0]!.text).toBe('retry me');
      await until(() => platform.unacked() === 0, 'the ack');
    });

    it('sends a message the platform receives', async () => {
      await start();
      const result = await connector.send({ type: 'send', connector: 'contract', conversation: platform.conversationId, text: 'hi from the agent' });
      expect(result.messageIds.length).toBeGreaterThan(0);
      await until(() => platform.sentTexts().includes('hi from the agent'), 'the platform to receive the message');
    });

    it('comes back online after a dropped connection and loses nothing', async () => {
      await start();
      await platform.injectMessage('before drop');
      await until(() => received.length === 1, 'first event');
      const before = transitions.length;
      platform.dropConnection();
      await platform.injectMessage('during outage');
      // The reconnect can be quick: look for the transition, not a moment in the state. A webhook
      // connector has no connection of its own to lose: the platform redelivers what was cut.
      if (connector.transport === 'outbound-socket') await until(() => transitions.slice(before).includes('reconnecting'), 'the drop to be noticed');
      await until(() => connector.status().state === 'online', 'reconnected');
      await platform.injectMessage('after drop');
      await until(() => received.length === 3, 'all three events');
      expect(received.map((e) => e.text)).toEqual(['before drop', 'during outage', 'after drop']);
      if (connector.transport === 'outbound-socket') expect(transitions).toContain('reconnecting');
      expect(failures).toEqual([]);
    });

    it('stops cleanly to offline, and can start again', async () => {
      await start();
      await connector.stop();
      expect(connector.status().state).toBe('offline');
      abort = new AbortController();
      await start();
      expect(connector.status().state).toBe('online');
      await platform.injectMessage('second life');
      await until(() => received.some((e) => e.text === 'second life'), 'event after restart');
    });

    runAckAndLifecycleChecks(harness.platform, run);
  });
}
