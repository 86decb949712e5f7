/**
 * Feishu / Lark events → bus event drafts. Pure; unit-tested on recorded-style payloads. The input
 * is what the SDK's EventDispatcher hands a handler: the v2 envelope flattened (`event_id`,
 * `event_type`, `create_time`, ... beside the event's own fields). Conversation ids are chat ids
 * (`oc_...`); sender ids are open ids (`ou_...`), stable per app.
 */
import type { Attachment, Conversation, EventDraft, Sender } from '../../src/bus/types.js';

/** The user ids Feishu gives for a sender or operator. */
export interface UserIds {
  open_id?: string;
  user_id?: string;
  union_id?: string;
}

export interface Mention {
  key: string;
  id?: UserIds;
  name?: string;
}

/** `im.message.receive_v1`, flattened by the dispatcher. */
export interface MessageReceiveEvent {
  event_id?: string;
  event_type?: string;
  create_time?: string;
  sender?: { sender_id?: UserIds; sender_type?: string };
  message?: {
    message_id: string;
    root_id?: string;
    parent_id?: string;
    create_time?: string;
    chat_id: string;
    thread_id?: string;
    chat_type?: string;
    message_type: string;
    content: string;
    mentions?: Mention[];
  };
}

/** `card.action.trigger` (a button on a card the bot sent), flattened by the dispatcher. */
export interface CardActionEvent {
  event_id?: string;
  event_type?: string;
  create_time?: string;
  operator?: UserIds;
  action?: { tag?: string; name?: string; value?: unknown };
  context?: { open_message_id?: string; open_chat_id?: string };
}

/** Event types this connector subscribes to on the long connection. */
export const EVENT_TYPES = ['im.message.receive_v1', 'card.action.trigger'] as const;

/** Normalize one event, or `undefined` when it has nothing for the agent (it is still acknowledged). */
export function normalizeEvent(connector: string, data: Record<string, unknown>): EventDraft | undefined {
  const type = data.event_type;
  if (type === 'im.message.receive_v1') return normalizeMessage(connector, data as MessageReceiveEvent);
  if (type === 'card.action.trigger') return normalizeCardAction(connector, data as CardActionEvent);
  return undefined;
}

/** A user's (or another bot's) message: text, post, image, file. */
export function normalizeMessage(connector: string, e: MessageReceiveEvent): EventDraft | undefined {
  const m = e.message;
  if (!m || !e.event_id) return undefined;
  const content = parseContent(m.content);
  const mentions = m.mentions ?? [];
  const attachments: Attachment[] = [];
  let text: string | undefined;
  if (m.message_type === 'text') text = withMentions(String(content.text ?? ''), mentions);
  else if (m.message_type === 'post') text = postText(content, mentions, attachments);
  else if (m.message_type === 'image' && typeof content.image_key === 'string') attachments.push({ kind: 'photo', ref: content.image_key });
  else if ((m.message_type === 'file' || m.message_type === 'audio' || m.message_type === 'media') && typeof content.file_key === 'string') {
    attachments.push({ kind: m.message_type, ref: content.file_key, ...(typeof content.file_name === 'string' ? { name: content.file_name } : {}) });
  }
  if (text === undefined && attachments.length === 0) return undefined;
  const conversation: Conversation = { id: m.chat_id, kind: m.chat_type === 'p2p' ? 'dm' : 'group' };
  const ids = e.sender?.sender_id ?? {};
  const sender: Sender = { id: ids.open_id ?? ids.user_id ?? ids.union_id ?? 'unknown', isBot: e.sender?.sender_type !== undefined && e.sender.sender_type !== 'user' };
  const d = base(connector, e.event_id, text !== undefined && /^\/[A-Za-z0-9_]/.test(text) ? 'command' : 'message', conversation, sender, m.message_id);
  if (text !== undefined) d.text = text;
  if (m.parent_id) d.replyTo = m.parent_id;
  if (attachments.length) d.attachments = attachments;
  const time = isoTime(m.create_time ?? e.create_time);
  if (time) d.platformTime = time;
  return d;
}

/**
 * A button press. Buttons switchboard sends carry `value: {sb: id, v?: value}`; a press on any other
 * card falls back to the component's `name`, its value JSON-encoded.
 */
export function normalizeCardAction(connector: string, e: CardActionEvent): EventDraft | undefined {
  const chat = e.context?.open_chat_id;
  const operator = e.operator?.open_id ?? e.operator?.user_id;
  if (!e.event_id || !chat || !operator) return undefined;
  const value = e.action?.value;
  let action: { id: string; value?: string };
  if (value && typeof value === 'object' && typeof (value as { sb?: unknown }).sb === 'string') {
    const v = value as { sb: string; v?: unknown };
    action = { id: v.sb, ...(typeof v.v === 'string' ? { value: v.v } : {}) };
  } else {
    action = { id: e.action?.name ?? e.action?.tag ?? 'button', ...(value !== undefined ? { value: typeof value === 'string' ? value : JSON.stringify(value) } : {}) };
  }
  // The press does not say whether the chat is a DM; "group" keeps a DM-only policy from admitting it by mistake.
  const d = base(connector, e.event_id, 'action', { id: chat, kind: 'group' }, { id: operator, isBot: false }, e.context?.open_message_id);
  d.action = action;
  const time = isoTime(e.create_time);
  if (time) d.platformTime = time;
  return d;
}

function base(connector: string, eventId: string, kind: EventDraft['kind'], conversation: Conversation, sender: Sender, messageId: string | undefined): EventDraft {
  const d: EventDraft = {
    dedupKey: `${connector}:${eventId}`,
    connector,
    platform: 'feishu',
    kind,
    conversation,
    sender,
    // Dialled out on a socket the app credentials opened; the sender is untrusted until the policy says otherwise.
    provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
  };
  if (messageId) d.messageId = messageId;
  return d;
}

function parseContent(content: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(content);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `@_user_1` placeholders → `@Name`, as the reader saw them. */
function withMentions(text: string, mentions: readonly Mention[]): string {
  let out = text;
  for (const m of mentions) if (m.key) out = out.split(m.key).join(`@${m.name ?? m.id?.open_id ?? 'user'}`);
  return out;
}

interface PostElement {
  tag?: string;
  text?: string;
  href?: string;
  user_id?: string;
  user_name?: string;
  image_key?: string;
  file_key?: string;
}

/** A rich-text post → plain text (title, then one line per paragraph); images become attachments. */
function postText(content: Record<string, unknown>, mentions: readonly Mention[], attachments: Attachment[]): string | undefined {
  // Received posts are `{title, content}`; sent ones may be wrapped per locale (`{zh_cn: {...}}`).
  let post = content;
  if (!Array.isArray(post.content)) {
    const inner = Object.values(content).find((v) => v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content));
    if (!inner) return undefined;
    post = inner as Record<string, unknown>;
  }
  const lines: string[] = [];
  if (typeof post.title === 'string' && post.title) lines.push(post.title);
  for (const paragraph of post.content as unknown[]) {
    if (!Array.isArray(paragraph)) continue;
    let line = '';
    for (const el of paragraph as PostElement[]) {
      if (el.tag === 'text' || el.tag === 'a' || el.tag === 'code_block') line += el.text ?? '';
      else if (el.tag === 'at') line += `@${el.user_name ?? mentions.find((m) => m.key === el.user_id)?.name ?? el.user_id ?? 'user'}`;
      else if (el.tag === 'img' && el.image_key) attachments.push({ kind: 'photo', ref: el.image_key });
      else if (el.tag === 'media' && el.file_key) attachments.push({ kind: 'media', ref: el.file_key });
      else if (el.tag === 'emotion') line += `:${(el as { emoji_type?: string }).emoji_type ?? ''}:`;
    }
    lines.push(withMentions(line, mentions));
  }
  const text = lines.join('\n');
  return text || attachments.length ? text : undefined;
}

function isoTime(ms: string | undefined): string | undefined {
  const n = Number(ms);
  return ms && Number.isFinite(n) && n > 0 ? new Date(n).toISOString() : undefined;
}
