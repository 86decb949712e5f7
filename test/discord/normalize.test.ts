import { describe, expect, it } from 'vitest';
import { channelInfo, ChannelDirectory } from '../../connectors/discord/channels.js';
import { channelOf, normalizeDispatch, parseCustomId, snowflakeTime, type NormalizeContext } from '../../connectors/discord/normalize.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import type { EventDraft } from '../../src/bus/types.js';
import * as f from './fixtures.js';

const channel: NormalizeContext['channel'] = { kind: 'channel', title: 'general' };
const thread: NormalizeContext['channel'] = { kind: 'thread', parentId: f.GENERAL_ID, title: 'agent-thread' };
const ctx = (c = channel): NormalizeContext => ({ connector: 'dc', botId: f.BOT_ID, channel: c });

/** Valid once the journal adds its fields. */
function valid(draft: EventDraft | undefined): EventDraft {
  expect(draft).toBeDefined();
  inboundEventSchema.parse({ ...draft, id: '00000000000000000001', receivedAt: new Date().toISOString(), correlationId: 'c1' });
  return draft!;
}

describe('discord normalize', () => {
  it('a guild message: channel conversation, member nick as name, provenance untrusted', () => {
    const e = valid(normalizeDispatch('MESSAGE_CREATE', f.guildMessage, ctx()));
    expect(e).toEqual({
      dedupKey: `dc:${f.guildMessage.id}:message`,
      connector: 'dc',
      platform: 'discord',
      kind: 'message',
      conversation: { id: f.GENERAL_ID, kind: 'channel', title: 'general' },
      sender: { id: '298765432109876543', name: 'ada-nick', username: 'ada', isBot: false },
      messageId: f.guildMessage.id,
      text: 'please run the tests',
      platformTime: '2024-05-02T10:15:30.123Z',
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });
  });

  it('a reply in a thread: thread conversation with its parent, replyTo', () => {
    const e = valid(normalizeDispatch('MESSAGE_CREATE', f.threadReply, ctx(thread)));
    expect(e.conversation).toEqual({ id: f.THREAD_ID, kind: 'thread', parentId: f.GENERAL_ID, title: 'agent-thread' });
    expect(e.replyTo).toBe('1235813213455000001');
    expect(e.kind).toBe('message');
  });

  it('a DM starting with /word is a command, with its attachment', () => {
    const e = valid(normalizeDispatch('MESSAGE_CREATE', f.dmMessage, ctx({ kind: 'dm' })));
    expect(e.kind).toBe('command');
    expect(e.conversation).toEqual({ id: f.DM_ID, kind: 'dm' });
    expect(e.sender.name).toBe('Ada Lovelace');
    expect(e.attachments).toEqual([{ kind: 'text/plain; charset=utf-8', name: 'trace.txt', size: 2048, ref: 'https://cdn.discordapp.com/attachments/1/2/trace.txt' }]);
  });

  it("ignores the bot's own messages and system messages", () => {
    expect(normalizeDispatch('MESSAGE_CREATE', f.ownMessage, ctx())).toBeUndefined();
    expect(normalizeDispatch('MESSAGE_CREATE', { ...f.guildMessage, type: 7 }, ctx())).toBeUndefined();
  });

  it('an edit is its own event per edit time; an embed resolution is not an edit', () => {
    const e = valid(normalizeDispatch('MESSAGE_UPDATE', f.edit, ctx()));
    expect(e).toMatchObject({ kind: 'edit', messageId: f.guildMessage.id, text: 'please run the unit tests', platformTime: '2024-05-02T10:17:00.500Z' });
    expect(e.dedupKey).toBe(`dc:${f.guildMessage.id}:edit:${Date.parse('2024-05-02T10:17:00.500Z')}`);
    const second = normalizeDispatch('MESSAGE_UPDATE', { ...f.edit, edited_timestamp: '2024-05-02T10:18:00+00:00' }, ctx());
    expect(second!.dedupKey).not.toBe(e.dedupKey);
    expect(normalizeDispatch('MESSAGE_UPDATE', f.embedUpdate, ctx())).toBeUndefined();
  });

  it('a delete names the message; the deleter is unknown', () => {
    const e = valid(normalizeDispatch('MESSAGE_DELETE', f.deletion, ctx()));
    expect(e).toMatchObject({ kind: 'delete', messageId: f.deletion.id, dedupKey: `dc:${f.deletion.id}:delete`, sender: { id: 'unknown', isBot: false } });
  });

  it('a reaction carries the emoji and who reacted', () => {
    const e = valid(normalizeDispatch('MESSAGE_REACTION_ADD', f.reaction, ctx()));
    expect(e).toMatchObject({ kind: 'reaction', messageId: f.reaction.message_id, text: '👍', sender: { id: f.reaction.user_id } });
    expect(normalizeDispatch('MESSAGE_REACTION_ADD', { ...f.reaction, user_id: f.BOT_ID }, ctx())).toBeUndefined();
  });

  it('a button press is an action with id and value from custom_id, keyed by the interaction id', () => {
    const e = valid(normalizeDispatch('INTERACTION_CREATE', f.buttonPress, ctx()));
    expect(e).toMatchObject({
      kind: 'action',
      dedupKey: `dc:${f.buttonPress.id}:action`,
      messageId: f.buttonPress.message.id,
      action: { id: 'deploy', value: 'prod' },
      sender: { id: '298765432109876543', isBot: false },
      platformTime: snowflakeTime(f.buttonPress.id),
    });
    // Slash commands and select menus are not buttons.
    expect(normalizeDispatch('INTERACTION_CREATE', { ...f.buttonPress, type: 2 }, ctx())).toBeUndefined();
    expect(normalizeDispatch('INTERACTION_CREATE', { ...f.buttonPress, data: { custom_id: 'x', component_type: 3 } }, ctx())).toBeUndefined();
  });

  it('other dispatches are not events', () => {
    expect(normalizeDispatch('TYPING_START', { channel_id: f.GENERAL_ID }, ctx())).toBeUndefined();
    expect(channelOf('GUILD_CREATE', {})).toBeUndefined();
    expect(channelOf('MESSAGE_CREATE', f.guildMessage)).toEqual({ channelId: f.GENERAL_ID, guildId: f.GUILD_ID });
  });

  it('custom_id and snowflake helpers', () => {
    expect(parseCustomId('approve')).toEqual({ id: 'approve' });
    expect(parseCustomId('pick:a:b')).toEqual({ id: 'pick', value: 'a:b' });
    expect(snowflakeTime('175928847299117063')).toBe('2016-04-30T11:18:25.796Z');
  });
});

describe('discord channels', () => {
  it('maps channel types to conversation kinds', () => {
    expect(channelInfo({ id: '1', type: 0, name: 'general' })).toEqual({ kind: 'channel', title: 'general' });
    expect(channelInfo({ id: '1', type: 11, name: 't', parent_id: '9' })).toEqual({ kind: 'thread', parentId: '9', title: 't' });
    expect(channelInfo({ id: '1', type: 12, parent_id: '9' })).toEqual({ kind: 'thread', parentId: '9' });
    expect(channelInfo({ id: '1', type: 1 })).toEqual({ kind: 'dm' });
    expect(channelInfo({ id: '1', type: 3, name: 'gdm' })).toEqual({ kind: 'group', title: 'gdm' });
  });

  it('learns from GUILD_CREATE and THREAD_CREATE, asks REST once for the unknown, and never for DMs', async () => {
    const asked: string[] = [];
    const dir = new ChannelDirectory(async (id) => {
      asked.push(id);
      return { id, type: 11, name: 'late-thread', parent_id: f.GENERAL_ID };
    }, () => undefined);
    dir.observe('GUILD_CREATE', { channels: [{ id: f.GENERAL_ID, type: 0, name: 'general' }], threads: [{ id: f.THREAD_ID, type: 11, name: 'agent-thread', parent_id: f.GENERAL_ID }] });
    expect(dir.resolve(f.THREAD_ID, f.GUILD_ID)).toEqual({ kind: 'thread', parentId: f.GENERAL_ID, title: 'agent-thread' });
    dir.observe('THREAD_CREATE', { id: '77', type: 11, name: 'new', parent_id: f.GENERAL_ID });
    expect(dir.resolve('77', f.GUILD_ID)).toMatchObject({ kind: 'thread', title: 'new' });
    expect(dir.resolve(f.DM_ID, undefined)).toEqual({ kind: 'dm' });
    expect(await dir.resolve('88', f.GUILD_ID)).toMatchObject({ kind: 'thread', title: 'late-thread' });
    expect(dir.resolve('88', f.GUILD_ID)).toMatchObject({ kind: 'thread' });
    expect(asked).toEqual(['88']);
    dir.observe('THREAD_DELETE', { id: '77' });
    await dir.resolve('77', f.GUILD_ID);
    expect(asked).toEqual(['88', '77']);
  });

  it('treats a channel REST cannot describe as a plain channel, and reports why', async () => {
    const errors: string[] = [];
    const dir = new ChannelDirectory(() => Promise.reject(new Error('Missing Access')), (id) => errors.push(id));
    expect(await dir.resolve('99', f.GUILD_ID)).toEqual({ kind: 'channel' });
    expect(errors).toEqual(['99']);
  });
});
