/**
 * One configured connector under supervision: start it, watch it, restart it with backoff when it
 * fails, leave it `failed` on a fatal error, and count what it ingests and rejects.
 */
import type { Logger } from 'pino';
import type { AgentBus } from '../bus/bus.js';
import type { EventDraft } from '../bus/types.js';
import type { Clock } from '../clock.js';
import type { Connector, ConnectorContext, IngestResult, ListenerInfo, StateTracker } from '../connector.js';
import { FatalConnectorError, describeError, isFatal } from '../errors.js';
import { canonicalHost, isLoopbackAddress, splitHostPort } from '../net/host-port.js';
import type { AccessGate } from '../security/access-gate.js';
import { Backoff, isAbort, sleep, type BackoffOptions } from './backoff.js';

export interface RunnerCounters {
  eventsIn: number;
  duplicates: number;
  rejected: number;
  rejectedBy: Record<string, number>;
  lastEventAt?: string;
  restarts: number;
}

export interface RunnerOptions {
  connector: Connector;
  state: StateTracker;
  bus: AgentBus;
  log: Logger;
  clock: Clock;
  /** The connector's access policy: every draft passes it before the journal, or is refused. */
  gate: AccessGate;
  /**
   * The listeners the connector's config plan declares (schema `describe()`). An outbound connector
   * may open only these (Mattermost's button callbacks); any other listener is refused. Default none.
   */
  declaredListeners?: readonly ListenerInfo[];
  backoff?: BackoffOptions;
}

/** Supervises one connector instance across restarts. */
export class ConnectorRunner {
  readonly connector: Connector;
  readonly counters: RunnerCounters = { eventsIn: 0, duplicates: 0, rejected: 0, rejectedBy: {}, restarts: 0 };
  readonly #state: StateTracker;
  readonly #bus: AgentBus;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #gate: AccessGate;
  readonly #declared: readonly ListenerInfo[];
  /** Aborted by `stop()`: ends the run loop and any backoff wait. */
  readonly #stop = new AbortController();
  /** Bumped on every (re)start, so a stale generation's `fail`/`ingest` cannot act on the new one. */
  #generation = 0;
  #intake = true;
  #inflight = new Set<Promise<unknown>>();
  #loop: Promise<void> | undefined;

  constructor(options: RunnerOptions) {
    this.connector = options.connector;
    this.#state = options.state;
    this.#bus = options.bus;
    this.#log = options.log;
    this.#clock = options.clock;
    this.#backoff = new Backoff(options.backoff);
    this.#gate = options.gate;
    this.#declared = options.declaredListeners ?? [];
    this.#state.on('change', (c) =>
      this.#log.info({ state: c.state, previous: c.previous, ...(c.reason ? { reason: c.reason } : {}) }, `connector ${c.state}`),
    );
  }

  /** Begin the supervised loop. Resolves after the first start attempt settles (online or not). */
  start(): Promise<void> {
    let firstSettled!: () => void;
    const first = new Promise<void>((r) => (firstSettled = r));
    this.#loop = this.#run(firstSettled).catch((err: unknown) => {
      // The loop itself must never end the runtime: this connector fails, the others keep serving.
      this.#log.error({ err }, 'connector supervision failed; not restarting');
      if (this.#state.state !== 'failed') this.#state.set('failed', describeError(err));
      firstSettled();
    });
    return first;
  }

  async #run(firstSettled: () => void): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const generation = ++this.#generation;
      const attempt = new AbortController();
      const abortAttempt = () => attempt.abort();
      signal.addEventListener('abort', abortAttempt, { once: true });
      let failure: unknown;
      try {
        this.#refuseUnexpectedListener();
        const failed = new Promise<unknown>((resolve) => {
          const ctx = this.#context(generation, resolve);
          // One chain, one catch: a start that rejects and a listener check that throws after it
          // both fail this attempt (never an unhandled rejection that would end the runtime).
          this.connector
            .start(ctx, attempt.signal)
            .then(() => {
              this.#refuseUnexpectedListener();
              this.#backoff.reset();
              firstSettled();
            })
            .catch(resolve);
        });
        const stopped = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        failure = await Promise.race([failed, stopped]);
      } catch (err) {
        failure = err;
      } finally {
        signal.removeEventListener('abort', abortAttempt);
        attempt.abort();
      }
      firstSettled();
      if (signal.aborted) return;
      const fatal = isFatal(failure);
      // `failed` before `stop()`, so the connector's stop does not pass through `offline` on the way.
      if (fatal) this.#state.set('failed', describeError(failure));
      await this.connector.stop().catch((err) => this.#log.warn({ err }, 'stop after failure failed'));
      if (fatal) {
        this.#log.error({ err: failure }, 'connector failed; not restarting (fix the cause, then restart switchboard)');
        return;
      }
      const retryAfter = (failure as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
      const delay = this.#backoff.next(typeof retryAfter === 'number' ? retryAfter : undefined);
      this.counters.restarts++;
      this.#state.set('reconnecting', `${describeError(failure)}; restarting in ${delay} ms`);
      try {
        await sleep(delay, signal);
      } catch (err) {
        if (isAbort(err)) return;
        throw err;
      }
    }
  }

  #refuseUnexpectedListener(): void {
    if (this.connector.transport !== 'outbound-socket') return;
    const undeclared = this.connector.listeners().filter((l) => !this.#declared.some((d) => sameBind(d.bind, l.bind)));
    if (undeclared.length > 0) {
      throw new FatalConnectorError(
        `outbound connector reported a listener on ${undeclared.map((l) => l.bind).join(', ')} that its config does not declare; refused: an outbound connector must not accept inbound traffic it was not configured for`,
      );
    }
  }

  #context(generation: number, onFail: (err: unknown) => void): ConnectorContext {
    const current = () => generation === this.#generation && !this.#stop.signal.aborted;
    return {
      log: this.#log,
      clock: this.#clock,
      ingest: (draft) => this.#ingest(draft),
      reject: (reason) => this.#countRejected(reason),
      fail: (err) => {
        if (current()) onFail(err ?? new Error('connector failed'));
      },
    };
  }

  async #ingest(draft: EventDraft): Promise<IngestResult> {
    if (!this.#intake) throw new Error('switchboard is shutting down; not acknowledging new events');
    // Before the journal: a refused event is never stored, so nothing of a stranger's reaches the agent.
    const admitted = this.#gate.admit(draft);
    if (!admitted.pass) {
      this.#countRejected(admitted.reason);
      return { status: 'refused', reason: admitted.reason };
    }
    const pending = this.#bus.append(admitted.draft);
    this.#inflight.add(pending);
    try {
      const result = await pending;
      if (result.status === 'duplicate') {
        this.counters.duplicates++;
        return { status: 'duplicate' };
      }
      this.counters.eventsIn++;
      this.counters.lastEventAt = result.event.receivedAt;
      this.#log.debug({ correlationId: result.event.correlationId, eventId: result.event.id, kind: result.event.kind }, 'event journaled');
      return result;
    } finally {
      this.#inflight.delete(pending);
    }
  }

  #countRejected(reason: string): void {
    this.counters.rejected++;
    this.counters.rejectedBy[reason] = (this.counters.rejectedBy[reason] ?? 0) + 1;
  }

  /** Stop taking new events; appends already under way still complete. */
  stopIntake(): void {
    this.#intake = false;
  }

  /** Wait for in-flight appends, then stop the connector and the loop. */
  async stop(): Promise<void> {
    this.stopIntake();
    await Promise.allSettled([...this.#inflight]);
    const wasFailed = this.#state.state === 'failed';
    this.#stop.abort();
    if (!wasFailed) this.#state.set('stopping');
    await this.connector.stop().catch((err) => this.#log.warn({ err }, 'connector stop failed'));
    await this.#loop;
    if (!wasFailed) this.#state.set('offline');
  }
}

/** Same host (declared `localhost` = any loopback address), and the same port unless the declared one is 0 (any free port). */
function sameBind(declared: string, actual: string): boolean {
  const d = splitHostPort(declared);
  const a = splitHostPort(actual);
  const [dh, ah] = [canonicalHost(d.host), canonicalHost(a.host)];
  const hostMatches = dh === ah || (dh === 'localhost' && isLoopbackAddress(ah));
  return hostMatches && (d.port === 0 || d.port === a.port);
}
