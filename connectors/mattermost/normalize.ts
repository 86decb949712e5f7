/**
 * Mattermost WebSocket events and REST posts → bus event drafts. Pure (no SDK), unit-tested on
 * recorded-style payloads. Conversation ids: the channel id, or `channel:root_id` for a thread.
 * `posted`, `post_edited` and `post_deleted` carry the post as a JSON *string* in `data.post`.
 */
import type { ConversationKind, EventDraft, Provenance } from '../../src/bus/types.js';

/** A post, loosely typed: only the fields read here. */
export interface MmPost {
  id: string;
  create_at: number;
  update_at?: number;
  edit_at?: number;
  delete_at?: number;
  user_id: string;
  channel_id: string;
  root_id?: string;
  /** Set on Mattermost's edit-history rows: the id of the post this was an old version of. */
  original_id?: string;
  message: string;
  type?: string;
  props?: Record<string, unknown>;
  file_ids?: string[];
  metadata?: { files?: { id: string; name?: string; size?: number; mime_type?: string }[]; reactions?: MmReaction[] };
}

/** A reaction, as in `reaction_added` (a JSON string) and in a REST post's `metadata.reactions`. */
export interface MmReaction {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at?: number;
  channel_id?: string;
}

/** One event from the WebSocket (`seq` rises by exactly 1 per connection). */
export interface MmEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast?: { channel_id?: string; team_id?: string; user_id?: string };
  seq?: number;
}

/** Where a bus conversation id points in Mattermost terms. */
export interface MmTarget {
  channelId: string;
  rootId?: string;
}

/** What the connector knows when normalizing: who the bot is, and each channel's type. */
export interface NormalizeContext {
  connector: string;
  botUserId: string;
  /** `D`, `O`, `P`, `G` for a channel id, when known. */
  channelType(channelId: string): string | undefined;
}

const PROVENANCE: Provenance = { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' };
const ID = /^[a-z0-9]{26}$/;

/** The bus conversation id of a channel, or of a thread (by its root post) inside it. */
export function conversationId(channelId: string, rootId?: string): string {
  return rootId ? `${channelId}:${rootId}` : channelId;
}

/** The inverse of {@link conversationId}; an explicit `thread` (from an outbound command) wins. */
export function parseConversation(id: string, thread?: string): MmTarget {
  const [channelId = '', root] = id.split(':', 2);
  const rootId = thread ?? root;
  return rootId ? { channelId, rootId } : { channelId };
}

/** True for a 26-character Mattermost id. */
export function isMattermostId(id: string): boolean {
  return ID.test(id);
}

/** `D` → dm, `G` → group, `O`/`P` (and unknown) → channel. */
export function kindOf(channelType: string | undefined): ConversationKind {
  if (channelType === 'D') return 'dm';
  if (channelType === 'G') return 'group';
  return 'channel';
}

/** Parse `data.post` (a JSON string); undefined when it is not a post. */
export function parsePost(raw: unknown): MmPost | undefined {
  if (typeof raw !== 'string') return undefined;
  let post: unknown;
  try {
    post = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const p = post as Partial<MmPost> | null;
  if (!p || typeof p.id !== 'string' || typeof p.channel_id !== 'string' || typeof p.user_id !== 'string') return undefined;
  return { ...p, message: typeof p.message === 'string' ? p.message : '', create_at: Number(p.create_at) || 0 } as MmPost;
}

/** The channel id a WebSocket event is about (its post's, else the broadcast's). */
export function channelOf(e: MmEvent): string | undefined {
  return parsePost(e.data.post)?.channel_id ?? (e.broadcast?.channel_id || undefined);
}

function conversation(post: MmPost, channelType: string | undefined) {
  if (post.root_id) return { id: conversationId(post.channel_id, post.root_id), kind: 'thread' as const, parentId: post.channel_id };
  return { id: post.channel_id, kind: kindOf(channelType) };
}

function isBotPost(post: MmPost): boolean {
  return post.props?.from_bot === 'true' || post.props?.from_webhook === 'true';
}

/** Posts that are not people talking: joins, leaves, header changes, ephemeral notices. */
function isSystem(post: MmPost): boolean {
  return typeof post.type === 'string' && post.type !== '' && post.type !== 'slack_attachment';
}

/**
 * A new post (from `posted` or from a REST catch-up) → a message or command draft; undefined for the
 * bot's own posts and system posts. `senderName` is the `@name` the `posted` event carries.
 */
export function normalizePost(ctx: NormalizeContext, post: MmPost, channelType: string | undefined, senderName?: string): EventDraft | undefined {
  if (post.user_id === ctx.botUserId || isSystem(post) || (post.delete_at ?? 0) > 0) return undefined;
  const files: { id: string; name?: string; size?: number }[] = post.metadata?.files ?? (post.file_ids ?? []).map((id) => ({ id }));
  const username = senderName?.replace(/^@/, '');
  return {
    dedupKey: `${ctx.connector}:${post.id}`,
    connector: ctx.connector,
    platform: 'mattermost',
    kind: post.message.startsWith('/') ? 'command' : 'message',
    conversation: conversation(post, channelType),
    sender: { id: post.user_id, ...(username ? { username } : {}), isBot: isBotPost(post) },
    messageId: post.id,
    text: post.message,
    ...(post.root_id ? { replyTo: post.root_id } : {}),
    ...(files.length
      ? { attachments: files.map((f) => ({ kind: 'file', ref: f.id, ...(f.name ? { name: f.name } : {}), ...(typeof f.size === 'number' ? { size: f.size } : {}) })) }
      : {}),
    platformTime: new Date(post.create_at).toISOString(),
    provenance: PROVENANCE,
  };
}

/** One WebSocket event → a draft, or undefined when it carries nothing for the agent. */
export function normalizeEvent(ctx: NormalizeContext, e: MmEvent): EventDraft | undefined {
  switch (e.event) {
    case 'posted': {
      const post = parsePost(e.data.post);
      if (!post) return undefined;
      const type = typeof e.data.channel_type === 'string' ? e.data.channel_type : ctx.channelType(post.channel_id);
      return normalizePost(ctx, post, type, typeof e.data.sender_name === 'string' ? e.data.sender_name : undefined);
    }
    case 'post_edited': {
      const post = parsePost(e.data.post);
      return post && normalizeEdit(ctx, post, ctx.channelType(post.channel_id));
    }
    case 'post_deleted': {
      const post = parsePost(e.data.post);
      const by = typeof e.data.delete_by === 'string' && e.data.delete_by ? e.data.delete_by : undefined;
      return post && normalizeDelete(ctx, post, ctx.channelType(post.channel_id), by);
    }
    case 'reaction_added': {
      let r: Partial<MmReaction>;
      try {
        r = JSON.parse(String(e.data.reaction)) as Partial<MmReaction>;
      } catch {
        return undefined;
      }
      return normalizeReaction(ctx, r, r.channel_id || e.broadcast?.channel_id);
    }
    default:
      return undefined;
  }
}

/** An edited post (from `post_edited` or a REST catch-up) → an edit draft, keyed on the post's edit time. */
export function normalizeEdit(ctx: NormalizeContext, post: MmPost, channelType: string | undefined): EventDraft | undefined {
  if (post.user_id === ctx.botUserId || isSystem(post)) return undefined;
  const version = post.edit_at || post.update_at || 0;
  return {
    dedupKey: `${ctx.connector}:edit:${post.id}:${version}`,
    connector: ctx.connector,
    platform: 'mattermost',
    kind: 'edit',
    conversation: conversation(post, channelType),
    sender: { id: post.user_id, isBot: isBotPost(post) },
    messageId: post.id,
    text: post.message,
    ...(version ? { platformTime: new Date(version).toISOString() } : {}),
    provenance: PROVENANCE,
  };
}

/** A deleted post → a delete draft; `by` is who deleted it when known (the WebSocket says, REST does not). */
export function normalizeDelete(ctx: NormalizeContext, post: MmPost, channelType: string | undefined, by?: string): EventDraft | undefined {
  if (post.user_id === ctx.botUserId) return undefined;
  return {
    dedupKey: `${ctx.connector}:delete:${post.id}`,
    connector: ctx.connector,
    platform: 'mattermost',
    kind: 'delete',
    conversation: conversation(post, channelType),
    sender: { id: by ?? post.user_id, isBot: false },
    messageId: post.id,
    ...(post.delete_at ? { platformTime: new Date(post.delete_at).toISOString() } : {}),
    provenance: PROVENANCE,
  };
}

/** A reaction (from `reaction_added` or a REST post's metadata) → a reaction draft on its channel. */
export function normalizeReaction(ctx: NormalizeContext, r: Partial<MmReaction>, channelId: string | undefined): EventDraft | undefined {
  if (!r.user_id || !r.post_id || !r.emoji_name || !channelId || r.user_id === ctx.botUserId) return undefined;
  return {
    dedupKey: `${ctx.connector}:reaction:${r.post_id}:${r.user_id}:${r.emoji_name}:${r.create_at ?? 0}`,
    connector: ctx.connector,
    platform: 'mattermost',
    kind: 'reaction',
    // The reacted-to post's thread is not in the event: the reaction is reported on its channel.
    conversation: { id: channelId, kind: kindOf(ctx.channelType(channelId)) },
    sender: { id: r.user_id, isBot: false },
    messageId: r.post_id,
    text: r.emoji_name,
    ...(r.create_at ? { platformTime: new Date(r.create_at).toISOString() } : {}),
    provenance: PROVENANCE,
  };
}
