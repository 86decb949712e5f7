/** Outbound commands through grammY to the emulator: splitting, retries, and every command type. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SbError } from '../../src/errors.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const base = { connector: 'tg', conversation: '1001' } as const;
const sends = () => h.emulator.sent.filter((r) => r.method === 'sendMessage');

describe('telegram outbound', () => {
  it('splits text over 4096 characters on line boundaries; only the first chunk is the reply', async () => {
    h.emulator.injectMessage('question');
    const lines = Array.from({ length: 300 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(24)}`);
    const text = lines.join('\n'); // ~10 000 characters
    const result = await h.connector.send({ ...base, type: 'reply', replyTo: '1', text });
    const chunks = sends();
    expect(chunks).toHaveLength(3);
    expect(result.messageIds).toEqual(chunks.map((c) => String(c.message_id)));
    for (const c of chunks) expect(c.text!.length).toBeLessThanOrEqual(4096);
    expect(chunks.map((c) => c.text).join('\n')).toBe(text);
    for (const c of chunks) expect(lines).toContain(c.text!.split('\n').at(-1));
    expect(chunks.map((c) => c.reply_to)).toEqual([1, undefined, undefined]);
  });

  it('honours retry_after on a 429 and sends exactly once', async () => {
    h.emulator.failNextCalls(1, 429, { retryAfter: 1, methods: ['sendMessage'] });
    const t0 = Date.now();
    await h.connector.send({ ...base, type: 'send', text: 'after the limit' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(sends().map((s) => s.text)).toEqual(['after the limit']);
    expect(h.emulator.count('sendMessage')).toBe(2);
  });

  it('a 429 asking for more than 30 s fails at once, carrying retryAfterMs for the agent', async () => {
    h.emulator.failNextCalls(1, 429, { retryAfter: 90, methods: ['sendMessage'] });
    const err = await h.connector.send({ ...base, type: 'send', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SbError);
    expect(err).toMatchObject({ code: 'SB_E_SEND', retryAfterMs: 90_000 });
    expect(h.emulator.count('sendMessage')).toBe(1);
  });

  it('retries 5xx a bounded number of times', async () => {
    h.emulator.failNextCalls(2, 500, { methods: ['sendMessage'] });
    await h.connector.send({ ...base, type: 'send', text: 'third time lucky' });
    expect(sends()).toHaveLength(1);
    h.emulator.failNextCalls(10, 500, { methods: ['sendMessage'] });
    const err = await h.connector.send({ ...base, type: 'send', text: 'never' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_E_SEND', message: expect.stringContaining('500') });
    expect(h.emulator.count('sendMessage')).toBe(3 + 4);
  });

  it('does not retry a refused request (400), and says what Telegram said', async () => {
    const err = await h.connector.send({ ...base, type: 'edit', messageId: '999', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_E_SEND', message: expect.stringContaining('message to edit not found') });
    expect(h.emulator.count('editMessageText')).toBe(1);
  });

  it('edits (an unchanged text is not an error), reacts, and shows typing in a topic', async () => {
    const { messageIds } = await h.connector.send({ ...base, type: 'send', text: 'working…' });
    const id = messageIds[0]!;
    await h.connector.send({ ...base, type: 'edit', messageId: id, text: 'done' });
    await h.connector.send({ ...base, type: 'edit', messageId: id, text: 'done' });
    await h.connector.send({ ...base, type: 'react', messageId: id, emoji: '👍' });
    await h.connector.send({ connector: 'tg', conversation: '-1001000000001:77', type: 'typing' });
    expect(h.emulator.sent.slice(1)).toEqual([
      { method: 'editMessageText', chat_id: '1001', message_id: Number(id), text: 'done' },
      { method: 'setMessageReaction', chat_id: '1001', message_id: Number(id), reaction: [{ type: 'emoji', emoji: '👍' }] },
      { method: 'sendChatAction', chat_id: '-1001000000001', action: 'typing', message_thread_id: 77 },
    ]);
  });

  it('refuses button data over 64 bytes or an id with ":" before calling Telegram', async () => {
    const long = await h.connector.send({ ...base, type: 'buttons', text: 'pick', buttons: [{ id: 'choose', label: 'A', value: 'v'.repeat(60) }] }).catch((e: unknown) => e);
    expect(long).toMatchObject({ code: 'SB_E_SEND', message: expect.stringMatching(/67 bytes, Telegram allows 64/) });
    const colon = await h.connector.send({ ...base, type: 'buttons', text: 'pick', buttons: [{ id: 'a:b', label: 'A' }] }).catch((e: unknown) => e);
    expect(colon).toMatchObject({ code: 'SB_E_SEND', message: expect.stringContaining('without ":"') });
    expect(h.emulator.count('sendMessage')).toBe(0);
  });

  it('lays out buttons three to a row, keyboard under the last chunk of a long text', async () => {
    const buttons = Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, label: `B${i}` }));
    await h.connector.send({ ...base, type: 'buttons', text: `${'a'.repeat(4000)}\n${'b'.repeat(200)}`, buttons });
    const [first, last] = sends();
    expect(first!.buttons).toBeUndefined();
    expect(last!.buttons!.map((row) => row.map((b) => b.callback_data))).toEqual([['b0', 'b1', 'b2'], ['b3', 'b4']]);
  });

  it('rejects a message id that is not a number, naming the expected form', async () => {
    const err = await h.connector.send({ ...base, type: 'react', messageId: 'm1', emoji: '👍' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_E_SEND', message: expect.stringContaining('not a Telegram message id') });
  });
});
