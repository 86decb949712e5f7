/**
 * ReplyStream against a recording `send`: the platform's edit cap (a message that has used its edits
 * is continued in a new one), and a refused final edit (the end of the answer is sent as a new message).
 */
import { describe, expect, it } from 'vitest';
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import { ReplyStream, type ReplyStreamOptions } from '../../src/agent/reply-stream.js';

interface Recorder {
  shown: OutboundCommand[];
  errors: unknown[];
  stream: ReplyStream;
}

/** A stream whose `send` records what the platform accepted; `refuse` makes the platform refuse a command. */
function record(options: Partial<ReplyStreamOptions>, refuse: (cmd: OutboundCommand) => boolean = () => false): Recorder {
  const shown: OutboundCommand[] = [];
  const errors: unknown[] = [];
  let nextId = 1;
  const send = async (cmd: OutboundCommand): Promise<SendResult> => {
    if (refuse(cmd)) throw new Error(`refused ${cmd.type}`);
    shown.push(cmd);
    return { messageIds: cmd.type === 'edit' ? [] : [`m${nextId++}`] };
  };
  const stream = new ReplyStream({
    send, connector: 'fs', conversation: 'c1', textLimit: 1000, canEdit: true, editIntervalMs: 0, now: () => Date.now(),
    onError: (err) => errors.push(err), ...options,
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
