/**
 * The Discord connector against the emulator with the real discord.js: resume with replay after a
 * drop, op 7, op 9 both ways, a persisted session resumed by a new instance, REST 429/5xx honoured (and
 * a long 429 failing fast), button interactions acknowledged, the 2000-character split. Every close
 * code of the recovery table: close-codes.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FatalConnectorError, SbError, isFatal } from '../../src/errors.js';
import { MAX_SEND_WAIT_MS } from '../../src/supervisor/send-retry.js';
import { until } from '../helpers/tmp.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Each text once, in injection order. */
function expectOnceInOrder(texts: string[], expected: string[]): void {
  expect(texts).toEqual(expected);
}

describe('discord connector: the session survives the connection', () => {
  it('resumes after a dropped connection; the emulator replays what was missed and each event arrives once', async () => {
    h = await startHarness();
    h.connector();
    await h.start();
    const texts = Array.from({ length: 60 }, (_, i) => `m${i}`);
    for (const t of texts.slice(0, 20)) h.emulator.injectMessage(t);
    await until(() => h!.received.length >= 10, 'some events before the drop');
    h.emulator.dropConnections();
    for (const t of texts.slice(20, 40)) h.emulator.injectMessage(t, { channel: 'random' });
    await until(() => h!.received.length >= 40, 'the replay after the resume');
    for (const t of texts.slice(40)) h.emulator.injectMessage(t, { channel: 'agent-thread' });
    await until(() => h!.received.length === 60, 'all 60');
    await new Promise((r) => setTimeout(r, 200));
    expectOnceInOrder(h.texts(), texts);
    expect(h.emulator.counters).toMatchObject({ identifies: 1 });
    expect(h.emulator.counters.resumes).toBeGreaterThanOrEqual(1);
    expect(h.emulator.counters.replayed).toBeGreaterThanOrEqual(20);
    expect(h.transitions).toContain('reconnecting');
    expect(h.received.at(-1)!.conversation).toMatchObject({ kind: 'thread', parentId: h.emulator.ids.general });
    expect(h.failures).toEqual([]);
  });

  it('a journal refusal mid-stream: nothing after it overtakes it; a forced resume brings it and the rest, in order', async () => {
    h = await startHarness();
    const c = h.connector();
    const ctx = h.ctx();
    // The SQLite journal commits the appends of one event-loop turn in one transaction, so a refusal
    // (disk full, I/O error) refuses that whole turn: model that, twice, around m7.
    let refusals = 0;
    let refusingTurn = false;
    const ingest = ctx.ingest;
    ctx.ingest = async (draft) => {
      if (draft.text === 'm7' && refusals < 2) {
        refusals++;
        refusingTurn = true;
        setImmediate(() => (refusingTurn = false));
      }
      if (refusingTurn) throw new Error('disk full');
      return ingest(draft);
    };
    await c.start(ctx, new AbortController().signal);
    const texts = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const t of texts) h.emulator.injectMessage(t);
    await until(() => h!.received.length === 20, 'all 20');
    await new Promise((r) => setTimeout(r, 200));
    expectOnceInOrder(h.texts(), texts);
    expect(refusals).toBe(2);
    expect(h.emulator.counters.resumes).toBeGreaterThanOrEqual(2);
    expect(h.emulator.counters.identifies).toBe(1);
  });

  it('op 7 RECONNECT: reconnects to resume_gateway_url and resumes the same session', async () => {
    h = await startHarness();
    h.connector();
    await h.start();
    h.emulator.injectMessage('before');
    await until(() => h!.received.length === 1, 'first');
    const resumeUrlBefore = h.emulator.counters.resumeUrlConnections;
    h.emulator.sendReconnect();
    h.emulator.injectMessage('during');
    await until(() => h!.emulator.counters.resumes === 1, 'the resume');
    h.emulator.injectMessage('after');
    await until(() => h!.received.length === 3, 'all three');
    expectOnceInOrder(h.texts(), ['before', 'during', 'after']);
    expect(h.emulator.counters.resumeUrlConnections).toBe(resumeUrlBefore + 1);
    expect(h.emulator.counters.identifies).toBe(1);
  });

  it('op 9 d:true resumes the session; op 9 d:false identifies a new one and goes on', async () => {
    h = await startHarness();
    h.connector();
    await h.start();
    h.emulator.invalidateSession(true);
    await until(() => h!.emulator.counters.resumes === 1, 'the resume after op 9 true');
    h.emulator.injectMessage('after resumable op 9');
    await until(() => h!.received.length === 1, 'event');
    expect(h.emulator.counters.identifies).toBe(1);

    h.emulator.invalidateSession(false);
    // discord.js spaces IDENTIFYs 5 s apart (Discord's max_concurrency 1), so this takes a while.
    await until(() => h!.emulator.counters.identifies === 2, 'a fresh IDENTIFY after op 9 false', 9000);
    await until(() => h!.emulator.openSockets() === 1 && h!.transitions.at(-1) === 'online', 'online again');
    h.emulator.injectMessage('in the new session');
    await until(() => h!.received.length === 2, 'event in the new session');
    expect(h.texts()).toEqual(['after resumable op 9', 'in the new session']);
    // The persisted point now names the new session.
    await new Promise((r) => setTimeout(r, 300));
    const stored = JSON.parse(readFileSync(join(h.stateDir, 'discord-dc.session.json'), 'utf8'));
    expect(stored.seq).toBeGreaterThan(0);
    expect(h.failures).toEqual([]);
  });

  it('a refused token is fatal at start: 401 from REST, or 4004 from the Gateway', async () => {
    h = await startHarness();
    const bad = h.connector('MTE4NzM1MjEyMzQ1Njc4OTAxMg.Gx1y2z.wrong-token-wrong-token-wrong-1');
    await expect(h.start(bad)).rejects.toBeInstanceOf(FatalConnectorError);
    expect(h.emulator.counters.connections).toBe(0);
    const good = h.connector();
    h.emulator.failNextHandshake(4004);
    await expect(h.start(good)).rejects.toThrow(/4004/);
    await new Promise((r) => setTimeout(r, 800));
    expect(h.emulator.counters.identifies).toBe(1);
  });

  it('a new instance (a restarted process) resumes the persisted session: nothing injected meanwhile is lost', async () => {
    h = await startHarness();
    const first = h.connector();
    await h.start(first);
    h.emulator.injectMessage('one');
    await until(() => h!.received.length === 1, 'one');
    await first.stop();
    h.emulator.injectMessage('while down');
    const second = h.connector();
    await h.start(second);
    h.emulator.injectMessage('after restart');
    await until(() => h!.received.length === 3, 'three');
    expect(h.texts()).toEqual(['one', 'while down', 'after restart']);
    expect(h.emulator.counters.identifies).toBe(1);
    // The resumed client still sends, edits and sees buttons.
    const sent = await second.send({ type: 'buttons', connector: 'dc', conversation: h.emulator.ids.general, text: 'ok?', buttons: [{ id: 'ok', label: 'OK' }] });
    h.emulator.injectButton(sent.messageIds[0]!, 'ok');
    await until(() => h!.received.length === 4, 'the press');
    expect(h.received[3]).toMatchObject({ kind: 'action', action: { id: 'ok' } });
  });
});

describe('discord connector: inbound kinds through discord.js', () => {
  it('DMs, thread replies, edits, deletes and reactions arrive normalized', async () => {
    h = await startHarness();
    h.connector();
    await h.start();
    const root = h.emulator.injectMessage('root', { channel: 'agent-thread' });
    h.emulator.injectMessage('a reply', { channel: 'agent-thread', reply_to: root });
    h.emulator.injectMessage('psst', { dm: true });
    h.emulator.injectEdit(root, 'root, edited');
    h.emulator.injectReaction(root, '🎉');
    h.emulator.injectDelete(root);
    await until(() => h!.received.length === 6, 'six events');
    expect(h.received.map((e) => [e.kind, e.conversation.kind, e.text ?? null])).toEqual([
      ['message', 'thread', 'root'],
      ['message', 'thread', 'a reply'],
      ['message', 'dm', 'psst'],
      ['edit', 'thread', 'root, edited'],
      ['reaction', 'thread', '🎉'],
      ['delete', 'thread', null],
    ]);
    expect(h.received[1]).toMatchObject({ replyTo: root, conversation: { parentId: h.emulator.ids.general } });
  });
});

describe('discord connector: outbound', () => {
  it('honours a REST 429 retry_after, and retries a 5xx', async () => {
    h = await startHarness();
    const c = h.connector();
    await h.start();
    h.emulator.failNextCalls(1, 429, 0.6);
    const t0 = Date.now();
    const r = await c.send({ type: 'send', connector: 'dc', conversation: h.emulator.ids.general, text: 'after the limit' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(r.messageIds).toHaveLength(1);
    const posts = h.emulator.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/messages'));
    expect(posts.map((x) => x.status)).toEqual([429, 200]);
    h.emulator.failNextCalls(2, 503);
    await c.send({ type: 'send', connector: 'dc', conversation: h.emulator.ids.general, text: 'after a 503' });
    expect(h.emulator.sent.filter((s) => s.kind === 'message').map((s) => s.content)).toEqual(['after the limit', 'after a 503']);
  });

  it('a 429 longer than an agent should wait fails at once with retryAfterMs (as on every connector); a short one is waited out', async () => {
    h = await startHarness();
    const c = h.connector();
    await h.start();
    const send = (text: string) => c.send({ type: 'send', connector: 'dc', conversation: h!.emulator.ids.general, text });
    const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('the send should fail'), (e: unknown) => e as SbError);
    h.emulator.failNextCalls(1, 429, 0.3);
    expect((await send('after a short limit')).messageIds).toHaveLength(1);
    // 120 s: waiting it out would outlast the test's timeout.
    h.emulator.failNextCalls(1, 429, 120);
    const err = await failure(send('after a long limit'));
    expect(err).toBeInstanceOf(SbError);
    expect(err).toMatchObject({ code: 'SB_E_SEND', fields: { retryable: false, status: 429 } });
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(120_000);
    expect(err.retryAfterMs).toBeLessThan(121_000);
    expect(err.message).toMatch(/rate limited by Discord \(send: retry after 12\d s\)/);
    // Discord said the route's bucket is empty for 120 s: the next send on it fails the same way, without a request.
    const calls = h.emulator.calls.length;
    const again = await failure(send('still limited'));
    expect(again.retryAfterMs).toBeGreaterThan(MAX_SEND_WAIT_MS);
    expect(h.emulator.calls.length).toBe(calls);
    expect(h.emulator.sent.filter((s) => s.kind === 'message').map((s) => s.content)).toEqual(['after a short limit']);
    expect(h.emulator.calls.filter((x) => x.method === 'POST').map((x) => x.status)).toEqual([429, 200, 429]);
  });

  it('splits long text at 2000 on line boundaries, replies, edits, reacts, types — and ignores its own messages', async () => {
    h = await startHarness();
    const c = h.connector();
    await h.start();
    const userMessage = h.emulator.injectMessage('write me a long answer');
    await until(() => h!.received.length === 1, 'the question');
    const line = 'y'.repeat(1500);
    const r = await c.send({ type: 'reply', connector: 'dc', conversation: h.emulator.ids.general, replyTo: userMessage, text: [line, line, line].join('\n') });
    expect(r.messageIds).toHaveLength(3);
    const parts = h.emulator.sent.filter((s) => s.kind === 'message');
    expect(parts.map((p) => p.content!.length)).toEqual([1500, 1500, 1500]);
    expect(parts.map((p) => p.reply_to)).toEqual([userMessage, undefined, undefined]);
    await c.send({ type: 'edit', connector: 'dc', conversation: h.emulator.ids.general, messageId: r.messageIds[0]!, text: 'shorter' });
    await c.send({ type: 'react', connector: 'dc', conversation: h.emulator.ids.general, messageId: userMessage, emoji: '👀' });
    await c.send({ type: 'typing', connector: 'dc', conversation: h.emulator.ids.general });
    await c.send({ type: 'send', connector: 'dc', conversation: h.emulator.ids.thread, text: 'in the thread' });
    expect(h.emulator.sent.slice(3).map((s) => [s.kind, s.content ?? s.emoji ?? s.channel_id])).toEqual([
      ['edit', 'shorter'], ['reaction', '👀'], ['typing', h.emulator.ids.general], ['message', 'in the thread'],
    ]);
    // The Gateway echoed the bot's messages and edit; none became an event.
    await new Promise((r2) => setTimeout(r2, 300));
    expect(h.received).toHaveLength(1);
  });

  it('button presses become actions and are acknowledged (deferred update); who may press is the runtime\'s access check, not the connector\'s', async () => {
    h = await startHarness();
    const c = h.connector();
    await h.start();
    const { messageIds } = await c.send({ type: 'buttons', connector: 'dc', conversation: h.emulator.ids.general, text: 'Deploy?', buttons: [{ id: 'deploy', label: 'Deploy', value: 'prod', style: 'danger' }, { id: 'cancel', label: 'Cancel' }] });
    const interaction = h.emulator.injectButton(messageIds[0]!, 'deploy:prod');
    await until(() => h!.received.length === 1, 'the action');
    expect(h.received[0]).toMatchObject({ kind: 'action', messageId: messageIds[0], action: { id: 'deploy', value: 'prod' }, sender: { id: h.emulator.ids.userId } });
    await until(() => h!.emulator.sent.some((s) => s.kind === 'interaction'), 'the ack');
    expect(h.emulator.sent.find((s) => s.kind === 'interaction')).toEqual({ kind: 'interaction', interaction_id: interaction, callback_type: 6 });

    // allowedUsers is recorded and checked by the runtime (Supervisor.send → ButtonIntents, before the
    // journal): the connector hands every press to ingest, however the message was sent.
    const guarded = await c.send({ type: 'buttons', connector: 'dc', conversation: h.emulator.ids.general, text: 'Only the owner', buttons: [{ id: 'go', label: 'Go' }], allowedUsers: [h.emulator.ids.userId] });
    h.emulator.injectButton(guarded.messageIds[0]!, 'go', { id: '555555555555555555', username: 'mallory' });
    await until(() => h!.received.length === 2, 'the press handed to ingest');
    expect(h.received[1]).toMatchObject({ kind: 'action', action: { id: 'go' }, sender: { id: '555555555555555555' } });
    expect(h.rejections).toEqual([]);
  });

  it('a press the runtime\'s access policy refuses is still acknowledged (silently), and not journaled', async () => {
    h = await startHarness();
    const c = h.connector();
    const ctx = h.ctx();
    const ingest = ctx.ingest;
    ctx.ingest = async (draft) => (draft.kind === 'action' ? { status: 'refused', reason: 'button-not-issued-to-sender' } : ingest(draft));
    await c.start(ctx, new AbortController().signal);
    const { messageIds } = await c.send({ type: 'buttons', connector: 'dc', conversation: h.emulator.ids.general, text: 'Deploy?', buttons: [{ id: 'deploy', label: 'Deploy' }] });
    const interaction = h.emulator.injectButton(messageIds[0]!, 'deploy');
    await until(() => h!.emulator.sent.some((s) => s.kind === 'interaction'), 'the refused press acknowledged');
    expect(h.emulator.sent.find((s) => s.kind === 'interaction')).toEqual({ kind: 'interaction', interaction_id: interaction, callback_type: 6 });
    expect(h.received).toEqual([]);
  });

  it('refuses to send while not connected', async () => {
    h = await startHarness();
    const c = h.connector();
    await expect(c.send({ type: 'send', connector: 'dc', conversation: h.emulator.ids.general, text: 'x' })).rejects.toThrow(/not connected/);
  });
});
