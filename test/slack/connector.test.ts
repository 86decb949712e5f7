/**
 * The Slack connector against its emulator with Bolt's real socket client and Web API client: acks
 * only after journaling, redeliveries absorbed, `disconnect` answered on one socket at a time, auth
 * failures fatal, 429 honoured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SlackConnector } from '../../connectors/slack/connector.js';
import { fakeSlackTokens } from '../../connectors/slack/emulator.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker } from '../../src/connector.js';
import { isFatal } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { until } from '../helpers/tmp.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('slack connector: receiving', () => {
  it('acks an envelope only after its event is journaled', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const release = h.gate();
    h.emulator.injectMessage('held');
    await until(() => h!.ingested.length === 1, 'the envelope handed to the journal');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.emulator.unacked()).toBe(1);
    release();
    await until(() => h!.emulator.unacked() === 0, 'the ack after journaling');
    expect(h.drafts.map((d) => d.text)).toEqual(['held']);
  });

  it('a redelivered envelope (retry_attempt > 0) is absorbed by the dedup key', async () => {
    h = await startHarness({ emulator: { redeliverAfterMs: 200 } });
    await h.connector.start(h.ctx, h.abort.signal);
    const release = h.gate();
    h.emulator.injectMessage('slow journal');
    await until(() => h!.emulator.redeliveries() >= 1 && h!.ingested.length >= 2, 'Slack to redeliver the un-acked envelope');
    release();
    await until(() => h!.emulator.unacked() === 0, 'the ack');
    expect(h.drafts).toHaveLength(1);
    expect(new Set(h.ingested.map((d) => d.dedupKey)).size).toBe(1);
  });

  it('journals a burst in order with one dedup key per event', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    for (let i = 0; i < 200; i++) h.emulator.injectMessage(`m${i}`);
    await until(() => h!.drafts.length === 200 && h!.emulator.unacked() === 0, 'all 200 journaled and acked');
    expect(h.drafts.map((d) => d.text)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(h.drafts[0]!.dedupKey).toMatch(/^sl:Ev\d+$/);
  });

  it('ignores its own messages, and acks them', async () => {
    h = await startHarness({ emulator: { echoBotMessages: true } });
    await h.connector.start(h.ctx, h.abort.signal);
    await h.connector.send({ type: 'send', connector: 'sl', conversation: 'C1', text: 'from the bot' });
    await until(() => h!.emulator.acked() === 1 && h!.emulator.unacked() === 0, 'the echo acked');
    expect(h.drafts).toEqual([]);
  });

  it('button presses and slash commands reach the journal and are acked', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const sent = await h.connector.send({ type: 'buttons', connector: 'sl', conversation: 'C1', text: 'Deploy?', buttons: [{ id: 'deploy', label: 'Yes', value: 'b118', style: 'primary' }, { id: 'cancel', label: 'No' }] });
    const ts = sent.messageIds[0]!;
    expect(h.emulator.sent.at(-1)!.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Deploy?' } },
      { type: 'actions', elements: [
        { type: 'button', action_id: 'deploy', text: { type: 'plain_text', text: 'Yes' }, value: 'b118', style: 'primary' },
        { type: 'button', action_id: 'cancel', text: { type: 'plain_text', text: 'No' } },
      ] },
    ]);
    h.emulator.injectButton('C1', ts, 'deploy', 'b118');
    h.emulator.injectSlashCommand('/deploy', 'prod');
    await until(() => h!.drafts.length === 2 && h!.emulator.unacked() === 0, 'both journaled and acked');
    expect(h.drafts[0]).toMatchObject({ kind: 'action', messageId: ts, action: { id: 'deploy', value: 'b118' }, conversation: { id: 'C1' } });
    expect(h.drafts[1]).toMatchObject({ kind: 'command', text: '/deploy prod' });
  });
});

describe('slack connector: the socket', () => {
  for (const reason of ['refresh_requested', 'warning', 'too_many_websockets'] as const) {
    it(`disconnect (${reason}) reconnects on one socket at a time and keeps un-acked envelopes`, async () => {
      h = await startHarness();
      await h.connector.start(h.ctx, h.abort.signal);
      const release = h.gate();
      h.emulator.injectMessage('in flight');
      await until(() => h!.ingested.length === 1, 'the envelope in the journal write');
      h.emulator.sendDisconnect(reason);
      await until(() => h!.emulator.connections() === 2 && h!.emulator.openSockets() === 1, 'a new socket');
      h.emulator.injectMessage('after');
      release();
      await until(() => h!.drafts.length === 2 && h!.emulator.unacked() === 0, 'both journaled and acked');
      expect(h.drafts.map((d) => d.text)).toEqual(['in flight', 'after']);
      expect(h.emulator.maxConcurrentSockets()).toBe(1);
      expect(h.transitions.some((t) => t.state === 'reconnecting' && t.reason?.includes(reason))).toBe(true);
      expect(h.connector.status().state).toBe('online');
      expect(h.failures).toEqual([]);
    });
  }

  it('many drops in a row never leave two sockets open', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    for (let i = 0; i < 5; i++) {
      const before = h.emulator.connections();
      if (i % 2) h.emulator.dropConnections();
      else h.emulator.sendDisconnect('refresh_requested');
      h.emulator.injectMessage(`m${i}`);
      await until(() => h!.emulator.connections() > before && h!.connector.status().state === 'online', `reconnect ${i}`);
    }
    await until(() => h!.drafts.length === 5 && h!.emulator.unacked() === 0, 'all five');
    expect(h.emulator.maxConcurrentSockets()).toBe(1);
  });

  it('a rejected bot token is fatal at start (auth.test), with no socket opened', async () => {
    const wrong = fakeSlackTokens();
    h = await startHarness({ connectorTokens: { appToken: wrong.appToken, botToken: wrong.botToken } });
    const err = await h.connector.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    expect(isFatal(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/invalid_auth/);
    expect(h.emulator.connections()).toBe(0);
  });

  it('a rejected app token is fatal at start (apps.connections.open)', async () => {
    const wrong = fakeSlackTokens();
    h = await startHarness();
    const c = new SlackConnector(
      { app_token: new Secret(wrong.appToken, 't'), bot_token: new Secret(h.tokens.botToken, 't'), api_url: h.emulator.apiUrl },
      { name: 'sl2', log: silentLogger(), clock: systemClock, stateDir: '/x', state: new StateTracker(systemClock) },
    );
    const err = await c.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    await c.stop();
    expect(isFatal(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/app_token.*invalid_auth/);
  });

  it('tokens revoked while running: the reconnect reports a fatal error instead of looping', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.revokeTokens();
    h.emulator.dropConnections();
    await until(() => h!.failures.length === 1, 'the fatal failure');
    expect(isFatal(h.failures[0])).toBe(true);
    const opens = h.emulator.count('apps.connections.open');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.emulator.count('apps.connections.open')).toBe(opens);
  });

  it('5xx and 429 on apps.connections.open are retried, 429 after Retry-After', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.failNextCalls(2, 429, { retryAfter: 1, methods: ['apps.connections.open'] });
    const t0 = Date.now();
    h.emulator.dropConnections();
    await until(() => h!.emulator.connections() === 2 && h!.connector.status().state === 'online', 'reconnected after the 429s');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
    h.emulator.failNextCalls(1, 503, { methods: ['apps.connections.open'] });
    h.emulator.dropConnections();
    await until(() => h!.emulator.connections() === 3 && h!.connector.status().state === 'online', 'reconnected after the 503');
    expect(h.failures).toEqual([]);
  });

  it('mis-shaped or swapped tokens are refused before any call, naming the fix', () => {
    const t = fakeSlackTokens();
    const make = (app: string, bot: string) => () =>
      new SlackConnector({ app_token: new Secret(app, 't'), bot_token: new Secret(bot, 't') }, { name: 'x', log: silentLogger(), clock: systemClock, stateDir: '/x', state: new StateTracker(systemClock) });
    expect(make(t.botToken, t.appToken)).toThrow(/app_token holds a bot token/);
    let message = '';
    try {
      make(t.botToken, t.appToken)();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain(t.botToken);
    expect(message).not.toContain(t.appToken);
  });

  it('never logs a token', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectMessage('x');
    h.emulator.sendDisconnect('refresh_requested');
    await until(() => h!.emulator.connections() === 2 && h!.drafts.length === 1, 'reconnect');
    const text = JSON.stringify(h.logs);
    expect(text).not.toContain(h.tokens.appToken);
    expect(text).not.toContain(h.tokens.botToken);
  });
});

describe('slack connector: sending', () => {
  it('reply goes into the thread, edit uses chat.update, react uses reactions.add', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const { ts } = h.emulator.injectMessage('question');
    const r = await h.connector.send({ type: 'reply', connector: 'sl', conversation: 'C0EMULATOR', replyTo: ts, text: 'answer' });
    expect(h.emulator.sent.at(-1)).toMatchObject({ method: 'chat.postMessage', channel: 'C0EMULATOR', thread_ts: ts, text: 'answer' });
    await h.connector.send({ type: 'send', connector: 'sl', conversation: `C0EMULATOR:${ts}`, text: 'more in thread' });
    expect(h.emulator.sent.at(-1)).toMatchObject({ thread_ts: ts });
    await h.connector.send({ type: 'edit', connector: 'sl', conversation: 'C0EMULATOR', messageId: r.messageIds[0]!, text: 'better answer' });
    expect(h.emulator.sent.at(-1)).toMatchObject({ method: 'chat.update', ts: r.messageIds[0], text: 'better answer' });
    await h.connector.send({ type: 'react', connector: 'sl', conversation: 'C0EMULATOR', messageId: ts, emoji: ':eyes:' });
    await h.connector.send({ type: 'react', connector: 'sl', conversation: 'C0EMULATOR', messageId: ts, emoji: 'eyes' });
    expect(h.emulator.sent.filter((s) => s.method === 'reactions.add')).toEqual([{ method: 'reactions.add', channel: 'C0EMULATOR', ts, reaction: 'eyes' }]);
  });

  it('splits long text at 4000 characters', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const r = await h.connector.send({ type: 'send', connector: 'sl', conversation: 'C1', text: `${'a'.repeat(3000)}\n${'b'.repeat(3000)}` });
    expect(r.messageIds).toHaveLength(2);
  });

  it('honours Retry-After on a 429, and retries a 500', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.failNextCalls(1, 429, { retryAfter: 1, methods: ['chat.postMessage'] });
    const t0 = Date.now();
    await h.connector.send({ type: 'send', connector: 'sl', conversation: 'C1', text: 'after the limit' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(h.emulator.count('chat.postMessage')).toBe(2);
    h.emulator.failNextCalls(1, 500, { methods: ['chat.postMessage'] });
    await h.connector.send({ type: 'send', connector: 'sl', conversation: 'C1', text: 'after the 500' });
    expect(h.emulator.sent.map((s) => s.text)).toEqual(['after the limit', 'after the 500']);
  });

  it('a refused request is not retried and says why', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const err = await h.connector.send({ type: 'edit', connector: 'sl', conversation: 'C1', messageId: '1.000001', text: 'x' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/chat\.update: message_not_found/);
    expect(h.emulator.count('chat.update')).toBe(1);
  });
});
