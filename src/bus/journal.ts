/**
 * The embedded durable agent bus: a SQLite journal (WAL) in the state directory.
 *
 * Appends and acks are group-committed: every call made during one turn of the event loop is written
 * in a single transaction on the next turn, and each promise settles only after that transaction has
 * committed — so "resolved" always means "on disk", while the per-commit cost is shared. Live
 * subscribers get the committed events right after the commit, in journal order, from memory.
 */
import type { AppendResult, BusStats, PausableBus, SubscribeOptions } from './bus.js';
import { SubscriberCursor } from './cursor.js';
import { newCorrelationId, parseEventId } from './event-id.js';
import { writeBatch, type Pending, type PendingAppend } from './journal-batch.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { JournalSubscription, type CommittedEvent, type SubscriptionCloseReason } from './journal-subscription.js';
import { readCursors, openStore, type Durability, type EventRow, type JournalStore } from './journal-store.js';
import { DEFAULT_RETENTION, pruneJournal, type Retention } from './journal-retention.js';
import type { EventDraft, InboundEvent } from './types.js';
import { systemClock, type Clock } from '../clock.js';
import { SbError, describeError } from '../errors.js';

export type { Durability } from './journal-store.js';

/**
 * Events written before the background checkpointer starts. Until then the main connection's
 * autocheckpoint safety net bounds the WAL; a few hundred events cost it nothing worth a thread.
 */
const CHECKPOINTER_AFTER_EVENTS = 500;
export { DEFAULT_RETENTION, type Retention } from './journal-retention.js';
export type { SubscriptionCloseReason } from './journal-subscription.js';

export interface JournalOptions {
  /** The state directory; the journal is `${dir}/journal.sqlite`. Created (0700) if missing. */
  dir: string;
  clock?: Clock;
  retention?: Retention;
  /**
   * `normal` (default): a resolved append/ack survives a crash or kill -9 of the process.
   * `full`: it also survives an OS crash or power loss (an fsync per group commit).
   */
  durability?: Durability;
  /**
   * WAL checkpoints on a worker thread (default `background`) or on the appending thread (`inline`,
   * simpler, but each checkpoint stalls delivery for milliseconds).
   */
  checkpoint?: 'background' | 'inline';
  /**
   * Something went wrong that the journal survives: a subscriber's `onEvent` threw (delivery goes on),
   * or background checkpoints keep failing. Default: a process warning. Fits `(m, f) => log.warn(f, m)`.
   */
  onWarning?: (message: string, fields: Record<string, unknown>) => void;
}

/** `subscribe` options of the SQLite journal: the bus options plus a close notification. */
export interface JournalSubscribeOptions extends SubscribeOptions {
  /** Called once when the subscription stops — e.g. `takeover` tells an agent connection it was replaced. */
  onClose?: (reason: SubscriptionCloseReason) => void;
}

/** The SQLite-backed {@link AgentBus}. Obtain one with {@link openJournal}; one process per file. */
export class SqliteJournal implements PausableBus {
  readonly #store: JournalStore;
  readonly #clock: Clock;
  readonly #retention: Retention;
  readonly #onWarning: NonNullable<JournalOptions['onWarning']>;
  /** Started on the first busy stretch, not at open: an idle runtime does not pay for the thread (~10 MB). */
  #checkpointer: Checkpointer | undefined;
  readonly #startCheckpointer: (() => Checkpointer) | undefined;
  #sinceCheckpointerCheck = 0;
  readonly #commit: (ops: Pending[], fresh: CommittedEvent[]) => void;
  readonly #cursors = new Map<string, SubscriberCursor>();
  readonly #live = new Map<string, JournalSubscription>();
  #queue: Pending[] = [];
  #flushTimer: NodeJS.Immediate | undefined;
  #head: number;
  #stored: number;
  #closed = false;
  #appended = 0;
  #duplicates = 0;
  readonly #perConnector: BusStats['perConnector'] = {};

  /** Use {@link openJournal}. */
  constructor(options: JournalOptions) {
    const durability = options.durability ?? 'normal';
    const background = (options.checkpoint ?? 'background') === 'background';
    this.#store = openStore(options.dir, durability, background);
    this.#clock = options.clock ?? systemClock;
    this.#retention = options.retention ?? DEFAULT_RETENTION;
    this.#onWarning = options.onWarning ?? defaultWarning;
    this.#startCheckpointer = background
      ? () =>
          startCheckpointer(this.#store.path, durability, (error) =>
            this.#onWarning('journal checkpoints keep failing; the WAL grows until the fallback checkpoint', { error }),
          )
      : undefined;
    this.#commit = this.#store.db.transaction((ops: Pending[], fresh: CommittedEvent[]) =>
      writeBatch(this.#store, ops, this.#head, this.#clock.now(), fresh),
    );
    this.#head = this.#store.headSeq.get()?.seq ?? 0;
    this.#stored = this.#store.countEvents.get()?.n ?? 0;
    this.#loadCursors();
    this.prune();
  }

  /** The journal file. */
  get path(): string {
    return this.#store.path;
  }

  /** Journal `draft`, or refuse it as a duplicate of a retained event with the same `dedupKey`. */
  append(draft: EventDraft): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(closedError());
    if (typeof draft?.dedupKey !== 'string' || draft.dedupKey === '' || typeof draft.connector !== 'string') {
      return Promise.reject(new SbError('SB_E_PROTOCOL', 'an event needs a non-empty dedupKey and a connector'));
    }
    // One copy of the draft is the event itself, delivered live without a JSON round trip. `id` is
    // a placeholder until the insert assigns the seq; the stored body keeps the placeholder, and
    // readers take the id from the seq (journal-subscription.ts).
    const event: InboundEvent = {
      id: '',
      ...draft,
      receivedAt: draft.receivedAt ?? new Date(this.#clock.now()).toISOString(),
      correlationId: draft.correlationId ?? newCorrelationId(),
    };
    event.id = '';
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch (cause) {
      return Promise.reject(new SbError('SB_E_PROTOCOL', 'the event is not JSON-serializable', { cause }));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.#enqueue({ kind: 'append', event, body, seq: 0, resolve, reject });
    });
  }

  /**
   * Durably mark `eventId` handled by `subscriber`. Idempotent.
   * Rejects with `SB_E_PROTOCOL` for an id the journal never assigned or a subscriber that never subscribed.
   */
  ack(subscriber: string, eventId: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    let seq: number;
    try {
      seq = parseEventId(eventId);
    } catch (err) {
      return Promise.reject(err);
    }
    if (seq > this.#head) {
      return Promise.reject(new SbError('SB_E_PROTOCOL', `unknown event id ${eventId}`, { fields: { subscriber } }));
    }
    const cursor = this.#cursors.get(subscriber);
    if (!cursor) {
      return Promise.reject(
        new SbError('SB_E_PROTOCOL', `unknown subscriber "${subscriber}": subscribe before acking`, {
          fields: { subscriber },
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#enqueue({ kind: 'ack', cursor, seq, resolve, reject });
    });
  }

  /**
   * Deliver to `onEvent`, in order, every retained event the subscriber has not acked, then every
   * new one. With `options.from`, replay instead every retained event from that id on, acked or not
   * (an explicit "show me again", e.g. `switchboard tail --from ID`); the cursor is not rewound. A live subscription under the same name is closed
   * (`takeover`). Throws `SB_E_PROTOCOL` for an empty name or a malformed `from`.
   */
  subscribe(
    subscriber: string,
    onEvent: (event: InboundEvent) => void,
    options: JournalSubscribeOptions = {},
  ): JournalSubscription {
    this.#assertOpen();
    if (typeof subscriber !== 'string' || subscriber === '') {
      throw new SbError('SB_E_PROTOCOL', 'a subscriber needs a non-empty name');
    }
    const fromSeq = options.from === undefined ? 0 : parseEventId(options.from);
    const cursor = this.#cursors.get(subscriber) ?? this.#createCursor(subscriber);
    this.#live.get(subscriber)?.end('takeover');
    const sub: JournalSubscription = new JournalSubscription({
      cursor,
      source: this.#source,
      // Without `from`, everything at or below the watermark is acked: never start below it.
      startSeq: options.from === undefined ? cursor.watermark + 1 : fromSeq,
      replayAcked: options.from !== undefined,
      onEvent,
      onClose: options.onClose,
      detach: (s) => {
        if (this.#live.get(subscriber) === s) this.#live.delete(subscriber);
      },
    });
    this.#live.set(subscriber, sub);
    sub.start();
    return sub;
  }

  /** Counters since open, and the number of events stored now. */
  stats(): BusStats {
    this.#assertOpen();
    const perConnector: BusStats['perConnector'] = {};
    for (const [name, c] of Object.entries(this.#perConnector)) perConnector[name] = { ...c };
    return { appended: this.#appended, duplicates: this.#duplicates, perConnector, stored: this.#stored };
  }

  /**
   * Delete events past the retention limits (older than `maxAgeMs` by the journal clock, or beyond
   * the newest `maxEvents`); returns how many. Only a prefix is ever deleted, so journal order holds.
   * A subscriber that had not acked a deleted event will never see it; dedup forgets its key too.
   */
  prune(): number {
    this.#assertOpen();
    const removed = pruneJournal(this.#store, this.#cursors.values(), this.#retention, this.#clock.now(), this.#head);
    this.#stored -= removed;
    return removed;
  }

  /**
   * Commit what is queued, stop every subscription (`journal-closed`) and close the database.
   * Idempotent; every other call afterwards throws `SB_E_JOURNAL_CLOSED`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const sub of [...this.#live.values()]) sub.end('journal-closed');
    if (this.#flushTimer) clearImmediate(this.#flushTimer);
    this.#flush();
    await this.#checkpointer?.stop();
    this.#store.db.close();
  }

  readonly #source = {
    head: (): number => this.#head,
    read: (fromSeq: number, limit: number): EventRow[] => this.#store.readFrom.all(fromSeq, limit),
    deliveryError: (err: unknown, subscriber: string, event: InboundEvent): void =>
      this.#onWarning('a bus subscriber threw; delivery goes on', {
        subscriber,
        eventId: event.id,
        error: describeError(err),
      }),
  };

  #enqueue(op: Pending): void {
    this.#queue.push(op);
    // setImmediate, not a microtask: it also gathers the acks subscribers send from their callbacks.
    this.#flushTimer ??= setImmediate(() => this.#flush());
  }

  /** Commit the queued batch, settle its promises, then hand the new events to live subscribers. */
  #flush(): void {
    this.#flushTimer = undefined;
    const ops = this.#queue;
    if (ops.length === 0) return;
    this.#queue = [];
    const fresh: CommittedEvent[] = [];
    const failed = new Map<Pending, unknown>();
    try {
      this.#commit(ops, fresh);
    } catch {
      // The batch rolled back as a whole; retry each op alone so one bad op fails only itself.
      this.#loadCursors();
      fresh.length = 0;
      for (const op of ops) {
        const committed = fresh.length;
        try {
          this.#commit([op], fresh);
        } catch (err) {
          failed.set(op, err);
          fresh.length = committed;
          this.#loadCursors();
        }
      }
    }
    for (const { seq } of fresh) this.#head = seq;
    this.#stored += fresh.length;
    this.#sinceCheckpointerCheck += fresh.length;
    if (!this.#checkpointer && this.#startCheckpointer && this.#sinceCheckpointerCheck >= CHECKPOINTER_AFTER_EVENTS) {
      this.#checkpointer = this.#startCheckpointer();
    }
    for (const op of ops) {
      if (failed.has(op)) op.reject(writeError(failed.get(op)));
      else if (op.kind === 'ack') op.resolve();
      else this.#settleAppend(op);
    }
    if (fresh.length === 0) return;
    for (const sub of this.#live.values()) sub.deliverLive(fresh);
  }

  #settleAppend(op: PendingAppend): void {
    const result = op.result!;
    const connector = op.event.connector;
    const counts = (this.#perConnector[connector] ??= { appended: 0, duplicates: 0 });
    if (result.status === 'appended') {
      this.#appended += 1;
      counts.appended += 1;
      counts.lastEventAt = result.event.receivedAt;
    } else {
      this.#duplicates += 1;
      counts.duplicates += 1;
    }
    op.resolve(result);
  }

  /** (Re)load every cursor from the store: at open, and after a failed write rolled back. */
  #loadCursors(): void {
    // Replace the state of existing cursors in place: live subscriptions hold references to them.
    for (const [name, cursor] of readCursors(this.#store)) {
      const existing = this.#cursors.get(name);
      if (existing) existing.restore(cursor);
      else this.#cursors.set(name, cursor);
    }
  }

  #createCursor(name: string): SubscriberCursor {
    // A brand-new subscriber starts at the oldest retained event.
    const first = this.#store.firstSeq.get()?.seq ?? this.#head + 1;
    const cursor = new SubscriberCursor(name, first - 1);
    this.#store.createSubscriber.run(name, cursor.watermark);
    this.#cursors.set(name, cursor);
    return cursor;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }
}

/** Open (creating if needed) the journal in `opts.dir` and apply retention once. Throws `SB_E_STATE_DIR`. */
export function openJournal(opts: JournalOptions): SqliteJournal {
  return new SqliteJournal(opts);
}

function closedError(): SbError {
  return new SbError('SB_E_JOURNAL_CLOSED', 'the journal is closed; open a new one with openJournal()');
}

function writeError(cause: unknown): SbError {
  return new SbError('SB_E_STATE_DIR', `journal write failed (${describeError(cause)}); check the state_dir disk`, {
    cause,
  });
}

function defaultWarning(message: string, fields: Record<string, unknown>): void {
  process.emitWarning(`${message} ${JSON.stringify(fields)}`, 'SwitchboardBus');
}
