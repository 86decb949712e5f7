import { afterEach, describe, expect, it } from 'vitest';
import { formatEventId } from '../../src/bus/event-id.js';
import { openJournal, type SqliteJournal } from '../../src/bus/journal.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { collector, draft, settle, tempDirs } from './journal-helpers.js';

const dirs = tempDirs();
const open: SqliteJournal[] = [];
function journal(dir: string, opts: Omit<Parameters<typeof openJournal>[0], 'dir'> = {}): SqliteJournal {
  const j = openJournal({ dir, ...opts });
  open.push(j);
  return j;
}
async function appendAll(j: SqliteJournal, ns: number[]): Promise<InboundEvent[]> {
  const results = await Promise.all(ns.map((n) => j.append(draft(n))));
  return results.map((r) => {
    if (r.status !== 'appended') throw new Error('unexpected duplicate');
    return r.event;
  });
}

afterEach(async () => {
  for (const j of open.splice(0)) await j.close();
  dirs.cleanup();
});

describe('SqliteJournal append', () => {
  it('assigns sortable ids, receivedAt from the clock and a correlation id', async () => {
    const j = journal(dirs.make(), { clock: { now: () => Date.UTC(2030, 0, 1) } });
    const events = await appendAll(j, [1, 2, 3]);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3].map(formatEventId));
    expect(events[0]!.receivedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(events[0]!.correlationId).toMatch(/^c_[0-9a-f]{16}$/);
    expect(new Set(events.map((e) => e.correlationId)).size).toBe(3);
    // Ids compare as strings in journal order, across digit-count boundaries too.
    const ids = [9, 10, 35, 36, 1295, 1296, 2 ** 40].map(formatEventId);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps a draft-supplied receivedAt and correlationId', async () => {
    const j = journal(dirs.make());
    const r = await j.append({ ...draft(1), receivedAt: '2020-02-02T00:00:00.000Z', correlationId: 'c_given' });
    expect(r.status === 'appended' && r.event).toMatchObject({ receivedAt: '2020-02-02T00:00:00.000Z', correlationId: 'c_given' });
  });

  it('refuses a duplicate dedupKey without throwing, and counts it per connector', async () => {
    const j = journal(dirs.make());
    await j.append(draft(1));
    expect(await j.append(draft(1))).toEqual({ status: 'duplicate', dedupKey: 'tg-main:1' });
    // Two copies in the same group commit: the second is still refused.
    const [a, b] = await Promise.all([j.append(draft(2, 'slack')), j.append(draft(2, 'slack'))]);
    expect([a!.status, b!.status]).toEqual(['appended', 'duplicate']);
    const s = j.stats();
    expect(s).toMatchObject({ appended: 2, duplicates: 2, stored: 2 });
    expect(s.perConnector['tg-main']).toMatchObject({ appended: 1, duplicates: 1 });
    expect(s.perConnector['slack']).toMatchObject({ appended: 1, duplicates: 1 });
    // A refused duplicate must not leave a gap in the ids.
    const next = await j.append(draft(3));
    expect(next.status === 'appended' && next.event.id).toBe(formatEventId(3));
  });

  it('has persisted the event when append resolves', async () => {
    const dir = dirs.make();
    const j = journal(dir);
    await j.append(draft(1));
    const other = journal(dir);
    expect(other.stats().stored).toBe(1);
  });
});

describe('SqliteJournal subscribe and ack', () => {
  it('delivers the backlog then live events, in order, never inside append', async () => {
    const j = journal(dirs.make());
    await appendAll(j, [1, 2, 3]);
    const c = collector();
    j.subscribe('agent', c.onEvent);
    expect(c.events).toHaveLength(0); // not synchronously inside subscribe
    await c.waitFor(3);
    const p = j.append(draft(4));
    expect(c.events).toHaveLength(3); // not synchronously inside append
    await p;
    await c.waitFor(4);
    expect(c.texts()).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
  });

  it('redelivers un-acked events to the next subscription, not acked ones', async () => {
    const j = journal(dirs.make());
    const events = await appendAll(j, [1, 2, 3, 4]);
    const first = collector();
    const sub = j.subscribe('agent', first.onEvent);
    await first.waitFor(4);
    await j.ack('agent', events[0]!.id);
    await j.ack('agent', events[2]!.id); // out of order: 2 stays un-acked
    await sub.close();
    const second = collector();
    j.subscribe('agent', second.onEvent);
    await second.waitFor(2);
    await settle();
    expect(second.texts()).toEqual(['message 2', 'message 4']);
  });

  it('persists cursors, including out-of-order acks, across close and reopen', async () => {
    const dir = dirs.make();
    const j = journal(dir);
    const events = await appendAll(j, [1, 2, 3, 4, 5]);
    j.subscribe('agent', () => {});
    for (const i of [0, 1, 3]) await j.ack('agent', events[i]!.id);
    await j.close();
    const reopened = journal(dir);
    const c = collector();
    reopened.subscribe('agent', c.onEvent);
    await c.waitFor(2);
    await settle();
    expect(c.texts()).toEqual(['message 3', 'message 5']);
    // Filling the gap absorbs the out-of-order ack into the watermark.
    await reopened.ack('agent', events[2]!.id);
    await reopened.ack('agent', events[4]!.id);
    await reopened.close();
    const again = journal(dir);
    const none = collector();
    again.subscribe('agent', none.onEvent);
    await settle();
    expect(none.events).toHaveLength(0);
  });

  it('acks are idempotent and an unknown id or subscriber is a protocol error', async () => {
    const j = journal(dirs.make());
    const [e] = await appendAll(j, [1]);
    j.subscribe('agent', () => {});
    await j.ack('agent', e!.id);
    await j.ack('agent', e!.id);
    await expect(j.ack('agent', formatEventId(99))).rejects.toMatchObject({ code: 'SB_E_PROTOCOL' });
    await expect(j.ack('agent', 'nonsense')).rejects.toMatchObject({ code: 'SB_E_PROTOCOL' });
    await expect(j.ack('stranger', e!.id)).rejects.toMatchObject({ code: 'SB_E_PROTOCOL' });
    expect(() => j.subscribe('agent', () => {}, { from: 'bad' })).toThrow(SbError);
  });

  it('replays from `from`, acked events included, without moving the cursor', async () => {
    const j = journal(dirs.make());
    const events = await appendAll(j, [1, 2, 3, 4, 5]);
    j.subscribe('agent', () => {});
    await j.ack('agent', events[3]!.id);
    const c = collector();
    j.subscribe('agent', c.onEvent, { from: events[2]!.id });
    await c.waitFor(3);
    await appendAll(j, [6]);
    await c.waitFor(4);
    expect(c.texts()).toEqual(['message 3', 'message 4', 'message 5', 'message 6']);
    const all = collector();
    j.subscribe('agent', all.onEvent);
    await all.waitFor(5);
    expect(all.texts()).toEqual(['message 1', 'message 2', 'message 3', 'message 5', 'message 6']);
  });

  it('a second subscription under the same name takes over from the first', async () => {
    const j = journal(dirs.make());
    await appendAll(j, [1]);
    const old = collector();
    const reasons: string[] = [];
    const first = j.subscribe('agent', old.onEvent, { onClose: (r) => reasons.push(r) });
    await old.waitFor(1);
    const fresh = collector();
    j.subscribe('agent', fresh.onEvent);
    expect(first.closed).toBe(true);
    expect(reasons).toEqual(['takeover']);
    await appendAll(j, [2]);
    await fresh.waitFor(2);
    await settle();
    expect(old.texts()).toEqual(['message 1']);
    expect(fresh.texts()).toEqual(['message 1', 'message 2']);
  });

  it('keeps subscribers with different names independent', async () => {
    const j = journal(dirs.make());
    const events = await appendAll(j, [1, 2]);
    const a = collector();
    const b = collector();
    j.subscribe('a', a.onEvent);
    j.subscribe('b', b.onEvent);
    await a.waitFor(2);
    await b.waitFor(2);
    await j.ack('a', events[0]!.id);
    await j.ack('a', events[1]!.id);
    const b2 = collector();
    j.subscribe('b', b2.onEvent);
    const a2 = collector();
    j.subscribe('a', a2.onEvent);
    await b2.waitFor(2);
    await settle();
    expect(a2.events).toHaveLength(0);
  });

  it('isolates a subscriber that throws and reports it', async () => {
    const errors: string[] = [];
    const j = journal(dirs.make(), { onWarning: (_m, f) => errors.push(`${f.subscriber}:${f.eventId}`) });
    const good = collector();
    j.subscribe('bad', () => {
      throw new Error('boom');
    });
    j.subscribe('good', good.onEvent);
    await appendAll(j, [1, 2]);
    await good.waitFor(2);
    expect(errors).toEqual([`bad:${formatEventId(1)}`, `bad:${formatEventId(2)}`]);
  });

  it('replays a backlog longer than one page in order', async () => {
    const j = journal(dirs.make());
    const ns = Array.from({ length: 600 }, (_, i) => i + 1);
    await appendAll(j, ns);
    const c = collector();
    j.subscribe('agent', c.onEvent);
    await c.waitFor(600);
    expect(c.events.map((e) => e.text)).toEqual(ns.map((n) => `message ${n}`));
  });
});

describe('SqliteJournal retention and close', () => {
  it('prunes by age using the injected clock', async () => {
    let now = 1_000_000;
    const dir = dirs.make();
    const j = journal(dir, { clock: { now: () => now }, retention: { maxAgeMs: 1000, maxEvents: Infinity } });
    await appendAll(j, [1, 2]);
    now += 600;
    await appendAll(j, [3]);
    now += 600;
    expect(j.prune()).toBe(2);
    expect(j.stats().stored).toBe(1);
    // Dedup only remembers what is retained.
    expect((await j.append(draft(1))).status).toBe('appended');
    const c = collector();
    j.subscribe('fresh', c.onEvent);
    await c.waitFor(2);
    expect(c.texts()).toEqual(['message 3', 'message 1']);
  });

  it('prunes by count on open and moves a lagging cursor past what was deleted', async () => {
    const dir = dirs.make();
    const j = journal(dir, { retention: { maxAgeMs: Infinity, maxEvents: 1000 } });
    const events = await appendAll(j, [1, 2, 3, 4, 5]);
    j.subscribe('agent', () => {});
    await j.ack('agent', events[3]!.id); // held above the watermark
    await j.close();
    const small = journal(dir, { retention: { maxAgeMs: Infinity, maxEvents: 2 } });
    expect(small.stats().stored).toBe(2);
    const c = collector();
    small.subscribe('agent', c.onEvent);
    await c.waitFor(1);
    await settle();
    expect(c.texts()).toEqual(['message 5']);
    // Ids keep growing after retention deleted the newest-but-two: never reused.
    const r = await small.append(draft(6));
    expect(r.status === 'appended' && r.event.id).toBe(formatEventId(6));
  });

  it('throws SB_E_JOURNAL_CLOSED after close; close is idempotent and commits what was queued', async () => {
    const dir = dirs.make();
    const j = journal(dir);
    const reasons: string[] = [];
    j.subscribe('agent', () => {}, { onClose: (r) => reasons.push(r) });
    const pending = j.append(draft(1));
    await j.close();
    await j.close();
    expect((await pending).status).toBe('appended');
    expect(reasons).toEqual(['journal-closed']);
    const closed = { code: 'SB_E_JOURNAL_CLOSED' };
    await expect(j.append(draft(2))).rejects.toMatchObject(closed);
    await expect(j.ack('agent', formatEventId(1))).rejects.toMatchObject(closed);
    expect(() => j.subscribe('agent', () => {})).toThrow(expect.objectContaining(closed));
    expect(() => j.stats()).toThrow(expect.objectContaining(closed));
    expect(() => j.prune()).toThrow(expect.objectContaining(closed));
    expect(journal(dir).stats().stored).toBe(1);
  });
});
