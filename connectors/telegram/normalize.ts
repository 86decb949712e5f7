/**
 * Telegram update → bus event draft. Pure (no SDK at runtime, only its types); unit-tested on
 * recorded-style payloads. Conversation ids: the chat id, or `chatId:topicId` for a forum topic.
 */
import type { Chat, Message, ReactionType, Update, User } from 'grammy/types';
import type { Attachment, Conversation, EventDraft, Sender } from '../../src/bus/types.js';

const PROVENANCE = { transport: 'outbound-socket', verified: 'token', sender: 'unknown' } as const;
const COMMAND = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?(?:\s|$)/;
const TOPIC = /^(-?\d+):(\d+)$/;

/** Where a bus conversation id points in Telegram terms. */
export interface TelegramTarget {
  chat_id: string;
  message_thread_id?: number;
}

/** The bus conversation id of a chat, or of a forum topic inside it. */
export function conversationId(chatId: number | string, threadId?: number): string {
  return threadId === undefined ? String(chatId) : `${chatId}:${threadId}`;
}

/**
 * The inverse of {@link conversationId}; an explicit `thread` (from an outbound command) wins over the
 * one encoded in the id. Throws on a thread that is not a number, naming what is expected.
 */
export function parseConversation(id: string, thread?: string): TelegramTarget {
  const m = TOPIC.exec(id);
  const chat_id = m ? m[1]! : id;
  const topic = thread ?? m?.[2];
  if (topic === undefined) return { chat_id };
  const n = Number(topic);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`a Telegram thread is a forum topic id (a positive integer), not "${topic}"`);
  return { chat_id, message_thread_id: n };
}

/** A button's `callback_data` (`id` or `id:value`) back into the action it encodes. */
export function parseCallbackData(data: string): { id: string; value?: string } {
  const i = data.indexOf(':');
  return i === -1 ? { id: data } : { id: data.slice(0, i), value: data.slice(i + 1) };
}

/**
 * Normalize one update, or return `undefined` for what the agent has no use for (service messages,
 * inline queries, polls, ...). The caller still confirms those: skipping is a decision, not a failure.
 */
export function normalizeUpdate(connector: string, update: Update): EventDraft | undefined {
  const base = { dedupKey: `${connector}:u${update.update_id}`, connector, platform: 'telegram', provenance: { ...PROVENANCE } };
  const message = update.message ?? update.channel_post;
  if (message) return withBase(base, fromMessage(message));
  const edited = update.edited_message ?? update.edited_channel_post;
  if (edited) {
    const m = fromMessage(edited);
    return m && withBase(base, { ...m, kind: 'edit', ...(edited.edit_date ? { platformTime: isoTime(edited.edit_date) } : {}) });
  }
  if (update.callback_query) {
    const q = update.callback_query;
    // A press on an inline-mode message has no chat we could answer in; only its id.
    if (!q.message || q.data === undefined) return undefined;
    return withBase(base, {
      kind: 'action',
      conversation: conversationOf(q.message.chat, topicOf(q.message as Message)),
      sender: senderOf(q.from),
      messageId: String(q.message.message_id),
      action: parseCallbackData(q.data),
    });
  }
  if (update.message_reaction) {
    const r = update.message_reaction;
    const sender = r.user ? senderOf(r.user) : r.actor_chat ? chatSender(r.actor_chat) : undefined;
    if (!sender) return undefined;
    const added = r.new_reaction.map(reactionText).join(' ');
    return withBase(base, {
      kind: 'reaction',
      conversation: conversationOf(r.chat),
      sender,
      messageId: String(r.message_id),
      ...(added ? { text: added } : {}),
      platformTime: isoTime(r.date),
    });
  }
  return undefined;
}

type Body = Omit<EventDraft, 'dedupKey' | 'connector' | 'platform' | 'provenance'>;

function withBase(base: Pick<EventDraft, 'dedupKey' | 'connector' | 'platform' | 'provenance'>, body: Body | undefined): EventDraft | undefined {
  return body && { ...base, ...body };
}

/** A message with text, a caption or an attachment; `undefined` for service messages (joins, pins, ...). */
function fromMessage(m: Message): Body | undefined {
  const text = m.text ?? m.caption;
  const attachments = attachmentsOf(m);
  if (text === undefined && attachments.length === 0) return undefined;
  const sender = m.sender_chat ? chatSender(m.sender_chat) : m.from ? senderOf(m.from) : chatSender(m.chat);
  const topic = topicOf(m);
  const reply = m.reply_to_message?.message_id;
  // Inside a forum topic every message "replies" to the topic's first message; that is not a reply.
  const replyTo = reply !== undefined && reply !== topic ? String(reply) : undefined;
  return {
    kind: isCommand(m) ? 'command' : 'message',
    conversation: conversationOf(m.chat, topic),
    sender,
    messageId: String(m.message_id),
    ...(text !== undefined ? { text } : {}),
    ...(replyTo ? { replyTo } : {}),
    ...(attachments.length ? { attachments } : {}),
    platformTime: isoTime(m.date),
  };
}

/** `/cmd args` (or `/cmd@bot args`) at the very start of a text message; a caption is never a command. */
function isCommand(m: Message): boolean {
  if (m.text === undefined) return false;
  const first = m.entities?.[0];
  // Telegram marks commands with an entity; the pattern covers payloads recorded without entities.
  return first ? first.type === 'bot_command' && first.offset === 0 : COMMAND.test(m.text);
}

/** The forum topic a message belongs to (only real topics: in ordinary groups thread ids mark reply chains). */
function topicOf(m: Message): number | undefined {
  return m.is_topic_message && m.message_thread_id !== undefined ? m.message_thread_id : undefined;
}

function conversationOf(chat: Chat, topic?: number): Conversation {
  const title = chat.title ?? ([chat.first_name, chat.last_name].filter(Boolean).join(' ') || undefined);
  if (topic !== undefined) {
    return { id: conversationId(chat.id, topic), kind: 'thread', parentId: String(chat.id), ...(title ? { title } : {}) };
  }
  const kind = chat.type === 'private' ? 'dm' : chat.type === 'channel' ? 'channel' : 'group';
  return { id: String(chat.id), kind, ...(title ? { title } : {}) };
}

function senderOf(user: User): Sender {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return { id: String(user.id), ...(name ? { name } : {}), ...(user.username ? { username: user.username } : {}), isBot: user.is_bot };
}

/** A channel, or a group admin posting anonymously "as the group". */
function chatSender(chat: Chat): Sender {
  return { id: String(chat.id), ...(chat.title ? { name: chat.title } : {}), ...(chat.username ? { username: chat.username } : {}), isBot: false };
}

const FILE_KINDS = ['document', 'audio', 'voice', 'video', 'video_note', 'animation', 'sticker'] as const;

function attachmentsOf(m: Message): Attachment[] {
  const out: Attachment[] = [];
  // Telegram sends each photo in several sizes; the last is the largest.
  const photo = m.photo?.at(-1);
  if (photo) out.push({ kind: 'photo', ref: photo.file_id, ...(photo.file_size !== undefined ? { size: photo.file_size } : {}) });
  for (const kind of FILE_KINDS) {
    // A GIF arrives as both `animation` and `document`; keep one.
    if (kind === 'document' && m.animation) continue;
    const file = m[kind] as { file_id: string; file_size?: number; file_name?: string } | undefined;
    if (!file) continue;
    out.push({ kind, ref: file.file_id, ...(file.file_name ? { name: file.file_name } : {}), ...(file.file_size !== undefined ? { size: file.file_size } : {}) });
  }
  return out;
}

function reactionText(r: ReactionType): string {
  return r.type === 'emoji' ? r.emoji : r.type === 'custom_emoji' ? `custom:${r.custom_emoji_id}` : r.type;
}

function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
