/**
 * ReplyStream against a recording `send`: the platform's edit cap (a message that has used its edits
 * is continued in a new one), a refused final edit (the end of the answer is sent as a new message),
 * and a platform that fails for a while (retried, the answer arrives once) or for good (`finish`
 * reports it and what the chat does not show).
 */
import { describe, expect, it } from 'vitest';
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import { ReplyStream, type ReplyStreamOptions } from '../../src/agent/reply-stream.js';
import { SbError } from '../../src/errors.js';
import { until } from '../helpers/tmp.js';

interface Recorder {
  shown: OutboundCommand[];
  errors: unknown[];
  stream: ReplyStream;
}

/** Retries for tests: short delays, a 1 s budget. */
const FAST_RETRY = { totalMs: 1_000, backoff: { initialMs: 5, maxMs: 50 } };

/**
 * A stream whose `send` records what the platform accepted; `refuse` makes the platform refuse a
 * command (`true`, or the error to throw).
 */
function record(options: Partial<ReplyStreamOptions>, refuse: (cmd: OutboundCommand) => boolean | Error = () => false): Recorder {
  const shown: OutboundCommand[] = [];
  const errors: unknown[] = [];
  let nextId = 1;
  const send = async (cmd: OutboundCommand): Promise<SendResult> => {
    const refusal = refuse(cmd);
    if (refusal instanceof Error) throw refusal;
    if (refusal) throw new Error(`refused ${cmd.type}`);
    shown.push(cmd);
    return { messageIds: cmd.type === 'edit' ? [] : [`m${nextId++}`] };
  };
  const stream = new ReplyStream({
    send, connector: 'fs', conversation: 'c1', textLimit: 1000, canEdit: true, editIntervalMs: 0, now: () => Date.now(),
    onError: (err) => errors.push(err), retry: FAST_RETRY, ...options,
  });
  return { shown, errors, stream };
}

const textOf = (c: OutboundCommand) => ('text' in c ? c.text : '');

/** Each message's last text (its send, or its latest edit), in order. */
function finalTexts(shown: OutboundCommand[]): string[] {
  const texts = new Map<string, string>();
  let n = 0;
  for (const c of shown) {
    if (c.type === 'edit') texts.set(c.messageId, c.text);
    else texts.set(`m${++n}`, textOf(c));
  }
  return [...texts.values()];
}

/** Append `count` lines, letting each flush run before the next line comes. */
async function stream(r: Recorder, count: number): Promise<string[]> {
  const lines = Array.from({ length: count }, (_, i) => `line ${i + 1}`);
  for (const line of lines) {
    r.stream.append(`${line}\n`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await r.stream.finish();
  return lines;
}

describe('the edit cap of a platform', () => {
  it('never edits a message more than the cap; the answer goes on in new messages and nothing is lost', async () => {
    const r = record({ maxEditsPerMessage: 3 });
    const lines = await stream(r, 30);
    const editsPer = new Map<string, number>();
    for (const c of r.shown) if (c.type === 'edit') editsPer.set(c.messageId, (editsPer.get(c.messageId) ?? 0) + 1);
    expect(Math.max(...editsPer.values())).toBe(3);
    const messages = r.shown.filter((c) => c.type !== 'edit');
    expect(messages.length).toBeGreaterThanOrEqual(30 / 4);
    // The messages' final texts, in order, are the whole answer, each line once.
    expect(finalTexts(r.shown).join('\n')).toBe(lines.join('\n'));
    expect(r.errors).toEqual([]);
  });

  it('without a cap, one message takes every edit', async () => {
    const r = record({});
    const lines = await stream(r, 30);
    expect(r.shown.filter((c) => c.type !== 'edit')).toHaveLength(1);
    expect(finalTexts(r.shown)).toEqual([lines.join('\n')]);
  });
});

describe('a refused edit', () => {
  it('a refused final edit sends the rest of the answer as a new message', async () => {
    let refuseEdits = false;
    const r = record({ replyTo: 'q1' }, (cmd) => refuseEdits && cmd.type === 'edit');
    r.stream.append('first part\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    refuseEdits = true; // e.g. Feishu past its 20 edits, or a message deleted meanwhile
    r.stream.append('second part\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    r.stream.append('the end');
    await r.stream.finish();
    expect(r.shown.map((c) => [c.type, textOf(c)])).toEqual([
      ['reply', 'first part'],
      ['send', 'second part\nthe end'],
    ]);
    expect(r.errors.length).toBeGreaterThanOrEqual(2); // the mid-stream edit and the final one
  });

  it('mid-stream, a refused edit is tried again at the next flush (no new message)', async () => {
    let refusals = 1;
    const r = record({}, (cmd) => cmd.type === 'edit' && refusals-- > 0);
    const lines = await stream(r, 5);
    expect(r.shown.filter((c) => c.type !== 'edit')).toHaveLength(1);
    expect(finalTexts(r.shown)).toEqual([lines.join('\n')]);
    expect(r.errors).toHaveLength(1);
  });
});

describe('a platform that fails for a while', () => {
  it('a final send that fails 3 times, then goes through, shows the whole answer once', async () => {
    let failures = 3;
    const r = record({ canEdit: false, replyTo: 'q1' }, () => failures-- > 0);
    r.stream.append('the whole answer\nin two lines');
    expect(await r.stream.finish()).toEqual({ delivered: true, undelivered: '' });
    expect(r.shown).toEqual([expect.objectContaining({ type: 'reply', replyTo: 'q1', text: 'the whole answer\nin two lines' })]);
    expect(r.errors).toHaveLength(3);
  });

  it('a final edit that keeps failing for a while: the rest arrives as a new message, once', async () => {
    let down = false;
    let failures = 4;
    const r = record({}, () => down && failures-- > 0);
    r.stream.append('first part\n');
    await until(() => r.shown.length === 1, 'the first part shown');
    down = true; // e.g. a Gateway resume: every send fails for a while
    r.stream.append('second part');
    expect((await r.stream.finish()).delivered).toBe(true);
    expect(finalTexts(r.shown).join('\n')).toBe('first part\nsecond part');
    expect(r.shown.map((c) => c.type)).toEqual(['send', 'send']);
  });

  it("waits as long as the platform's retry-after asks between attempts", async () => {
    const at: number[] = [];
    const r = record({ canEdit: false }, () => {
      at.push(Date.now());
      return at.length === 1 ? new SbError('SB_E_SEND', 'rate limited', { retryAfterMs: 200 }) : false;
    });
    r.stream.append('answer');
    expect((await r.stream.finish()).delivered).toBe(true);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(190); // the backoff alone would wait 5 ms
  });

  it('a send that always fails: finish reports it and the part the chat does not show', async () => {
    let down = false;
    const r = record({}, () => down);
    r.stream.append('shown part\n');
    await until(() => r.shown.length === 1, 'the first part shown');
    down = true;
    r.stream.append('lost part');
    expect(await r.stream.finish()).toEqual({ delivered: false, undelivered: 'lost part' });
    expect(r.stream.text).toBe('shown part\nlost part');
    expect(r.errors.length).toBeGreaterThan(2); // retried, not given up after one try
  });

  it('stops retrying as soon as its signal aborts (the runtime stops)', async () => {
    const stop = new AbortController();
    const r = record({ canEdit: false, retry: { totalMs: 600_000, backoff: { initialMs: 100 }, signal: stop.signal } }, () => true);
    r.stream.append('answer');
    setTimeout(() => stop.abort(), 50);
    expect(await r.stream.finish()).toEqual({ delivered: false, undelivered: 'answer' });
  });

  it('mid-stream, a failed first send is retried after a backoff, without waiting for more output', async () => {
    let failures = 2;
    const r = record({ replyTo: 'q1' }, () => failures-- > 0);
    r.stream.append('hello');
    await until(() => r.shown.length === 1, 'the retried first message');
    expect(r.shown[0]).toMatchObject({ type: 'reply', text: 'hello' });
    expect(await r.stream.finish()).toEqual({ delivered: true, undelivered: '' });
    expect(r.shown).toHaveLength(1);
    expect(r.errors).toHaveLength(2);
  });
});
