/**
 * Slack Socket Mode envelope payloads → bus event drafts. Pure (no SDK), unit-tested on recorded-style
 * payloads. Conversation ids: the channel id (`C…`, `D…`, `G…`), or `channel:thread_ts` for a thread.
 */
import type { Conversation, EventDraft, Sender } from '../../src/bus/types.js';

/** Who the bot is, so its own messages are recognized (learned from `auth.test`). */
export interface BotIdentity {
  userId: string;
  botId?: string;
}

/** Where a bus conversation id points in Slack terms. */
export interface SlackTarget {
  channel: string;
  thread_ts?: string;
}

/** A Slack message or event, loosely typed: only the fields read here. */
export interface SlackEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  event_ts?: string;
  deleted_ts?: string;
  message?: SlackEvent;
  previous_message?: SlackEvent;
  reaction?: string;
  item?: { type?: string; channel?: string; ts?: string };
  files?: { id: string; name?: string; size?: number; mimetype?: string }[];
}

/** The `payload` of an `events_api` envelope. */
export interface EventCallback {
  type: 'event_callback' | string;
  event_id: string;
  event_time?: number;
  event: SlackEvent;
}

/** The `payload` of an `interactive` envelope (block_actions is the kind normalized). */
export interface InteractivePayload {
  type: string;
  user?: { id: string; username?: string; name?: string };
  channel?: { id: string; name?: string };
  container?: { message_ts?: string; channel_id?: string; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
  actions?: { action_id: string; value?: string; action_ts?: string }[];
  trigger_id?: string;
}

/** The `payload` of a `slash_commands` envelope. */
export interface SlashCommandPayload {
  command: string;
  text?: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  trigger_id: string;
}

const THREAD = /^([^:]+):(\d+\.\d+)$/;

/** The bus conversation id of a channel, or of a thread inside it. */
export function conversationId(channel: string, threadTs?: string): string {
  return threadTs === undefined ? channel : `${channel}:${threadTs}`;
}

/** The inverse of {@link conversationId}; an explicit `thread` (from an outbound command) wins. */
export function parseConversation(id: string, thread?: string): SlackTarget {
  const m = THREAD.exec(id);
  const channel = m ? m[1]! : id;
  const ts = thread ?? m?.[2];
  return ts === undefined ? { channel } : { channel, thread_ts: ts };
}

/** True for a message the bot itself posted (Slack echoes them as events). */
export function isOwn(event: SlackEvent, bot: BotIdentity): boolean {
  return (event.bot_id !== undefined && event.bot_id === bot.botId) || event.user === bot.userId;
}

/**
 * Normalize one Events API callback, or return `undefined` for what the agent has no use for (joins,
 * topic changes, the bot's own messages). The caller still acks those: skipping is a decision.
 */
export function normalizeEvent(connector: string, payload: EventCallback, bot: BotIdentity): EventDraft | undefined {
  const e = payload.event;
  const key = `${connector}:${payload.event_id}`;
  if (e.type === 'message' || e.type === 'app_mention') {
    if (!e.channel) return undefined;
    if (e.subtype === 'message_changed') return fromEdit(key, connector, e, bot);
    if (e.subtype === 'message_deleted') return fromDelete(key, connector, e, bot);
    if (e.subtype !== undefined && e.subtype !== 'file_share' && e.subtype !== 'thread_broadcast') return undefined;
    if (isOwn(e, bot) || !e.ts) return undefined;
    const d = draft(key, connector, 'message', conversationOf(e.channel, e.channel_type, threadOf(e)), senderOf(e), e.ts);
    if (e.text !== undefined) d.text = e.text;
    if (e.thread_ts && e.thread_ts !== e.ts) d.replyTo = e.thread_ts;
    if (e.files?.length) {
      d.attachments = e.files.map((f) => ({ kind: f.mimetype ?? 'file', ref: f.id, ...(f.name ? { name: f.name } : {}), ...(f.size !== undefined ? { size: f.size } : {}) }));
    }
    d.platformTime = tsTime(e.ts);
    return d;
  }
  if (e.type === 'reaction_added' && e.item?.channel && e.item.ts && e.user && e.user !== bot.userId) {
    const d = draft(key, connector, 'reaction', conversationOf(e.item.channel), { id: e.user, isBot: false }, e.item.ts);
    if (e.reaction) d.text = e.reaction;
    if (e.event_ts) d.platformTime = tsTime(e.event_ts);
    return d;
  }
  return undefined;
}

function fromEdit(key: string, connector: string, e: SlackEvent, bot: BotIdentity): EventDraft | undefined {
  const m = e.message;
  if (!m?.ts || isOwn(m, bot)) return undefined;
  // Slack also sends message_changed when a link unfurls: the text did not change, nothing to tell.
  if (e.previous_message && e.previous_message.text === m.text) return undefined;
  const d = draft(key, connector, 'edit', conversationOf(e.channel!, e.channel_type, threadOf(m)), senderOf(m), m.ts);
  if (m.text !== undefined) d.text = m.text;
  d.platformTime = tsTime(e.event_ts ?? e.ts ?? m.ts);
  return d;
}

function fromDelete(key: string, connector: string, e: SlackEvent, bot: BotIdentity): EventDraft | undefined {
  const prev = e.previous_message;
  if (!e.deleted_ts || (prev && isOwn(prev, bot))) return undefined;
  const sender: Sender = prev ? senderOf(prev) : { id: 'unknown', isBot: false };
  const d = draft(key, connector, 'delete', conversationOf(e.channel!, e.channel_type, prev ? threadOf(prev) : undefined), sender, e.deleted_ts);
  d.platformTime = tsTime(e.event_ts ?? e.ts ?? e.deleted_ts);
  return d;
}

/**
 * A block-action button press. Its dedup key is the action's own time and presser: Slack redelivers
 * the same payload when an envelope is not acked, and a second press has a new `action_ts`.
 */
export function normalizeInteractive(connector: string, p: InteractivePayload): EventDraft | undefined {
  const action = p.actions?.[0];
  const channel = p.channel?.id ?? p.container?.channel_id;
  const ts = p.message?.ts ?? p.container?.message_ts;
  if (p.type !== 'block_actions' || !action || !channel || !ts || !p.user) return undefined;
  const thread = p.message?.thread_ts ?? p.container?.thread_ts;
  const sender: Sender = { id: p.user.id, isBot: false };
  if (p.user.name) sender.name = p.user.name;
  if (p.user.username) sender.username = p.user.username;
  const id = action.action_ts ?? p.trigger_id ?? ts;
  const d = draft(`${connector}:act:${id}:${p.user.id}`, connector, 'action', conversationOf(channel, undefined, thread), sender, ts);
  d.action = action.value !== undefined ? { id: action.action_id, value: action.value } : { id: action.action_id };
  if (action.action_ts) d.platformTime = tsTime(action.action_ts);
  return d;
}

/** A slash command (`/deploy prod`), keyed by its `trigger_id` (unique per invocation). */
export function normalizeSlashCommand(connector: string, p: SlashCommandPayload): EventDraft {
  const kind = p.channel_name === 'directmessage' || p.channel_id.startsWith('D') ? 'dm' : 'channel';
  const sender: Sender = { id: p.user_id, isBot: false };
  if (p.user_name) sender.username = p.user_name;
  const d = draft(`${connector}:cmd:${p.trigger_id}`, connector, 'command', { id: p.channel_id, kind }, sender);
  d.text = p.text ? `${p.command} ${p.text}` : p.command;
  return d;
}

function draft(dedupKey: string, connector: string, kind: EventDraft['kind'], conversation: Conversation, sender: Sender, messageId?: string): EventDraft {
  const d: EventDraft = {
    dedupKey,
    connector,
    platform: 'slack',
    kind,
    conversation,
    sender,
    // Dialled out on a socket the app token opened; the sender is untrusted until the access policy says otherwise.
    provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
  };
  if (messageId !== undefined) d.messageId = messageId;
  return d;
}

/** The thread a message belongs to: its `thread_ts` when it is a reply (the parent has thread_ts === ts). */
function threadOf(e: SlackEvent): string | undefined {
  return e.thread_ts && e.thread_ts !== e.ts ? e.thread_ts : undefined;
}

function conversationOf(channel: string, channelType?: string, thread?: string): Conversation {
  if (thread !== undefined) return { id: conversationId(channel, thread), kind: 'thread', parentId: channel };
  const type = channelType ?? (channel.startsWith('D') ? 'im' : 'channel');
  return { id: channel, kind: type === 'im' ? 'dm' : type === 'mpim' || type === 'group' ? 'group' : 'channel' };
}

function senderOf(e: SlackEvent): Sender {
  if (e.user) return { id: e.user, isBot: e.bot_id !== undefined };
  return { id: e.bot_id ?? 'unknown', isBot: true };
}

/** Slack timestamps are `seconds.micros` strings. */
function tsTime(ts: string): string {
  return new Date(Math.floor(Number(ts) * 1000)).toISOString();
}
