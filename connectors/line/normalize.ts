/**
 * LINE webhook event → bus event draft. Pure; unit-tested on recorded-style payloads. Conversation ids
 * are LINE's own: a user id (`U…`, a DM), a group id (`C…`) or a room id (`R…`, a multi-person chat
 * LINE treats like a group); they are what push messages are addressed to.
 */
import type { Attachment, Conversation, EventDraft, Sender } from '../../src/bus/types.js';
import type { LineEvent, LineMessage, LineSource } from './payload.js';

/** What one LINE event becomes: the draft, and the tokens outbound may use to answer it. */
export interface NormalizedEvent {
  draft: EventDraft;
  /** Single-use, valid about a minute after the event (LINE's reply API). */
  replyToken?: string;
  /** Lets a later message quote this one. */
  quoteToken?: string;
}

const LIFECYCLE = new Set(['follow', 'unfollow', 'join', 'leave', 'memberJoined', 'memberLeft']);
const CONTENT_KINDS = new Set(['image', 'video', 'audio', 'file']);

/** The bus conversation of a LINE event source: user → dm, group and room → group. */
export function conversationOf(source: LineSource): Conversation {
  switch (source.type) {
    case 'user':
      return { id: source.userId, kind: 'dm' };
    case 'group':
      return { id: source.groupId, kind: 'group' };
    case 'room':
      return { id: source.roomId, kind: 'group' };
  }
}

/** True for a conversation id that is a user (LINE user ids start with `U`): the only kind with a loading animation. */
export function isUserId(conversation: string): boolean {
  return conversation.startsWith('U');
}

/** Where the bytes of an image, video, audio or file message can be fetched (LINE's content API, by message id). */
export function contentRef(messageId: string): string {
  return `line:content:${messageId}`;
}

/** A button's postback `data`: `b=<id>&v=<value>&s=<set>` (form-encoded, so any characters survive). */
export function encodePostbackData(button: { id: string; value?: string | undefined; set?: string }): string {
  const params = new URLSearchParams({ b: button.id });
  if (button.value !== undefined) params.set('v', button.value);
  if (button.set !== undefined) params.set('s', button.set);
  return params.toString();
}

/**
 * The inverse of {@link encodePostbackData}: the action, and the id of the button set it belongs to.
 * Any other data (a rich menu's, say) is the action id itself.
 */
export function parsePostbackData(data: string): { action: { id: string; value?: string }; set?: string } {
  const params = new URLSearchParams(data);
  const id = params.get('b');
  if (id === null || !data.startsWith('b=')) return { action: { id: data } };
  const value = params.get('v');
  const set = params.get('s');
  return { action: value === null ? { id } : { id, value }, ...(set !== null ? { set } : {}) };
}

/**
 * The bus message id of a button set. LINE tells a postback nothing about the message that carried
 * the button, so the set's own id (in the data) stands in for it: `buttons` returns it among its
 * message ids, and a press carries it, which is what binds a press to the users it was issued to.
 */
export function buttonSetMessageId(set: string): string {
  return `btn_${set}`;
}

/**
 * Normalize one event, or `undefined` for what the agent has no use for (beacons, video-viewed,
 * account links, events without a source). Skipping is a decision, not a failure: the delivery is
 * still answered 200.
 */
export function normalizeEvent(connector: string, ev: LineEvent): NormalizedEvent | undefined {
  const source = ev.source;
  if (!source) return undefined;
  if (ev.type === 'message' && ev.message) return fromMessage(connector, ev, source, ev.message);
  if (ev.type === 'postback' && ev.postback) {
    const d = draft(connector, ev, source, 'action');
    const { action, set } = parsePostbackData(ev.postback.data);
    d.action = action;
    if (set !== undefined) d.messageId = buttonSetMessageId(set);
    return withReply(d, ev);
  }
  if (ev.type === 'unsend' && ev.unsend) {
    const d = draft(connector, ev, source, 'delete');
    d.messageId = ev.unsend.messageId;
    return { draft: d };
  }
  if (LIFECYCLE.has(ev.type)) {
    const d = draft(connector, ev, source, 'lifecycle');
    d.text = `[${ev.type}]`;
    return withReply(d, ev);
  }
  return undefined;
}

function fromMessage(connector: string, ev: LineEvent, source: LineSource, m: LineMessage): NormalizedEvent {
  const text = typeof m.text === 'string' ? m.text : undefined;
  const d = draft(connector, ev, source, text?.startsWith('/') ? 'command' : 'message');
  d.messageId = m.id;
  if (typeof m.quotedMessageId === 'string') d.replyTo = m.quotedMessageId;
  if (m.type === 'text' && text !== undefined) d.text = text;
  else if (m.type === 'sticker') {
    d.text = '[sticker]';
    d.attachments = [{ kind: 'sticker', ref: `line:sticker:${String(m.packageId)}/${String(m.stickerId)}` }];
  } else if (m.type === 'location') {
    const where = [m.title, m.address].filter((s): s is string => typeof s === 'string' && s.length > 0).join(', ');
    d.text = where ? `[location] ${where}` : '[location]';
    d.attachments = [{ kind: 'location', ref: `geo:${Number(m.latitude)},${Number(m.longitude)}` }];
  } else d.attachments = [attachmentOf(m)];
  const out = withReply(d, ev);
  if (typeof m.quoteToken === 'string') out.quoteToken = m.quoteToken;
  return out;
}

function attachmentOf(m: LineMessage): Attachment {
  const a: Attachment = { kind: m.type, ref: CONTENT_KINDS.has(m.type) ? contentRef(m.id) : `line:message:${m.id}` };
  if (typeof m.fileName === 'string') a.name = m.fileName;
  if (typeof m.fileSize === 'number') a.size = m.fileSize;
  return a;
}

function draft(connector: string, ev: LineEvent, source: LineSource, kind: EventDraft['kind']): EventDraft {
  const conversation = conversationOf(source);
  return {
    // LINE's id is per event and survives redelivery (isRedelivery: true): the journal keeps the first.
    dedupKey: `${connector}:${ev.webhookEventId}`,
    connector,
    platform: 'line',
    kind,
    conversation,
    sender: senderOf(source, conversation),
    platformTime: new Date(ev.timestamp).toISOString(),
    // Pushed to us, signed by LINE; the sender is untrusted until the access policy says otherwise.
    provenance: { transport: 'webhook', verified: 'signature', sender: 'unknown' },
  };
}

/** The user; in a group, a user who has not consented to share their id is the group itself. */
function senderOf(source: LineSource, conversation: Conversation): Sender {
  return { id: source.userId ?? conversation.id, isBot: false };
}

function withReply(d: EventDraft, ev: LineEvent): NormalizedEvent {
  return ev.replyToken ? { draft: d, replyToken: ev.replyToken } : { draft: d };
}
