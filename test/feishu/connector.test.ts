import { afterEach, describe, expect, it } from 'vitest';
import { create } from '../../connectors/feishu/index.js';
import { schema } from '../../connectors/feishu/schema.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker } from '../../src/connector.js';
import { FatalConnectorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { until } from '../helpers/tmp.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('feishu connector against the emulator', () => {
  it('reassembles an event split into fragments, and acks it once journaled', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const long = 'x'.repeat(5_000) + ' end';
    h.emulator.injectMessage(long, { fragments: 4 });
    await until(() => h!.drafts.length === 1, 'the reassembled event');
    expect(h.drafts[0]!.text).toBe(long);
    await until(() => h!.emulator.unacked() === 0, 'the ack');
    expect(h.emulator.nacks()).toBe(0);
  });

  it('a redelivered event reaches the journal again and is absorbed by its dedup key', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const { eventId } = h.emulator.injectMessage('once');
    await until(() => h!.emulator.acks() === 1, 'the first ack');
    h.emulator.redeliver(eventId);
    await until(() => h!.emulator.acks() === 2, 'the redelivery acked');
    expect(h.ingestCalls()).toBe(2);
    expect(h.duplicates()).toBe(1);
    expect(h.drafts.map((d) => d.dedupKey)).toEqual([`fs:${eventId}`]);
  });

  it('fetches the tenant token once and refreshes it before it expires', async () => {
    // The SDK keeps a token until 3 minutes before expiry: 181 s leaves it one second.
    h = await startHarness({ emulator: { tokenExpireSeconds: 181 } });
    await h.connector.start(h.ctx, h.abort.signal);
    const send = (text: string) => h!.connector.send({ type: 'send', connector: 'fs', conversation: h!.emulator.chatId, text });
    await send('one');
    await send('two');
    expect(h.emulator.tokenFetches()).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100));
    await send('three');
    expect(h.emulator.tokenFetches()).toBe(2);
    expect(h.emulator.badTokenCalls()).toBe(0);
    expect(h.emulator.sent.map((s) => s.text)).toEqual(['one', 'two', 'three']);
  });

  it('replies, edits, reacts, sends a button card, and a press comes back as an action', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectMessage('question');
    await until(() => h!.drafts.length === 1, 'the message');
    const asked = h.drafts[0]!;
    const [replyId] = (await h.connector.send({ type: 'reply', connector: 'fs', conversation: asked.conversation.id, replyTo: asked.messageId!, text: 'thinking' })).messageIds;
    await h.connector.send({ type: 'edit', connector: 'fs', conversation: asked.conversation.id, messageId: replyId!, text: 'answer' });
    await h.connector.send({ type: 'react', connector: 'fs', conversation: asked.conversation.id, messageId: asked.messageId!, emoji: 'THUMBSUP' });
    expect((await h.connector.send({ type: 'typing', connector: 'fs', conversation: asked.conversation.id })).messageIds).toEqual([]);
    const [cardId] = (await h.connector.send({ type: 'buttons', connector: 'fs', conversation: asked.conversation.id, text: 'Deploy?', buttons: [{ id: 'yes', label: 'Yes', value: 'prod', style: 'primary' }, { id: 'no', label: 'No' }] })).messageIds;
    expect(h.emulator.sent.map((s) => [s.call, s.text])).toEqual([['reply', 'thinking'], ['update', 'answer'], ['reaction', 'THUMBSUP'], ['create', 'Deploy?']]);
    expect(h.emulator.sent[0]!.replyTo).toBe(asked.messageId);
    h.emulator.injectButton(cardId!, (h.emulator.sent[3]!.content.elements as { actions: { value: Record<string, unknown> }[] }[])[1]!.actions[0]!.value);
    await until(() => h!.drafts.length === 2, 'the press');
    expect(h.drafts[1]).toMatchObject({ kind: 'action', action: { id: 'yes', value: 'prod' }, messageId: cardId, conversation: { id: h.emulator.chatId } });
  });

  it('retries a send through 429 and 5xx answers', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.failNextCalls(1, 429, { pathIncludes: '/im/v1/messages', retryAfterSeconds: 0 });
    await h.connector.send({ type: 'send', connector: 'fs', conversation: h.emulator.chatId, text: 'after 429' });
    h.emulator.failNextCalls(2, 502, { pathIncludes: '/im/v1/messages' });
    await h.connector.send({ type: 'send', connector: 'fs', conversation: h.emulator.chatId, text: 'after 502' });
    expect(h.emulator.sent.map((s) => s.text)).toEqual(['after 429', 'after 502']);
    expect(h.emulator.calls.filter((c) => c.status >= 429).length).toBe(3);
  });

  it('refuses to edit a message it did not send, without retrying', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const { messageId } = h.emulator.injectMessage('mine');
    await expect(h.connector.send({ type: 'edit', connector: 'fs', conversation: h.emulator.chatId, messageId, text: 'x' })).rejects.toMatchObject({ code: 'SB_E_SEND', message: expect.stringContaining('230027') });
    expect(h.emulator.calls.filter((c) => c.method === 'PUT').length).toBe(1);
  });

  it('reconnects after the platform closes the socket cleanly, and gets what was queued meanwhile', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.sendDisconnect();
    h.emulator.injectMessage('while away');
    await until(() => h!.transitions.includes('reconnecting'), 'the drop noticed');
    await until(() => h!.state.state === 'online' && h!.drafts.length === 1, 'back online with the event');
    expect(h.emulator.endpointFetches()).toBe(2);
    expect(h.failures).toEqual([]);
  });

  it('a wrong app secret is fatal at start, and the secret never reaches the log', async () => {
    h = await startHarness({ appSecret: 'WrongSecretWrongSecretWrongSecre' });
    const err = await h.connector.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalConnectorError);
    expect((err as Error).message).toMatch(/app_secret/);
    const logs = h.logLines.join('\n');
    expect(logs).not.toContain('WrongSecretWrongSecretWrongSecre');
    expect(logs).not.toContain(h.appSecret);
  });

  it('start fails (retryable) when the platform is unreachable, instead of hanging', async () => {
    h = await startHarness({ connector: { connectTimeoutMs: 1_500 } });
    await h.emulator.close();
    const err = await h.connector.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_E_CONNECTOR' });
  });
});

describe('feishu app id', () => {
  const good = { platform: 'feishu', app_id: 'cli_a1b2c3d4e5f60718', app_secret: { env: 'FS_SECRET' } };

  it('the schema refuses an app id the SDK would silently ignore, and says so', () => {
    expect(schema.safeParse(good).success).toBe(true);
    for (const app_id of ['cli_a1b2c3d4e5f6071', 'a1b2c3d4e5f60718', 'cli_a1b2c3d4e5f6071z', 'cli_a1b2c3d4e5f607181']) {
      const r = schema.safeParse({ ...good, app_id });
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toMatch(/silently does nothing/);
    }
    expect(schema.safeParse({ ...good, domain: 'lark' }).success).toBe(true);
    expect(schema.safeParse({ ...good, domain: 'http://127.0.0.1:9' }).success).toBe(true);
    expect(schema.safeParse({ ...good, domain: 'open.feishu.cn' }).success).toBe(false);
    expect(schema.safeParse({ ...good, app_secret: 'inline' }).success).toBe(false);
  });

  it('the factory refuses it too (blocks built in code skip the schema)', () => {
    const deps = { name: 'fs', log: silentLogger(), clock: systemClock, stateDir: '/nonexistent', state: new StateTracker(systemClock) };
    expect(() => create({ platform: 'feishu', enabled: true, app_id: 'cli_123', app_secret: new Secret('s', 'test') }, deps)).toThrow(FatalConnectorError);
  });
});
