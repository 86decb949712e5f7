/**
 * LINE outbound through the real SDK against the emulator: reply token vs push fallback, the retry key
 * reused across retries (409 = already delivered), 429 honoured, 5000-char split in requests of 5,
 * buttons whose postback comes back as an action, typing, and the commands LINE does not have.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, DEFAULT_USER } from '../../connectors/line/emulator.js';
import type { SbError } from '../../src/errors.js';
import { startHarness, type Harness } from './harness.js';

const GROUP = 'Cgroup0000000000000000000000000001';

describe('LINE connector: outbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function started(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
    h = await startHarness(options);
    await h.start();
    return h;
  }

  it('reply spends the fresh reply token once (quoting the message), then falls back to push', async () => {
    const h = await started();
    const { event, delivery } = h.emulator.injectText('question');
    await delivery;
    const messageId = event.message!.id;
    const first = await h.connector.send({ type: 'reply', connector: 'line-test', conversation: DEFAULT_USER, replyTo: messageId, text: 'answer' });
    expect(h.emulator.sent.at(-1)).toMatchObject({ api: 'reply', to: DEFAULT_USER, messages: [{ type: 'text', text: 'answer', quoteToken: event.message!.quoteToken }] });
    expect(first.messageIds).toEqual(h.emulator.sent.at(-1)!.ids);
    // The token is single-use: a second reply to the same message is a push, still quoting it.
    await h.connector.send({ type: 'reply', connector: 'line-test', conversation: DEFAULT_USER, replyTo: messageId, text: 'and more' });
    expect(h.emulator.sent.at(-1)).toMatchObject({ api: 'push', to: DEFAULT_USER, messages: [{ text: 'and more', quoteToken: event.message!.quoteToken }] });
    expect(h.emulator.sent.at(-1)!.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.emulator.calls.filter((c) => c.path === '/v2/bot/message/reply')).toHaveLength(1);
  });

  it('an expired reply token is not tried: the answer is pushed', async () => {
    let now = Date.now();
    const h = await started({ clock: { now: () => now } });
    const { event, delivery } = h.emulator.injectText('slow question');
    await delivery;
    now += 70_000;
    await h.connector.send({ type: 'reply', connector: 'line-test', conversation: DEFAULT_USER, replyTo: event.message!.id, text: 'late answer' });
    expect(h.emulator.sent.map((r) => r.api)).toEqual(['push']);
    expect(h.emulator.calls.some((c) => c.path === '/v2/bot/message/reply')).toBe(false);
  });

  it('a reply token LINE refuses falls back to push', async () => {
    const h = await started();
    const { event, delivery } = h.emulator.injectText('q');
    await delivery;
    h.emulator.failNextCalls(1, { status: 500, paths: ['/v2/bot/message/reply'] });
    await h.connector.send({ type: 'reply', connector: 'line-test', conversation: DEFAULT_USER, replyTo: event.message!.id, text: 'via push' });
    expect(h.emulator.sent.map((r) => [r.api, r.messages[0]!.text])).toEqual([['push', 'via push']]);
  });

  it('a push answered 500 after LINE accepted it is retried with the same retry key: 409, delivered once', async () => {
    const h = await started();
    h.emulator.failNextCalls(1, { status: 500, delivered: true, paths: ['/v2/bot/message/push'] });
    const result = await h.connector.send({ type: 'send', connector: 'line-test', conversation: DEFAULT_USER, text: 'exactly once' });
    const pushes = h.emulator.calls.filter((c) => c.path === '/v2/bot/message/push');
    expect(pushes.map((c) => c.status)).toEqual([500, 409]);
    expect(pushes[0]!.retryKey).toBe(pushes[1]!.retryKey);
    expect(h.emulator.sent).toHaveLength(1);
    expect(result.messageIds).toEqual(h.emulator.sent[0]!.ids);
  });

  it('429 is retried after Retry-After; each logical send has its own key', async () => {
    const h = await started();
    h.emulator.failNextCalls(1, { status: 429, retryAfterSeconds: 1, paths: ['/v2/bot/message/push'] });
    await h.connector.send({ type: 'send', connector: 'line-test', conversation: DEFAULT_USER, text: 'patient' });
    const pushes = h.emulator.calls.filter((c) => c.path === '/v2/bot/message/push');
    expect(pushes.map((c) => c.status)).toEqual([429, 200]);
    expect(pushes[1]!.at - pushes[0]!.at).toBeGreaterThanOrEqual(950);
    await h.connector.send({ type: 'send', connector: 'line-test', conversation: DEFAULT_USER, text: 'another' });
    const keys = h.emulator.sent.map((r) => r.retryKey);
    expect(new Set(keys).size).toBe(2);
  });

  it('a refused push (4xx) is not retried and the agent gets LINE\'s reason', async () => {
    const h = await started();
    const err = (await h.connector.send({ type: 'send', connector: 'line-test', conversation: '', text: 'nowhere' }).catch((e: unknown) => e)) as SbError;
    expect(err.code).toBe('SB_E_SEND');
    expect(err.message).toMatch(/LINE refused pushMessage \(400: .*to/);
    expect(h.emulator.calls.filter((c) => c.path === '/v2/bot/message/push')).toHaveLength(1);
  });

  it('long text is split at 5000 characters, at most 5 messages per request', async () => {
    const h = await started();
    const line = 'x'.repeat(999) + '\n';
    const text = line.repeat(26); // 26,000 characters → 6 messages → two pushes (5 + 1)
    const result = await h.connector.send({ type: 'send', connector: 'line-test', conversation: GROUP, text });
    expect(h.emulator.sent.map((r) => r.messages.length)).toEqual([5, 1]);
    expect(h.emulator.sent.flatMap((r) => r.messages.map((m) => (m.text as string).length)).every((n) => n <= 5000)).toBe(true);
    expect(result.messageIds).toHaveLength(6);
    expect(h.emulator.sent[0]!.retryKey).not.toBe(h.emulator.sent[1]!.retryKey);
  });

  it('buttons: a Flex bubble of postback buttons; a press comes back as an action bound to the button set', async () => {
    const h = await started();
    const result = await h.connector.send({
      type: 'buttons', connector: 'line-test', conversation: DEFAULT_USER, text: 'Deploy to staging?',
      buttons: [{ id: 'yes', label: 'Deploy', value: 'staging#42', style: 'primary' }, { id: 'no', label: 'Cancel', style: 'danger' }],
    });
    const sent = h.emulator.sent.at(-1)!;
    expect(sent.messages[0]).toMatchObject({ type: 'flex', altText: 'Deploy to staging?' });
    const buttons = buttonsOf(sent.messages[0]!);
    expect(buttons.map((b) => b.label)).toEqual(['Deploy', 'Cancel']);
    await h.emulator.injectPostback(buttons[0]!.data).delivery;
    const press = h.drafts.at(-1)!;
    expect(press).toMatchObject({ kind: 'action', action: { id: 'yes', value: 'staging#42' }, conversation: { id: DEFAULT_USER, kind: 'dm' } });
    expect(result.messageIds).toContain(press.messageId);
    await expect(h.connector.send({ type: 'buttons', connector: 'line-test', conversation: DEFAULT_USER, text: 't', buttons: [{ id: 'x', label: 'y', value: 'v'.repeat(300) }] })).rejects.toThrow(/LINE allows 300/);
  });

  it('typing shows the loading animation in a DM and does nothing in a group', async () => {
    const h = await started();
    await h.connector.send({ type: 'typing', connector: 'line-test', conversation: DEFAULT_USER });
    await h.connector.send({ type: 'typing', connector: 'line-test', conversation: GROUP });
    expect(h.emulator.loading).toEqual([{ chatId: DEFAULT_USER, seconds: 20 }]);
  });

  it('edit and react are not something LINE can do: SB_E_UNSUPPORTED, nothing called', async () => {
    const h = await started();
    const calls = h.emulator.calls.length;
    for (const cmd of [
      { type: 'edit', connector: 'line-test', conversation: DEFAULT_USER, messageId: '1', text: 'x' },
      { type: 'react', connector: 'line-test', conversation: DEFAULT_USER, messageId: '1', emoji: '👍' },
    ] as const) {
      await expect(h.connector.send(cmd)).rejects.toMatchObject({ code: 'SB_E_UNSUPPORTED' });
    }
    expect(h.emulator.calls.length).toBe(calls);
  });
});
