/**
 * The Mattermost connector against its emulator, through the real @mattermost/client: resume with
 * sequence_number, a new connection_id answered by a REST catch-up before online, a restart that
 * catches up from the saved cursor, 401 fatal, 429 honoured, outbound calls, own posts ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FatalConnectorError, isFatal } from '../../src/errors.js';
import { until } from '../helpers/tmp.js';
import { startHarness, texts, type Harness } from './harness.js';

describe('mattermost connector', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('resumes a dropped socket with sequence_number: the missed posts are replayed, none lost, none twice', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    for (let i = 0; i < 5; i++) h.emulator.injectPost(`a${i}`);
    await until(() => texts(h!).length === 5, 'first five');
    h.emulator.dropConnections();
    for (let i = 0; i < 5; i++) h.emulator.injectPost(`b${i}`, { channel: 'town' });
    await until(() => texts(h!).length === 10, 'the five sent while down');
    expect(texts(h)).toEqual([...[0, 1, 2, 3, 4].map((i) => `a${i}`), ...[0, 1, 2, 3, 4].map((i) => `b${i}`)]);
    const stats = h.emulator.socketStats();
    expect(stats.resumes).toBe(1);
    expect(stats.helloes).toBe(1);
    // Replayed, not re-fetched: the catch-up ran only at the first connect.
    expect(h.emulator.requests.filter((r) => r.endsWith('/posts') && r.startsWith('GET'))).toEqual([]);
    expect(h.ingested).toHaveLength(10);
    expect(h.transitions.map((t) => t.state)).toContain('reconnecting');
    expect(h.connector.status().state).toBe('online');
  });

  it('after a reconnect with a new connection_id, fetches the missed posts over REST before it is online', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const root = h.emulator.injectPost('root', { channel: 'town' });
    await until(() => texts(h!).length === 1, 'root');
    h.emulator.dropConnections({ forget: true });
    h.emulator.injectPost('missed in thread', { channel: 'town', rootId: root.id });
    h.emulator.injectPost('missed in dm');
    const onlineAt = h.transitions.length;
    await until(() => texts(h!).length === 3, 'the missed posts');
    expect(texts(h)).toEqual(['root', 'missed in thread', 'missed in dm']);
    expect(h.stateAtIngest.slice(1)).toEqual(['reconnecting', 'reconnecting']);
    // Journaled while still reconnecting: online comes after the catch-up.
    await until(() => h!.connector.status().state === 'online', 'online');
    const after = h.transitions.slice(onlineAt).map((t) => t.state);
    expect(after.at(-1)).toBe('online');
    expect(after.filter((s) => s === 'online')).toHaveLength(1);
    expect(h.emulator.socketStats().helloes).toBe(2);
    expect(h.emulator.requests.filter((r) => /^GET \/api\/v4\/channels\/[a-z0-9]{26}\/posts$/.test(r)).length).toBeGreaterThan(0);
    const thread = h.drafts.find((d) => d.text === 'missed in thread')!;
    expect(thread.conversation).toEqual({ id: `${h.emulator.world.channels.town.id}:${root.id}`, kind: 'thread', parentId: h.emulator.world.channels.town.id });
    expect(thread.replyTo).toBe(root.id);
  });

  it('after a gap the socket cannot replay, also journals the edits, deletions and reactions made in it, each once', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const { world } = h.emulator;
    const kept = h.emulator.injectPost('keep me', { channel: 'town' });
    const gone = h.emulator.injectPost('delete me', { channel: 'town' });
    const liked = h.emulator.injectPost('like me');
    await until(() => texts(h!).length === 3, 'three posts');
    h.emulator.dropConnections({ forget: true });
    h.emulator.editPost(kept.id, 'kept, edited');
    h.emulator.deletePost(gone.id);
    h.emulator.react(liked.id, 'tada', world.bob);
    const fleeting = h.emulator.injectPost('here and gone', { channel: 'town' });
    h.emulator.deletePost(fleeting.id);
    h.emulator.injectPost('new in the gap', { channel: 'town' });
    await until(() => h!.drafts.length === 7, 'the changes made in the gap');
    await until(() => h!.connector.status().state === 'online', 'online');
    // In the order they happened; the post created and deleted inside the gap is nothing to the agent.
    expect(h.drafts.slice(3).map((d) => [d.kind, d.messageId])).toEqual([
      ['edit', kept.id], ['delete', gone.id], ['reaction', liked.id], ['message', expect.any(String)],
    ]);
    expect(h.drafts[3]!.text).toBe('kept, edited');
    expect(h.drafts[5]).toMatchObject({ text: 'tada', sender: { id: world.bob.id }, conversation: { id: world.channels.dm.id, kind: 'dm' } });
    expect(h.drafts[6]!.text).toBe('new in the gap');
    // A second gap asks again from the cursor (1 ms before the newest post): what comes back twice, the dedup keys absorb.
    const ingested = h.ingested.length;
    const changesOffered = () => h!.ingested.filter((d) => d.kind === 'edit' || d.kind === 'delete').length;
    const changes = changesOffered();
    h.emulator.dropConnections({ forget: true });
    await until(() => h!.emulator.socketStats().helloes === 3 && h!.connector.status().state === 'online', 'online again');
    expect(h.ingested.length).toBeGreaterThan(ingested);
    expect(h.drafts).toHaveLength(7);
    // Changes older than a channel's newest are not even offered again (their own cursor, so they cannot
    // come back once their dedup keys expire); only the newest, at the 1 ms overlap, may be (the DM's reaction).
    expect(changesOffered()).toBe(changes);
  });

  it('a quiet channel\'s old edits are not fetched again at every later gap (changes have their own cursor)', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const post = h.emulator.injectPost('the only post', { channel: 'town' });
    await until(() => texts(h!).length === 1, 'the post');
    h.emulator.dropConnections({ forget: true });
    h.emulator.editPost(post.id, 'edited in a gap');
    await until(() => h!.drafts.length === 2 && h!.connector.status().state === 'online', 'the edit, fetched');
    for (let gap = 3; gap <= 4; gap++) {
      h.emulator.dropConnections({ forget: true });
      await until(() => h!.emulator.socketStats().helloes === gap && h!.connector.status().state === 'online', `online after gap ${gap - 1}`);
    }
    // Offered once: without its own cursor the edit (newer than the channel's last post) came back each time.
    expect(h.ingested.filter((d) => d.kind === 'edit')).toHaveLength(1);
  });

  it('warns, naming the channel, when a gap holds more changes than the server returns (1,000)', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectPost('before', { channel: 'town' });
    await until(() => texts(h!).length === 1, 'before');
    h.emulator.dropConnections({ forget: true });
    for (let i = 0; i < 1001; i++) h.emulator.injectPost(`burst ${i}`, { channel: 'town' });
    await until(() => h!.connector.status().state === 'online' && texts(h!).length === 1001, 'the 1,000 the server returned');
    const warning = h.logs.find((l) => String(l.msg).includes('returned its maximum'));
    expect(warning).toMatchObject({ level: 'warn', channel: h.emulator.world.channels.town.id, returned: 1000 });
  });

  it('after a restart, journals the posts made while it was down (the cursor is kept in the state dir)', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectPost('before');
    await until(() => texts(h!).length === 1, 'before');
    await h.connector.stop();
    h.emulator.injectPost('while down 1');
    h.emulator.injectPost('while down 2', { channel: 'group' });
    await h.restart();
    // start() resolves after the catch-up: nothing to wait for.
    expect(texts(h)).toEqual(['before', 'while down 1', 'while down 2']);
    expect(h.drafts[2]!.conversation.kind).toBe('group');
    h.emulator.injectPost('after');
    await until(() => texts(h!).length === 4, 'after');
  });

  it('ignores its own posts and system posts, and journals edits, deletions and reactions', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const { world } = h.emulator;
    await h.connector.send({ type: 'send', connector: 'mm', conversation: world.channels.town.id, text: 'from the bot' });
    const post = h.emulator.injectPost('/deploy now', { channel: 'private' });
    h.emulator.editPost(post.id, '/deploy later');
    h.emulator.react(post.id, 'thumbsup');
    h.emulator.deletePost(post.id);
    await until(() => h!.drafts.length === 4, 'four events');
    expect(h.drafts.map((d) => d.kind)).toEqual(['command', 'edit', 'reaction', 'delete']);
    expect(h.drafts.every((d) => d.conversation.id === world.channels.private.id && d.conversation.kind === 'channel')).toBe(true);
    expect(h.drafts[1]!.text).toBe('/deploy later');
    expect(h.drafts[2]!).toMatchObject({ messageId: post.id, text: 'thumbsup', sender: { id: world.alice.id } });
    expect(h.drafts.some((d) => d.text === 'from the bot')).toBe(false);
  });

  it('sends, replies in the thread, edits, reacts and types', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const { world } = h.emulator;
    const root = h.emulator.injectPost('question', { channel: 'town' });
    const inThread = h.emulator.injectPost('more', { channel: 'town', rootId: root.id });
    const sent = await h.connector.send({ type: 'send', connector: 'mm', conversation: world.channels.town.id, text: 'x'.repeat(20_000) });
    expect(sent.messageIds).toHaveLength(2);
    const reply = await h.connector.send({ type: 'reply', connector: 'mm', conversation: world.channels.town.id, replyTo: inThread.id, text: 'answer' });
    await h.connector.send({ type: 'edit', connector: 'mm', conversation: world.channels.town.id, messageId: reply.messageIds[0]!, text: 'better answer' });
    await h.connector.send({ type: 'react', connector: 'mm', conversation: world.channels.town.id, messageId: root.id, emoji: ':eyes:' });
    await h.connector.send({ type: 'typing', connector: 'mm', conversation: `${world.channels.town.id}:${root.id}` });
    const posts = h.emulator.botPosts();
    expect(posts.map((p) => p.message.length)).toEqual([16_383, 3_617, 'better answer'.length]);
    expect(posts[2]).toMatchObject({ root_id: root.id, message: 'better answer' });
    expect(h.emulator.botReactions()).toEqual([{ post_id: root.id, emoji_name: 'eyes' }]);
    await until(() => h!.emulator.typing.length === 1, 'typing');
    expect(h.emulator.typing[0]).toEqual({ channel_id: world.channels.town.id, parent_id: root.id });
  });

  it('honours 429 with the server\'s wait, and retries 5xx', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    const dm = h.emulator.world.channels.dm.id;
    h.emulator.failNext(1, 429, { retryAfterSeconds: 1 });
    const t0 = Date.now();
    await h.connector.send({ type: 'send', connector: 'mm', conversation: dm, text: 'after the limit' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    h.emulator.failNext(2, 503);
    await h.connector.send({ type: 'send', connector: 'mm', conversation: dm, text: 'after 503s' });
    expect(h.emulator.botPosts().map((p) => p.message)).toEqual(['after the limit', 'after 503s']);
    expect(h.emulator.requests.filter((r) => r === 'POST /api/v4/posts')).toHaveLength(5);
  });

  it('fails fatally when the token is refused at start, and does not touch the socket', async () => {
    h = await startHarness({ connectorToken: 'wrongtokenwrongtokenwrongt' });
    const err = await h.connector.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalConnectorError);
    expect(String((err as Error).message)).toMatch(/refused the bot token.*401/);
    expect(String((err as Error).message)).not.toContain('wrongtoken');
    expect(h.emulator.socketStats().connections).toBe(0);
  });

  it('fails fatally when a send is answered 401', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.revokeToken();
    const err = await h.connector.send({ type: 'send', connector: 'mm', conversation: h.emulator.world.channels.dm.id, text: 'x' }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/refused the bot token.*401/);
    expect(h.failures.some(isFatal)).toBe(true);
  });

  it('fails fatally when the socket is closed on a revoked token, instead of reconnecting forever', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.revokeToken();
    h.emulator.dropConnections();
    await until(() => h!.failures.length === 1, 'the fatal failure');
    expect(isFatal(h.failures[0])).toBe(true);
    expect(String((h.failures[0] as Error).message)).toMatch(/refused the bot token/);
    const connections = h.emulator.socketStats().connections;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.emulator.socketStats().connections).toBe(connections);
  });

  it('team: resolves the name at start, and refuses a team the bot is not in (fatal, naming its teams)', async () => {
    h = await startHarness({ config: { team: 'crew' } });
    await h.connector.start(h.ctx, h.abort.signal);
    h.emulator.injectPost('in the team', { channel: 'town' });
    h.emulator.injectPost('a DM still arrives');
    await until(() => texts(h!).length === 2, 'both posts');
    await h.close();
    h = await startHarness({ config: { team: 'elsewhere' } });
    const err = await h.connector.start(h.ctx, h.abort.signal).catch((e: unknown) => e);
    expect(isFatal(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/not a member of team "elsewhere".*crew/);
  });
});
