/**
 * The Connector contract (DESIGN.md): what every folder under `connectors/` implements, and what the
 * runtime hands it. The core never imports a connector; `connectors/registry.ts` maps `platform` to a
 * lazily imported factory.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { EventDraft, InboundEvent, OutboundCommand, Platform, SendResult, Transport, Verification } from './bus/types.js';
import type { Clock } from './clock.js';
import type { ListenerCounters } from './listener/types.js';

export type ConnectorState = 'offline' | 'connecting' | 'online' | 'reconnecting' | 'stopping' | 'failed';
export const CONNECTOR_STATES: readonly ConnectorState[] = [
  'offline', 'connecting', 'online', 'reconnecting', 'stopping', 'failed',
];

export type Exposure = 'none' | 'loopback' | 'lan' | 'public';

/** An inbound HTTP listener a connector opens (webhook connectors only). */
export interface ListenerInfo {
  /** `host:port` the socket is bound to (the real port once listening). */
  bind: string;
  exposure: Exposure;
  /** The public URL a tunnel publishes this listener at, when there is one. */
  publicUrl?: string;
  verification: Verification;
  /** Requests accepted and rejected (by reason) since start; absent in a plan made from config alone. */
  counters?: ListenerCounters;
}

export interface ConnectorStatus {
  state: ConnectorState;
  /** ISO time of the last state change. */
  since: string;
  /** Why the connector is in this state (failed / reconnecting), secret-free. */
  reason?: string;
}

/** Static facts about a configured connector, derived from config alone (for `status` with no runtime). */
export interface ConnectorPlan {
  transport: Transport;
  verification: Verification;
  listeners: ListenerInfo[];
  /**
   * Longest message text the platform takes, in UTF-16 units; the agent runner splits its output to
   * it. Absent: the runner assumes {@link DEFAULT_TEXT_LIMIT}.
   */
  textLimit?: number;
  /**
   * Whether the platform can edit a sent message. Absent: the runner assumes not (it sends new messages
   * instead of edits); only `false` makes the agent API refuse `edit` with `SB_E_UNSUPPORTED`.
   */
  canEdit?: boolean;
  /**
   * Least time between two edits (or continuation messages) of one streamed answer that the platform
   * tolerates, in ms. The runner uses the larger of this and `agent.edit_interval`. Absent: no floor.
   */
  minEditIntervalMs?: number;
  /**
   * Most edits one message may take (some platforms refuse more). Once a message has used them, the
   * runner continues the answer in a new message. Absent: unlimited.
   */
  maxEditsPerMessage?: number;
}

/** The text limit assumed for a connector whose plan gives none: fits every supported platform. */
export const DEFAULT_TEXT_LIMIT = 2000;

/**
 * What `ingest` did: journaled it, recognized a duplicate, or refused it by the access policy (not
 * journaled; counted under `reason`). Only `appended` reaches the agent; on every outcome the connector
 * acknowledges the platform and moves on.
 */
export type IngestResult =
  | { status: 'appended'; event: InboundEvent }
  | { status: 'duplicate' }
  | { status: 'refused'; reason: string };

/** What the runtime gives a connector when it starts. */
export interface ConnectorContext {
  log: Logger;
  clock: Clock;
  /**
   * Journal an event. Resolves once it is durable (or recognized as a duplicate, or refused by the
   * access policy): only then may the connector acknowledge it to the platform. Rejects if the journal
   * (or the access database) cannot take it; then do not ack.
   */
  ingest(draft: EventDraft): Promise<IngestResult>;
  /** Count a rejected inbound item (bad signature, refused sender, ...) under a short reason. */
  reject(reason: string): void;
  /**
   * Report that the connector can no longer run after `start` resolved. A fatal error
   * (`FatalConnectorError`) leaves it `failed`; anything else makes the supervisor restart it with backoff.
   */
  fail(err: unknown): void;
}

/** What a connector factory receives besides its own config block. */
export interface ConnectorDeps {
  name: string;
  log: Logger;
  clock: Clock;
  /** This runtime's state directory, for connector-owned durable state (keys, endpoint ids). */
  stateDir: string;
  /**
   * The connector's state, owned by the runtime: the connector calls `state.set(...)` as it connects and
   * drops, and returns `state.snapshot()` from `status()`. The supervisor sets `failed` / `reconnecting`
   * on the same tracker when it takes over, so every transition has one source.
   */
  state: StateTracker;
}

export interface Connector {
  readonly name: string;
  readonly platform: Platform;
  readonly transport: Transport;
  /** `[]` for outbound connectors — the supervisor refuses to run an outbound one that reports any. */
  listeners(): ListenerInfo[];
  /** Connect; resolves once online. Rejects with `FatalConnectorError` when retrying cannot help. */
  start(ctx: ConnectorContext, signal: AbortSignal): Promise<void>;
  /** Disconnect and release everything; idempotent. */
  stop(): Promise<void>;
  send(cmd: OutboundCommand): Promise<SendResult>;
  status(): ConnectorStatus;
}

export interface StatusChange extends ConnectorStatus {
  previous: ConnectorState;
}

/**
 * The one place a connector's state changes: `set` records it and emits `change`, so the supervisor,
 * the log and `status` all see the same transitions.
 */
export class StateTracker extends EventEmitter<{ change: [StatusChange] }> {
  #status: ConnectorStatus;
  readonly #clock: Clock;
  constructor(clock: Clock) {
    super();
    this.#clock = clock;
    this.#status = { state: 'offline', since: new Date(clock.now()).toISOString() };
  }
  get state(): ConnectorState {
    return this.#status.state;
  }
  set(state: ConnectorState, reason?: string): void {
    if (state === this.#status.state && reason === this.#status.reason) return;
    const previous = this.#status.state;
    this.#status = { state, since: new Date(this.#clock.now()).toISOString(), ...(reason ? { reason } : {}) };
    this.emit('change', { ...this.#status, previous });
  }
  snapshot(): ConnectorStatus {
    return { ...this.#status };
  }
}
