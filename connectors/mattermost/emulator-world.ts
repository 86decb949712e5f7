/**
 * The emulated Mattermost server's data: one team, a bot, two people, four channels (a DM, a public
 * and a private channel, a group message), posts and reactions. Every change is returned as the
 * WebSocket event the real server would broadcast, for the socket side to deliver.
 */
import { randomBytes } from 'node:crypto';
import type { MmEvent, MmPost } from './normalize.js';

/** A 26-character id in Mattermost's alphabet. */
export function newId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(26)].map((b) => alphabet[b % 36]).join('');
}

export interface WorldUser {
  id: string;
  username: string;
  is_bot: boolean;
}

export interface WorldChannel {
  id: string;
  team_id: string;
  type: 'O' | 'P' | 'D' | 'G';
  name: string;
  display_name: string;
}

export interface WorldReaction {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at: number;
  channel_id: string;
}

/** The emulator's fixed cast. Ids are random per emulator so tests cannot lean on them. */
export class World {
  readonly team = { id: newId(), name: 'crew', display_name: 'Crew' };
  readonly bot: WorldUser = { id: newId(), username: 'switchboard', is_bot: true };
  readonly alice: WorldUser = { id: newId(), username: 'alice', is_bot: false };
  readonly bob: WorldUser = { id: newId(), username: 'bob', is_bot: false };
  readonly channels: Record<'dm' | 'town' | 'private' | 'group', WorldChannel>;
  readonly posts = new Map<string, MmPost>();
  readonly reactions: WorldReaction[] = [];
  #lastCreateAt = 0;

  constructor() {
    this.channels = {
      dm: { id: newId(), team_id: '', type: 'D', name: `${this.bot.id}__${this.alice.id}`, display_name: 'alice' },
      town: { id: newId(), team_id: this.team.id, type: 'O', name: 'town-square', display_name: 'Town Square' },
      private: { id: newId(), team_id: this.team.id, type: 'P', name: 'ops', display_name: 'Ops' },
      group: { id: newId(), team_id: '', type: 'G', name: newId(), display_name: 'alice, bob, switchboard' },
    };
  }

  users(): WorldUser[] {
    return [this.bot, this.alice, this.bob];
  }

  channel(id: string): WorldChannel | undefined {
    return Object.values(this.channels).find((c) => c.id === id);
  }

  /** A strictly increasing millisecond time, as a single server would stamp posts. */
  #stamp(): number {
    this.#lastCreateAt = Math.max(Date.now(), this.#lastCreateAt + 1);
    return this.#lastCreateAt;
  }

  /** Create a post and return the `posted` event for it. Throws on an unknown channel or root. */
  createPost(input: { userId: string; channelId: string; message: string; rootId?: string; props?: Record<string, unknown> }): { post: MmPost; event: MmEvent } {
    const channel = this.channel(input.channelId);
    if (!channel) throw new Error(`no channel ${input.channelId}`);
    if (input.rootId && !this.posts.has(input.rootId)) throw new Error(`no root post ${input.rootId}`);
    const now = this.#stamp();
    const post: MmPost = {
      id: newId(),
      create_at: now,
      update_at: now,
      edit_at: 0,
      delete_at: 0,
      user_id: input.userId,
      channel_id: channel.id,
      root_id: input.rootId ?? '',
      message: input.message,
      type: '',
      props: input.props ?? {},
      file_ids: [],
    };
    this.posts.set(post.id, post);
    const sender = this.users().find((u) => u.id === input.userId);
    const event: MmEvent = {
      event: 'posted',
      data: {
        channel_display_name: channel.display_name,
        channel_name: channel.name,
        channel_type: channel.type,
        post: JSON.stringify(post),
        sender_name: `@${sender?.username ?? 'someone'}`,
        set_online: true,
        team_id: channel.team_id,
      },
      broadcast: { channel_id: channel.id, team_id: '', user_id: '' },
    };
    return { post, event };
  }

  /** Change a post's message/props; returns the `post_edited` event. */
  patchPost(id: string, patch: { message?: string; props?: Record<string, unknown> }): { post: MmPost; event: MmEvent } | undefined {
    const old = this.posts.get(id);
    if (!old || (old.delete_at ?? 0) > 0) return undefined;
    const now = this.#stamp();
    const post: MmPost = { ...old, ...(patch.message !== undefined ? { message: patch.message } : {}), ...(patch.props ? { props: patch.props } : {}), edit_at: now, update_at: now };
    this.posts.set(id, post);
    // As the server does: the old version is kept as a row of its own, pointing at the post and stamped
    // deleted at the edit — `posts?since=` returns it too.
    const history: MmPost = { ...old, id: newId(), original_id: id, delete_at: now, update_at: now };
    this.posts.set(history.id, history);
    return { post, event: { event: 'post_edited', data: { post: JSON.stringify(post) }, broadcast: { channel_id: post.channel_id, team_id: '', user_id: '' } } };
  }

  /** Delete a post; returns the `post_deleted` event. */
  deletePost(id: string, by: string): MmEvent | undefined {
    const old = this.posts.get(id);
    if (!old) return undefined;
    const now = this.#stamp();
    const post: MmPost = { ...old, delete_at: now, update_at: now };
    this.posts.set(id, post);
    return { event: 'post_deleted', data: { post: JSON.stringify(post), delete_by: by }, broadcast: { channel_id: post.channel_id, team_id: '', user_id: '' } };
  }

  /** Add a reaction; returns it and the `reaction_added` event. */
  addReaction(userId: string, postId: string, emoji: string): { reaction: WorldReaction; event: MmEvent } | undefined {
    const post = this.posts.get(postId);
    if (!post) return undefined;
    const reaction: WorldReaction = { user_id: userId, post_id: postId, emoji_name: emoji, create_at: this.#stamp(), channel_id: post.channel_id };
    this.reactions.push(reaction);
    // As the server does: a reaction bumps the post's update_at, so `posts?since=` returns it again.
    this.posts.set(postId, { ...post, update_at: reaction.create_at });
    return { reaction, event: { event: 'reaction_added', data: { reaction: JSON.stringify(reaction) }, broadcast: { channel_id: post.channel_id, team_id: '', user_id: '' } } };
  }

  /** Posts of a channel changed after `since` (as `GET /channels/{id}/posts?since=`: new, edited, deleted, reacted to), oldest first, with their reactions in `metadata`. */
  postsSince(channelId: string, since: number): MmPost[] {
    return [...this.posts.values()]
      .filter((p) => p.channel_id === channelId && (p.update_at ?? p.create_at) > since)
      .sort((a, b) => a.create_at - b.create_at)
      .slice(-1000) // the server's cap (which ones it keeps is the server's choice; here the newest)
      .map((p) => {
        const reactions = this.reactions.filter((r) => r.post_id === p.id);
        return reactions.length ? { ...p, metadata: { ...p.metadata, reactions } } : p;
      });
  }
}
