/**
 * Retention: the journal keeps events for a bounded age and count. Only a prefix of the journal is
 * ever deleted, so what remains is still in order and every subscriber's watermark can move past it.
 */
import type { SubscriberCursor } from './cursor.js';
import type { JournalStore } from './journal-store.js';

/** Retention limits; `Infinity` disables one. */
export interface Retention {
  /** Delete events stored longer ago than this (by the journal's clock). */
  maxAgeMs: number;
  /** Keep at most this many of the newest events. */
  maxEvents: number;
}

/** Default retention: a week, or a million events, whichever is hit first. */
export const DEFAULT_RETENTION: Retention = { maxAgeMs: 7 * 24 * 3600_000, maxEvents: 1_000_000 };

/**
 * Delete what `retention` no longer covers at `nowMs`, in one transaction, and move every cursor past
 * the deleted prefix (those events can no longer be delivered; a stalled watermark would make the
 * acks above it pile up). Returns how many events were deleted.
 */
export function pruneJournal(
  store: JournalStore,
  cursors: Iterable<SubscriberCursor>,
  retention: Retention,
  nowMs: number,
  head: number,
): number {
  let cutoff = 0;
  if (Number.isFinite(retention.maxAgeMs)) {
    // Everything before the first young event goes; if a clock step made an older-stamped event
    // follow a younger one, it is kept rather than a young one deleted.
    const young = store.firstYoungSeq.get(nowMs - retention.maxAgeMs);
    cutoff = young ? young.seq - 1 : head;
  }
  if (Number.isFinite(retention.maxEvents)) {
    const last = store.seqAtOffsetFromEnd.get(Math.max(0, Math.floor(retention.maxEvents)));
    if (last) cutoff = Math.max(cutoff, last.seq);
  }
  if (cutoff <= 0) return 0;
  return store.db.transaction(() => {
    const removed = store.deleteUpTo.run(cutoff).changes;
    for (const cursor of cursors) {
      if (!cursor.skipTo(cutoff)) continue;
      store.setWatermark.run(cursor.watermark, cursor.name);
      store.deleteAcksUpTo.run(cursor.name, cursor.watermark);
    }
    return removed;
  })();
}
