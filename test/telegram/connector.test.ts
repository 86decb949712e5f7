/**
 * The Telegram connector against its emulator with the real grammY client: the offset is committed
 * only after journaling, and the recovery table (429, 5xx, drops, 401, 409) behaves as documented.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isFatal } from '../../src/errors.js';
import { until } from '../helpers/tmp.js';
import { ALLOWED_METHODS, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const polls = (x: Harness) => x.emulator.calls.filter((c) => c.method === 'getUpdates');

describe('telegram connector: receiving', () => {
  it('commits the getUpdates offset only after the update is journaled', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const release = h.gate();
    h.emulator.injectMessage('held in the journal');
    await until(() => h!.ingestCalls() === 1, 'the update to be fetched and handed to the journal');
    await new Promise((r) => setTimeout(r, 300));
    // Fetched but not journaled: Telegram has not been told, so it would deliver the update again.
    expect(h.emulator.pending()).toBe(1);
    expect(h.drafts).toHaveLength(0);
    const confirmedBefore = h.emulator.confirmedOffset();
    release();
    await until(() => h!.emulator.pending() === 0, 'the confirming offset');
    expect(h.emulator.confirmedOffset()).toBeGreaterThan(confirmedBefore);
    expect(h.drafts.map((d) => d.text)).toEqual(['held in the journal']);
  });

  it('journals a burst in order, and dedup keys are per update', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    for (let i = 0; i < 250; i++) h.emulator.injectMessage(`m${i}`, { chat: { id: 1000 + (i % 3) } });
    await until(() => h!.drafts.length === 250 && h!.emulator.pending() === 0, 'all 250 journaled and confirmed');
    expect(h.drafts.map((d) => d.text)).toEqual(Array.from({ length: 250 }, (_, i) => `m${i}`));
    expect(new Set(h.drafts.map((d) => d.dedupKey)).size).toBe(250);
    expect(h.drafts[0]!.dedupKey).toMatch(/^tg:u\d+$/);
  });

  it('answers a button press once it is journaled', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const sent = await h.connector.send({ type: 'buttons', connector: 'tg', conversation: '1001', text: 'Deploy?', buttons: [{ id: 'deploy', label: 'Yes', value: 'b118', style: 'primary' }, { id: 'cancel', label: 'No' }] });
    const messageId = Number(sent.messageIds[0]);
    expect(h.emulator.sent.at(-1)!.buttons).toEqual([[{ text: 'Yes', callback_data: 'deploy:b118', style: 'primary' }, { text: 'No', callback_data: 'cancel' }]]);
    const queryId = h.emulator.injectCallback(messageId, 'deploy:b118');
    await until(() => h!.emulator.answeredCallbacks.has(queryId), 'the callback query answered');
    expect(h.drafts.at(-1)).toMatchObject({ kind: 'action', messageId: String(messageId), action: { id: 'deploy', value: 'b118' }, conversation: { id: '1001' } });
  });

  it('normalizes a forum-topic message, and replies land in the topic', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectMessage('/build main', { thread: 77 });
    await until(() => h!.drafts.length === 1, 'the topic message');
    const d = h.drafts[0]!;
    expect(d).toMatchObject({ kind: 'command', conversation: { id: '-1001000000001:77', kind: 'thread', parentId: '-1001000000001' } });
    await h.connector.send({ type: 'reply', connector: 'tg', conversation: d.conversation.id, replyTo: d.messageId!, text: 'building' });
    expect(h.emulator.sent.at(-1)).toMatchObject({ method: 'sendMessage', chat_id: '-1001000000001', message_thread_id: 77, reply_to: Number(d.messageId), text: 'building' });
  });

  it('stops promptly in the middle of a long poll', async () => {
    h = await startHarness({ pollTimeout: 30 });
    await h.connector.start(h.ctx, h.abort.signal);
    await until(() => polls(h!).some((c) => c.params.timeout === 30), 'a long poll');
    const t0 = Date.now();
    await h.connector.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(h.state.state).toBe('offline');
  });

  it('never calls setWebhook, and calls only the methods it needs', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectMessage('hi');
    await until(() => h!.drafts.length === 1, 'the message');
    await h.connector.send({ type: 'typing', connector: 'tg', conversation: '1001' });
    await h.connector.stop();
    const methods = new Set(h.emulator.calls.map((c) => c.method));
    expect(methods.has('setWebhook')).toBe(false);
    expect([...methods].filter((m) => !ALLOWED_METHODS.has(m))).toEqual([]);
    expect(h.emulator.calls.find((c) => c.method === 'deleteWebhook')?.params).toMatchObject({ drop_pending_updates: false });
  });
});

describe('telegram connector: recovery table', () => {
  it('429 on getUpdates: waits retry_after, then resumes without loss', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    await until(() => polls(h!).length >= 1, 'polling');
    const k = polls(h).length;
    h.emulator.failNextCalls(1, 429, { retryAfter: 1, methods: ['getUpdates'] });
    h.emulator.dropConnections(); // end the waiting poll: the next call is the one answered 429
    h.emulator.injectMessage('after the rate limit');
    await until(() => h!.drafts.length === 1, 'the message after the wait', 5_000);
    const [limited, next] = [polls(h)[k]!, polls(h)[k + 1]!];
    expect(next.at - limited.at).toBeGreaterThanOrEqual(950);
    expect(h.transitions.find((t) => t.reason?.includes('429'))).toMatchObject({ state: 'reconnecting', reason: expect.stringMatching(/rate limited by Telegram/) });
    expect(h.state.state).toBe('online');
  });

  it('network drops, 500 and a 502 HTML page: reconnecting, then online, nothing lost', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectMessage('one');
    await until(() => h!.drafts.length === 1, 'first');
    h.emulator.failNextCalls(3, 500, { methods: ['getUpdates'] });
    h.emulator.dropConnections();
    h.emulator.injectMessage('two');
    await until(() => h!.drafts.length === 2, 'after 500s', 5_000);
    h.emulator.failNextCalls(2, 502, { methods: ['getUpdates'] });
    h.emulator.dropConnections();
    h.emulator.injectMessage('three');
    await until(() => h!.drafts.length === 3, 'after 502s', 5_000);
    h.emulator.failNextCalls(2, 'drop', { methods: ['getUpdates'] });
    h.emulator.injectMessage('four');
    await until(() => h!.drafts.length === 4, 'after mid-answer drops', 5_000);
    expect(h.drafts.map((d) => d.text)).toEqual(['one', 'two', 'three', 'four']);
    const reasons = h.transitions.filter((t) => t.state === 'reconnecting').map((t) => t.reason ?? '');
    expect(reasons.some((r) => r.includes('500'))).toBe(true);
    expect(reasons.some((r) => r.includes('not JSON'))).toBe(true);
    expect(reasons.some((r) => r.includes('ECONNRESET'))).toBe(true);
    expect(reasons.every((r) => !r.includes(h!.token))).toBe(true);
    await until(() => h!.state.state === 'online', 'online again');
    expect(h.failures).toEqual([]);
  });

  it('401 at start is fatal: start rejects, no second getMe, no getUpdates', async () => {
    h = await startHarness({ connectorToken: '1234567890:AAwrongwrongwrongwrongwrongwrongwro' });
    const err = await h.connector.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    expect(isFatal(err)).toBe(true);
    expect(String((err as Error).message)).toContain('401');
    expect(String((err as Error).message)).not.toContain('AAwrong');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.emulator.count('getMe')).toBe(1);
    expect(h.emulator.count('getUpdates')).toBe(0);
  });

  it('401 while polling (token revoked) is reported fatal once, and polling stops', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    await until(() => polls(h!).length >= 1, 'polling');
    h.emulator.revokeToken();
    h.emulator.dropConnections();
    await until(() => h!.failures.length === 1, 'ctx.fail');
    expect(isFatal(h.failures[0])).toBe(true);
    expect((h.failures[0] as Error).message).toMatch(/rejected the bot token/);
    const n = h.emulator.count('getUpdates');
    await new Promise((r) => setTimeout(r, 500));
    await h.connector.stop();
    expect(h.emulator.count('getUpdates')).toBe(n);
  });

  it('409 (another poller on the token): reconnecting with a clear reason, warned once, no hot loop', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    await until(() => polls(h!).length >= 1, 'polling');
    // A second process polling the same token (marked by limit 7 so its calls can be told apart).
    const other = startOtherPoller(h.emulator.apiRoot, h.token);
    try {
      await until(() => h!.state.state === 'reconnecting', 'the conflict to be noticed');
      expect(h.state.snapshot().reason).toMatch(/another getUpdates poller is using this token/);
      const ours = () => polls(h!).filter((c) => c.params.limit !== 7).length;
      const before = ours();
      await new Promise((r) => setTimeout(r, 2_000));
      expect(ours() - before).toBeLessThanOrEqual(1);
      expect(h.logs.filter((l) => l.level === 'warn' && /another getUpdates poller/.test(l.msg))).toHaveLength(1);
      expect(h.failures).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it('409 episode: no quick probe counts as recovery while the other poller runs; warned once, online and "polling again" once after it stops', async () => {
    // Our long poll (3 s) is three of the other poller's (1 s): a stalled event loop cannot let one of
    // ours run its full timeout undisturbed while the other still polls.
    h = await startHarness({ pollTimeout: 3, timing: { conflictInitialMs: 150, conflictMaxMs: 300 } });
    await h.connector.start(h.ctx, h.abort.signal);
    await until(() => polls(h!).length >= 1, 'polling');
    const other = startOtherPoller(h.emulator.apiRoot, h.token);
    const ours = () => polls(h!).filter((c) => c.params.limit !== 7);
    let episode: number;
    try {
      await until(() => h!.state.state === 'reconnecting', 'the conflict to be noticed');
      episode = h.transitions.length - 1;
      const before = ours().length;
      await until(() => ours().length - before >= 6, 'several conflict cycles', 30_000);
      // Every call in the episode is a long poll (a probe would win at once and prove nothing)...
      expect(ours().slice(before).every((c) => c.params.timeout === 3)).toBe(true);
      // ...and none of them flipped the status: reconnecting with the 409 reason the whole time.
      expect(h.transitions.slice(episode).map((t) => t.state)).toEqual(['reconnecting']);
      expect(h.state.snapshot().reason).toMatch(/another getUpdates poller is using this token/);
    } finally {
      await other.stop();
    }
    h.emulator.injectMessage('after the conflict');
    await until(() => h!.drafts.length === 1 && h!.state.state === 'online', 'online again', 20_000);
    expect(h.transitions.slice(episode).map((t) => t.state)).toEqual(['reconnecting', 'online']);
    expect(h.logs.filter((l) => l.level === 'warn' && /another getUpdates poller/.test(l.msg))).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === 'polling again')).toHaveLength(1);
    expect(h.failures).toEqual([]);
  });
});

/** Poll the emulator like a second bot instance would, until stopped. */
function startOtherPoller(apiRoot: string, token: string): { stop(): Promise<void> } {
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await fetch(`${apiRoot}/bot${token}/getUpdates`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ timeout: 1, limit: 7 }),
          signal: abort.signal,
        }).then((r) => r.text());
      } catch {
        // aborted, or kicked by the other poller
      }
    }
  })();
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
}
