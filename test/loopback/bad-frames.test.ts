/**
 * Malformed frames from the loopback platform (an out-of-range date, `null`, an event without its
 * update, garbage): each is logged without its content, counted as rejected, and skipped — the
 * connection stays up and the next valid message is journaled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackHarness, type LoopbackHarness } from './harness.js';
import { until } from '../helpers/tmp.js';

const TOKEN = 'bad-frames-token-123';
const CONTENT = 'PRIVATE-USER-TEXT';
const good = { type: 'message', chat: { id: 'c1', type: 'dm' }, from: { id: 'u1' }, text: CONTENT, date: 0 };

/** Raw lines (not queued) and queued updates that are not valid, with the reason each is counted under. */
const badLines: [string, string, string][] = [
  ['a null line', 'null', 'malformed-frame'],
  ['a number', '42', 'malformed-frame'],
  ['not JSON', `{"op":"event","text":"${CONTENT}"`, 'not-json'],
  ['an event without seq or update', '{"op":"event"}', 'malformed-frame'],
  ['a result without req', '{"op":"result","ok":true}', 'malformed-frame'],
  ['an unknown op', '{"op":"surprise"}', 'malformed-frame'],
];
const badUpdates: [string, unknown][] = [
  ['an out-of-range date', { ...good, id: 'x1', date: 1e20 }],
  ['a null update', null],
  ['an event without its update', undefined],
  ['a null chat', { ...good, id: 'x2', chat: null }],
  ['a message without text', { ...good, id: 'x3', text: undefined }],
  ['an unknown update type', { ...good, id: 'x4', type: 'poll' }],
];

describe('loopback connector with malformed frames', () => {
  let h: LoopbackHarness;

  beforeEach(async () => {
    h = await startLoopbackHarness(TOKEN);
  });

  afterEach(async () => {
    await h.close();
  });

  const texts = () => h.journal.drafts.map((d) => d.text);

  it.each(badLines)('skips %s and journals the next message on the same connection', async (_name, line, reason) => {
    h.emulator.injectRawLine(line);
    h.emulator.injectMessage('after the bad line');
    await until(() => texts().includes('after the bad line'), 'the next valid message journaled');
    expect(h.rejects).toEqual([reason]);
    expect(h.emulator.connections).toBe(1);
    expect(h.failures).toEqual([]);
    expect(h.transitions.map((t) => t.state)).toEqual(['connecting', 'online']);
    expect(JSON.stringify(h.logs)).not.toContain(CONTENT);
    expect(h.logs.some((l) => l.level === 'warn' && l.reason === reason)).toBe(true);
  });

  it.each(badUpdates)('skips an event with %s, acks it, and journals the next message', async (_name, update) => {
    h.emulator.injectRawUpdate(update);
    h.emulator.injectMessage('after the bad event');
    await until(() => texts().includes('after the bad event') && h.emulator.pending() === 0, 'the next message journaled and the bad event acked');
    expect(texts()).toEqual(['after the bad event']);
    expect(h.rejects).toEqual(['malformed-event']);
    expect(h.emulator.connections).toBe(1);
    expect(h.failures).toEqual([]);
    expect(h.transitions.map((t) => t.state)).toEqual(['connecting', 'online']);
    expect(JSON.stringify(h.logs)).not.toContain(CONTENT);
  });

  it('accepts the whole range a Date holds and keeps order around bad frames', async () => {
    h.emulator.injectRawUpdate({ ...good, id: 'edge', text: 'at the edge', date: 8.64e15 });
    h.emulator.injectRawLine('null');
    h.emulator.injectMessage('last');
    await until(() => texts().length === 2, 'both valid events journaled');
    expect(texts()).toEqual(['at the edge', 'last']);
    expect(h.journal.drafts[0]!.platformTime).toBe('+275760-09-13T00:00:00.000Z');
    expect(h.rejects).toEqual(['malformed-frame']);
  });
});
