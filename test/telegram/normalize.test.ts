/** Telegram update → bus event, on payloads shaped as the Bot API sends them. */
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { conversationId, normalizeUpdate, parseCallbackData, parseConversation } from '../../connectors/telegram/normalize.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';

const ada = { id: 5120934881, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada_l', language_code: 'en' };
const dm = { id: 5120934881, first_name: 'Ada', last_name: 'Lovelace', username: 'ada_l', type: 'private' };
const group = { id: -4012345678, title: 'Build crew', type: 'group', all_members_are_administrators: true };
const forum = { id: -1002233445566, title: 'Eng forum', is_forum: true, type: 'supergroup' };
const channel = { id: -1009988776655, title: 'Release notes', username: 'relnotes', type: 'channel' };
const bot = { id: 7000000001, is_bot: true, first_name: 'Switchboard', username: 'switchboard_bot' };

const u = (x: object) => x as unknown as Update;

/** A draft made into a full event (as the journal would), checked against the bus schema. */
function event(update: Update) {
  const draft = normalizeUpdate('tg', update);
  expect(draft).toBeDefined();
  return inboundEventSchema.parse({ ...draft, id: '0000000001', receivedAt: new Date().toISOString(), correlationId: 'c1' });
}

describe('normalizeUpdate', () => {
  it('a private text message: dm conversation, sender, ids, time, token provenance', () => {
    const e = event(u({ update_id: 700000101, message: { message_id: 42, from: ada, chat: dm, date: 1763900000, text: 'hello there' } }));
    expect(e).toMatchObject({
      dedupKey: 'tg:u700000101',
      connector: 'tg',
      platform: 'telegram',
      kind: 'message',
      messageId: '42',
      text: 'hello there',
      conversation: { id: '5120934881', kind: 'dm', title: 'Ada Lovelace' },
      sender: { id: '5120934881', name: 'Ada Lovelace', username: 'ada_l', isBot: false },
      platformTime: new Date(1763900000 * 1000).toISOString(),
      provenance: { transport: 'outbound-socket', verified: 'token', sender: 'unknown' },
    });
    expect(e.replyTo).toBeUndefined();
  });

  it('a command with arguments (bot_command entity) is kind command, text kept whole', () => {
    const e = event(u({
      update_id: 700000102,
      message: { message_id: 43, from: ada, chat: dm, date: 1763900001, text: '/deploy staging --dry', entities: [{ offset: 0, length: 7, type: 'bot_command' }] },
    }));
    expect(e).toMatchObject({ kind: 'command', text: '/deploy staging --dry' });
  });

  it('a command addressed to the bot in a group (/cmd@bot), recorded without entities, is a command', () => {
    const e = event(u({ update_id: 700000103, message: { message_id: 9, from: ada, chat: group, date: 1763900002, text: '/status@switchboard_bot' } }));
    expect(e).toMatchObject({ kind: 'command', conversation: { id: '-4012345678', kind: 'group', title: 'Build crew' } });
  });

  it('a slash later in the text, or a URL entity first, is not a command', () => {
    const later = event(u({ update_id: 700000104, message: { message_id: 10, from: ada, chat: dm, date: 1763900003, text: 'see /tmp/x' } }));
    expect(later.kind).toBe('message');
    const path = event(u({ update_id: 700000124, message: { message_id: 11, from: ada, chat: dm, date: 1763900003, text: '/tmp/x is full', entities: [{ offset: 0, length: 6, type: 'code' }] } }));
    expect(path.kind).toBe('message');
  });

  it('a reply in a group carries replyTo', () => {
    const e = event(u({
      update_id: 700000105,
      message: {
        message_id: 77, from: ada, chat: group, date: 1763900004, text: 'yes, that one',
        reply_to_message: { message_id: 70, from: bot, chat: group, date: 1763899990, text: 'which build?' },
      },
    }));
    expect(e).toMatchObject({ kind: 'message', replyTo: '70', conversation: { kind: 'group' } });
  });

  it('a message in a forum topic is a thread conversation chat:topic with the chat as parent; the topic root is not a reply', () => {
    const e = event(u({
      update_id: 700000106,
      message: {
        message_id: 501, message_thread_id: 480, is_topic_message: true, from: ada, chat: forum, date: 1763900005, text: 'in the topic',
        reply_to_message: { message_id: 480, message_thread_id: 480, from: ada, chat: forum, date: 1763890000, forum_topic_created: { name: 'CI', icon_color: 7322096 } },
      },
    }));
    expect(e.conversation).toEqual({ id: '-1002233445566:480', kind: 'thread', parentId: '-1002233445566', title: 'Eng forum' });
    expect(e.replyTo).toBeUndefined();
  });

  it('a reply to a specific message inside a forum topic keeps replyTo', () => {
    const e = event(u({
      update_id: 700000107,
      message: {
        message_id: 502, message_thread_id: 480, is_topic_message: true, from: ada, chat: forum, date: 1763900006, text: 'agreed',
        reply_to_message: { message_id: 499, message_thread_id: 480, is_topic_message: true, from: bot, chat: forum, date: 1763899000, text: 'ok?' },
      },
    }));
    expect(e).toMatchObject({ replyTo: '499', conversation: { id: '-1002233445566:480', kind: 'thread' } });
  });

  it('a reply chain in an ordinary supergroup (message_thread_id without is_topic_message) is not a thread', () => {
    const sg = { id: -1003000000001, title: 'Plain', type: 'supergroup' };
    const e = event(u({
      update_id: 700000108,
      message: { message_id: 12, message_thread_id: 11, from: ada, chat: sg, date: 1763900007, text: 'reply', reply_to_message: { message_id: 11, from: ada, chat: sg, date: 1763900000, text: 'root' } },
    }));
    expect(e.conversation).toEqual({ id: '-1003000000001', kind: 'group', title: 'Plain' });
    expect(e.replyTo).toBe('11');
  });

  it('an edited message is kind edit on the original message id, timed at the edit', () => {
    const e = event(u({ update_id: 700000109, edited_message: { message_id: 42, from: ada, chat: dm, date: 1763900000, edit_date: 1763900100, text: 'hello there (edited)' } }));
    expect(e).toMatchObject({ kind: 'edit', messageId: '42', text: 'hello there (edited)', platformTime: new Date(1763900100 * 1000).toISOString() });
  });

  it('a button press is kind action on the bot message, with id and value from callback_data', () => {
    const e = event(u({
      update_id: 700000110,
      callback_query: {
        id: '4382bfdwdsb323b2d9', from: ada, chat_instance: '-7712345', data: 'approve:build-118',
        message: { message_id: 88, from: bot, chat: dm, date: 1763900050, text: 'Deploy build 118?', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'approve:build-118' }]] } },
      },
    }));
    expect(e).toMatchObject({ kind: 'action', messageId: '88', action: { id: 'approve', value: 'build-118' }, conversation: { id: '5120934881', kind: 'dm' }, sender: { id: '5120934881' } });
  });

  it('a button press in a forum topic lands in the topic', () => {
    const e = event(u({
      update_id: 700000111,
      callback_query: { id: 'q2', from: ada, chat_instance: 'x', data: 'stop', message: { message_id: 600, message_thread_id: 480, is_topic_message: true, from: bot, chat: forum, date: 1763900060, text: 'Running…' } },
    }));
    expect(e).toMatchObject({ kind: 'action', action: { id: 'stop' }, conversation: { id: '-1002233445566:480', kind: 'thread' } });
  });

  it('a channel post comes from the channel, in a channel conversation', () => {
    const e = event(u({ update_id: 700000112, channel_post: { message_id: 5, sender_chat: channel, chat: channel, date: 1763900070, text: 'v1.2 is out' } }));
    expect(e).toMatchObject({ kind: 'message', conversation: { id: '-1009988776655', kind: 'channel' }, sender: { id: '-1009988776655', name: 'Release notes', username: 'relnotes', isBot: false } });
  });

  it('a photo with a caption: the caption is the text, the largest size the attachment', () => {
    const e = event(u({
      update_id: 700000113,
      message: {
        message_id: 44, from: ada, chat: dm, date: 1763900080, caption: '/not a command in a caption',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 60, file_size: 1200 },
          { file_id: 'AgACAgQAAxkBAAIBig', file_unique_id: 'l', width: 1280, height: 853, file_size: 98213 },
        ],
      },
    }));
    expect(e).toMatchObject({ kind: 'message', text: '/not a command in a caption', attachments: [{ kind: 'photo', ref: 'AgACAgQAAxkBAAIBig', size: 98213 }] });
  });

  it('a document without caption is a message with only an attachment', () => {
    const e = event(u({ update_id: 700000114, message: { message_id: 45, from: ada, chat: dm, date: 1763900090, document: { file_id: 'BQACAgQ', file_unique_id: 'd', file_name: 'build.log', file_size: 5321 } } }));
    expect(e.text).toBeUndefined();
    expect(e.attachments).toEqual([{ kind: 'document', ref: 'BQACAgQ', name: 'build.log', size: 5321 }]);
  });

  it('a reaction update is kind reaction with the new emoji', () => {
    const e = event(u({
      update_id: 700000115,
      message_reaction: { chat: group, message_id: 70, user: ada, date: 1763900095, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] },
    }));
    expect(e).toMatchObject({ kind: 'reaction', messageId: '70', text: '👍', sender: { id: '5120934881' } });
  });

  it('skips what the agent has no use for: service messages, inline-mode presses, polls', () => {
    expect(normalizeUpdate('tg', u({ update_id: 1, message: { message_id: 3, from: ada, chat: group, date: 1, new_chat_members: [ada] } }))).toBeUndefined();
    expect(normalizeUpdate('tg', u({ update_id: 2, callback_query: { id: 'q', from: ada, chat_instance: 'x', inline_message_id: 'AAA', data: 'x' } }))).toBeUndefined();
    expect(normalizeUpdate('tg', u({ update_id: 3, poll: { id: 'p', question: 'q', options: [], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false } }))).toBeUndefined();
  });
});

describe('conversation ids', () => {
  it('round-trips chats and forum topics', () => {
    expect(conversationId(-1002233445566, 480)).toBe('-1002233445566:480');
    expect(parseConversation('-1002233445566:480')).toEqual({ chat_id: '-1002233445566', message_thread_id: 480 });
    expect(parseConversation('5120934881')).toEqual({ chat_id: '5120934881' });
    expect(parseConversation('@relnotes')).toEqual({ chat_id: '@relnotes' });
  });

  it('an explicit thread wins; a thread that is not a topic id is refused with the fix', () => {
    expect(parseConversation('-100223', '7')).toEqual({ chat_id: '-100223', message_thread_id: 7 });
    expect(() => parseConversation('-100223', 'general')).toThrow(/forum topic id/);
  });

  it('callback data splits at the first colon only', () => {
    expect(parseCallbackData('pick:a:b')).toEqual({ id: 'pick', value: 'a:b' });
    expect(parseCallbackData('cancel')).toEqual({ id: 'cancel' });
    expect(parseCallbackData('empty:')).toEqual({ id: 'empty', value: '' });
  });
});
