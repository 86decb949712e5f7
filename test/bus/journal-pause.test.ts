import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type SqliteJournal } from '../../src/bus/journal.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { appendRange, settle, tempDirs } from './journal-helpers.js';

const dirs = tempDirs();
const open: SqliteJournal[] = [];
function journal(): SqliteJournal {
  const j = openJournal({ dir: dirs.make() });
  open.push(j);
  return j;
}
const texts = (events: InboundEvent[]) => events.map((e) => e.text);
const expected = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `message ${from + i}`);

afterEach(async () => {
  for (const j of open.splice(0)) await j.close();
  dirs.cleanup();
});

describe('JournalSubscription pause/resume', () => {
  it('pausing inside a replay stops after that event; resume goes on with the next one, nothing twice', async () => {
    const j = journal();
    await appendRange(j, 1, 600); // more than two replay pages
    const got: InboundEvent[] = [];
    const sub = j.subscribe('slow', (e) => {
      got.push(e);
      if (got.length === 300) sub.pause();
    });
    await settle(20);
    expect(sub.paused).toBe(true);
    expect(texts(got)).toEqual(expected(1, 300));
    await appendRange(j, 601, 650); // committed while paused: held in the database, not delivered
    await settle(20);
    expect(got).toHaveLength(300);
    sub.resume();
    await settle(20);
    expect(sub.paused).toBe(false);
    expect(texts(got)).toEqual(expected(1, 650));
    await appendRange(j, 651, 660); // live delivery again after catching up
    expect(texts(got)).toEqual(expected(1, 660));
    expect(new Set(got.map((e) => e.id)).size).toBe(660);
  });

  it('pausing inside a live batch leaves the rest of the batch for resume, in order', async () => {
    const j = journal();
    const got: InboundEvent[] = [];
    const sub = j.subscribe('slow', (e) => {
      got.push(e);
      if (got.length === 5) sub.pause();
    });
    await settle();
    await appendRange(j, 1, 20); // one group commit: a single live batch of 20
    expect(texts(got)).toEqual(expected(1, 5));
    await appendRange(j, 21, 30);
    expect(got).toHaveLength(5);
    // Pause and resume in the same turn: one replay, no double delivery.
    sub.resume();
    sub.pause();
    sub.resume();
    await settle(10);
    expect(texts(got)).toEqual(expected(1, 30));
    expect(got.map((e) => e.id)).toEqual([...got.map((e) => e.id)].sort());
  });

  it('a paused subscription still closes, and a closed one does not resume', async () => {
    const j = journal();
    await appendRange(j, 1, 3);
    const got: InboundEvent[] = [];
    const sub = j.subscribe('slow', (e) => got.push(e));
    sub.pause();
    await settle();
    expect(got).toHaveLength(0);
    await sub.close();
    sub.resume();
    await settle();
    expect(got).toHaveLength(0);
    // The next subscription under the name gets everything not acked.
    const again: InboundEvent[] = [];
    j.subscribe('slow', (e) => again.push(e));
    await settle();
    expect(texts(again)).toEqual(expected(1, 3));
  });
});
