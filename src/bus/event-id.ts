/**
 * Event ids and correlation ids. An event id is derived from the journal's row sequence so that the
 * lexicographic order of ids is the journal order — agents and `tail --from` can compare them as
 * strings — and the journal can turn an id back into its row without a lookup.
 */
import { randomBytes } from 'node:crypto';
import { SbError } from '../errors.js';

const PREFIX = 'ev_';
/** 11 base-36 digits hold every safe integer (36^11 > 2^53), so the width never has to change. */
const WIDTH = 11;
const ID_PATTERN = /^ev_[0-9a-z]{11}$/;

/** True for a well-formed event id (`ev_` and 11 base-36 digits). */
export function isEventId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The id of the event stored at journal sequence `seq` (a positive safe integer). */
export function formatEventId(seq: number): string {
  return PREFIX + seq.toString(36).padStart(WIDTH, '0');
}

/**
 * The journal sequence encoded in `id`.
 * Throws `SB_E_PROTOCOL` when `id` is not an event id — a client sent something it never received.
 */
export function parseEventId(id: string): number {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new SbError('SB_E_PROTOCOL', `not an event id: expected "ev_" and ${WIDTH} base-36 digits`, {
      fields: { id: String(id).slice(0, 40) },
    });
  }
  const seq = Number.parseInt(id.slice(PREFIX.length), 36);
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new SbError('SB_E_PROTOCOL', 'event id out of range', { fields: { id } });
  }
  return seq;
}

// One randomBytes call per event costs more than the insert itself on the hot path; a pool refilled
// every 512 ids keeps correlation ids unpredictable at a fraction of the cost.
const POOL_IDS = 512;
const ID_BYTES = 8;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** A fresh correlation id: `c_` + 16 hex digits of randomness. */
export function newCorrelationId(): string {
  if (poolOffset >= pool.length) {
    pool = randomBytes(POOL_IDS * ID_BYTES);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return 'c_' + hex;
}
