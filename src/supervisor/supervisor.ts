/**
 * Starts every enabled connector of the config (each module imported only when the config names its
 * platform), routes outbound commands to them, reports their status, and stops them in order.
 */
import type { Logger } from 'pino';
import type { AgentBus } from '../bus/bus.js';
import type { OutboundCommand, SendResult, Transport, Verification } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { StateTracker, type ConnectorPlan, type ConnectorState, type ListenerInfo } from '../connector.js';
import { SbError } from '../errors.js';
import type { ConnectorConfig, ConnectorModule } from '../registry-types.js';
import { AccessGate } from '../security/access-gate.js';
import { accessPolicy } from '../security/access-policy.js';
import type { AccessStore } from '../security/access-store.js';
import type { BackoffOptions } from './backoff.js';
import { ConnectorRunner } from './runner.js';

/** One row of `switchboard status`. */
export interface ConnectorReport {
  name: string;
  platform: string;
  transport: Transport;
  verification: Verification;
  state: ConnectorState | 'disabled' | 'not running';
  since?: string;
  reason?: string;
  listeners: ListenerInfo[];
  eventsIn: number;
  duplicates: number;
  rejected: number;
  rejectedBy: Record<string, number>;
  lastEventAt?: string;
  restarts: number;
}

export interface SupervisorOptions {
  connectors: Readonly<Record<string, ConnectorConfig>>;
  /** Import the connector module of a platform (the registry's `load`). */
  loadModule: (platform: string) => Promise<ConnectorModule>;
  /**
   * Each connector's static plan (what `status` shows without a runtime): its transport and verification
   * scheme, reported even for a disabled connector, and the listeners it declares — an outbound
   * connector may open only these.
   */
  plan: (name: string) => Pick<ConnectorPlan, 'transport' | 'verification' | 'listeners'>;
  bus: AgentBus;
  log: Logger;
  clock: Clock;
  stateDir: string;
  /** Pairings and button intents (access.db): each connector's access gate reads it. */
  access: AccessStore;
  backoff?: BackoffOptions;
}

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #runners = new Map<string, ConnectorRunner>();
  readonly #states = new Map<string, StateTracker>();

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /** Create and start every enabled connector; resolves when each has made its first attempt. */
  async start(): Promise<void> {
    const { connectors, loadModule, bus, log, clock, stateDir } = this.#options;
    for (const [name, config] of Object.entries(connectors)) {
      if (!config.enabled) continue;
      const module = await loadModule(config.platform);
      const clog = log.child({ connector: name, platform: config.platform });
      const state = new StateTracker(clock);
      const connector = module.create(config, { name, log: clog, clock, stateDir, state });
      this.#states.set(name, state);
      const gate = new AccessGate({
        connector: name,
        policy: accessPolicy(config.access as Parameters<typeof accessPolicy>[0]),
        store: this.#options.access,
        clock,
        log: clog,
        reply: (conversation, text) => connector.send({ type: 'send', connector: name, conversation, text }),
      });
      this.#runners.set(name, new ConnectorRunner({ connector, state, bus, log: clog, clock, gate, declaredListeners: this.#options.plan(name).listeners, ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}) }));
    }
    await Promise.all([...this.#runners.values()].map((r) => r.start()));
  }

  /** Route an outbound command to its connector. */
  async send(cmd: OutboundCommand): Promise<SendResult> {
    const runner = this.#runners.get(cmd.connector);
    if (!runner) {
      const known = [...this.#runners.keys()].join(', ') || 'none';
      throw new SbError('SB_E_UNKNOWN_CONNECTOR', `no running connector named "${cmd.connector}" (running: ${known})`);
    }
    const log = this.#options.log.child({ connector: cmd.connector, command: cmd.type, ...(cmd.correlationId ? { correlationId: cmd.correlationId } : {}) });
    try {
      const result = await runner.connector.send(cmd);
      log.debug({ messageIds: result.messageIds }, 'outbound command delivered');
      if (cmd.type === 'buttons') {
        // Recorded after the send (the message ids are the platform's); a press checks against it.
        this.#options.access.intents.record(cmd.connector, cmd.conversation, result.messageIds, cmd.buttons, cmd.allowedUsers);
      }
      return result;
    } catch (err) {
      log.warn({ err }, 'outbound command failed');
      throw err;
    }
  }

  report(): ConnectorReport[] {
    return Object.entries(this.#options.connectors).map(([name, config]) => {
      const runner = this.#runners.get(name);
      const plan = this.#options.plan(name);
      if (!runner) {
        return {
          name, platform: config.platform, transport: plan.transport, verification: plan.verification,
          state: 'disabled' as const, listeners: [], eventsIn: 0, duplicates: 0, rejected: 0, rejectedBy: {}, restarts: 0,
        };
      }
      const status = runner.connector.status();
      const c = runner.counters;
      return {
        name,
        platform: config.platform,
        transport: runner.connector.transport,
        verification: plan.verification,
        state: status.state,
        since: status.since,
        ...(status.reason ? { reason: status.reason } : {}),
        listeners: runner.connector.listeners(),
        eventsIn: c.eventsIn,
        duplicates: c.duplicates,
        rejected: c.rejected,
        rejectedBy: { ...c.rejectedBy },
        ...(c.lastEventAt ? { lastEventAt: c.lastEventAt } : {}),
        restarts: c.restarts,
      };
    });
  }

  /** Stop taking new events on every connector (first step of a graceful shutdown). */
  stopIntake(): void {
    for (const r of this.#runners.values()) r.stopIntake();
  }

  /** Stop every connector, draining in-flight appends first. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#runners.values()].map((r) => r.stop()));
  }
}
