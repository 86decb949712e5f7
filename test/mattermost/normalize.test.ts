/** Mattermost events → bus drafts, on recorded-style payloads (pure; no SDK, no network). */
import { describe, expect, it } from 'vitest';
import { conversationId, kindOf, normalizeEvent, parseConversation, parsePost, type NormalizeContext } from '../../connectors/mattermost/normalize.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import * as f from './fixtures.js';

const types: Record<string, string> = { [f.DM]: 'D', [f.TOWN]: 'O' };
const ctx: NormalizeContext = { connector: 'mm', botUserId: f.BOT, channelType: (id) => types[id] };
const valid = (d: ReturnType<typeof normalizeEvent>) => inboundEventSchema.parse({ ...d, id: '0000000001', receivedAt: new Date(0).toISOString(), correlationId: 'c' });

describe('mattermost normalize', () => {
  it('a DM post (data.post is a JSON string) → a message in a dm conversation', () => {
    const d = normalizeEvent(ctx, f.postedDm)!;
    expect(d).toEqual({
      dedupKey: 'mm:postpostpostpostpostpostpo',
      connector: 'mm',
      platform: 'mattermost',
      kind: 'message',
      conversation: { id: f.DM, kind: 'dm' },
      sender: { id: f.ALICE, username: 'alice', isBot: false },
      messageId: 'postpostpostpostpostpostpo',
      text: 'hello',
      platformTime: new Date(1_764_000_000_000).toISOString(),
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });
    valid(d);
  });

  it('a reply (root_id) → a thread conversation with parentId, and replyTo the root', () => {
    const d = normalizeEvent(ctx, f.postedThreadReply)!;
    expect(d.conversation).toEqual({ id: `${f.TOWN}:${f.ROOT}`, kind: 'thread', parentId: f.TOWN });
    expect(d.replyTo).toBe(f.ROOT);
    valid(d);
  });

  it('"/"-prefixed text → a command; G → group; P → channel; files → attachments', () => {
    const cmd = normalizeEvent(ctx, f.postedCommandInGroup)!;
    expect(cmd).toMatchObject({ kind: 'command', text: '/deploy prod', conversation: { kind: 'group' } });
    const file = normalizeEvent(ctx, f.postedWithFile)!;
    expect(file.conversation.kind).toBe('channel');
    expect(file.attachments).toEqual([{ kind: 'file', ref: 'filefilefilefilefilefilefi', name: 'log.txt', size: 42 }]);
    valid(file);
  });

  it("ignores the bot's own posts, system posts and events with nothing for the agent", () => {
    expect(normalizeEvent(ctx, f.postedByBot)).toBeUndefined();
    expect(normalizeEvent(ctx, f.systemJoin)).toBeUndefined();
    expect(normalizeEvent(ctx, f.typing)).toBeUndefined();
    expect(normalizeEvent(ctx, { ...f.postedDm, data: { ...f.postedDm.data, post: '{not json' } })).toBeUndefined();
  });

  it('post_edited → edit, post_deleted → delete, reaction_added → reaction, each with its own dedup key', () => {
    const e = normalizeEvent(ctx, f.edited)!;
    expect(e).toMatchObject({ kind: 'edit', text: 'hello, edited', messageId: 'postpostpostpostpostpostpo', conversation: { id: f.DM, kind: 'dm' } });
    const del = normalizeEvent(ctx, f.deleted)!;
    expect(del).toMatchObject({ kind: 'delete', messageId: 'postpostpostpostpostpostpo', sender: { id: f.ALICE } });
    const r = normalizeEvent(ctx, f.reaction)!;
    expect(r).toMatchObject({ kind: 'reaction', text: '+1', messageId: 'postpostpostpostpostpostpo', conversation: { id: f.DM, kind: 'dm' } });
    const keys = [normalizeEvent(ctx, f.postedDm)!, e, del, r].map((d) => d.dedupKey);
    expect(new Set(keys).size).toBe(4);
    for (const d of [e, del, r]) valid(d);
  });

  it('conversation ids round-trip, and channel types map to kinds', () => {
    expect(parseConversation(conversationId(f.TOWN, f.ROOT))).toEqual({ channelId: f.TOWN, rootId: f.ROOT });
    expect(parseConversation(f.DM)).toEqual({ channelId: f.DM });
    expect(parseConversation(f.TOWN, f.ROOT)).toEqual({ channelId: f.TOWN, rootId: f.ROOT });
    expect(['D', 'G', 'O', 'P', undefined].map(kindOf)).toEqual(['dm', 'group', 'channel', 'channel', 'channel']);
    expect(parsePost(42)).toBeUndefined();
  });
});
