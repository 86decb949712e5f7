/**
 * One group commit: the appends and acks queued during a turn of the event loop, written in a single
 * transaction by `journal.ts`, whose promises settle only once it has committed.
 */
import type { AppendResult } from './bus.js';
import type { SubscriberCursor } from './cursor.js';
import { formatEventId } from './event-id.js';
import type { CommittedEvent } from './journal-subscription.js';
import type { JournalStore } from './journal-store.js';
import type { InboundEvent } from './types.js';

type Settle<T> = { resolve: (value: T) => void; reject: (err: unknown) => void };

/** A queued append. Doubles as the {@link CommittedEvent} handed to subscribers: one object per event. */
export type PendingAppend = Settle<AppendResult> & {
  kind: 'append';
  /** The event, its `id` a placeholder until the insert. */
  event: InboundEvent;
  /** Its JSON, made when it was queued so a bad event fails its own append only. */
  body: string;
  seq: number;
  result?: AppendResult;
};

/** A queued ack. */
export type PendingAck = Settle<void> & { kind: 'ack'; cursor: SubscriberCursor; seq: number };

export type Pending = PendingAppend | PendingAck;

/**
 * Write `ops` (call inside a transaction). Appends get seqs `head + 1, head + 2, ...` in order and
 * are pushed to `fresh`; a duplicate dedup key gets a `duplicate` result and no seq. Acks move the
 * in-memory cursors and write what moved. Throws whatever SQLite throws; the caller rolls back.
 */
export function writeBatch(store: JournalStore, ops: Pending[], head: number, nowMs: number, fresh: CommittedEvent[]): void {
  const moved = new Map<SubscriberCursor, boolean>();
  for (const op of ops) {
    if (op.kind === 'append') {
      const { event } = op;
      // Seqs stay contiguous: the next one is the head plus what has been inserted so far. (`fresh`
      // may already hold earlier single-op commits of a retried batch; see journal.ts.)
      const seq = head + fresh.length + 1;
      if (store.insertEvent.run(seq, event.dedupKey, event.connector, nowMs, op.body).changes === 0) {
        op.result = { status: 'duplicate', dedupKey: event.dedupKey };
        continue;
      }
      op.seq = seq;
      event.id = formatEventId(seq);
      op.result = { status: 'appended', event };
      fresh.push(op);
    } else {
      const effect = op.cursor.ack(op.seq);
      if (effect.storeAbove) store.insertAck.run(op.cursor.name, op.seq);
      if (effect.watermarkMoved) moved.set(op.cursor, (moved.get(op.cursor) ?? false) || effect.absorbed);
    }
  }
  // One watermark write per subscriber per batch, however many in-order acks it carried.
  for (const [cursor, absorbed] of moved) {
    store.setWatermark.run(cursor.watermark, cursor.name);
    if (absorbed) store.deleteAcksUpTo.run(cursor.name, cursor.watermark);
  }
}
