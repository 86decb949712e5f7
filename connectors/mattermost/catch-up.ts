/**
 * The REST catch-up after a gap the WebSocket cannot replay (a new `connection_id`, or a restart):
 * every channel the bot is in is asked for its posts *modified* since that channel's cursor
 * (`GET /channels/{id}/posts?since=`: created, edited, deleted or reacted to), and what changed in the
 * gap is journaled in the order it happened: new posts, edits and deletions of older posts, and
 * reactions (from each post's `metadata.reactions`). The window starts 1 ms before the cursor so a
 * post sharing its millisecond is not skipped; changes already journaled come back too, and the dedup
 * key absorbs them (an edit is keyed on its edit time, a reaction on its own). It runs after the new
 * connection's `hello`, so what a channel gets after its fetch arrives over the socket.
 */
import type { EventDraft } from '../../src/bus/types.js';
import { FatalConnectorError } from '../../src/errors.js';
import { Backoff, sleep } from '../../src/supervisor/backoff.js';
import { normalizeDelete, normalizeEdit, normalizePost, normalizeReaction, type MmPost, type NormalizeContext } from './normalize.js';
import { toConnectorError } from './recovery.js';
import type { Client4 } from './sdk.js';

export interface CatchUpOptions {
  rest: Client4;
  /** Per channel: the `create_at` of its newest post journaled. */
  since(channelId: string): number;
  /** Whether this edit, deletion or reaction of the channel was journaled already (its change cursor). */
  changeSeen(channelId: string, at: number, dedupKey: string): boolean;
  /** Only this team's channels (plus direct and group messages); undefined = all. */
  teamId: string | undefined;
  normalize: NormalizeContext;
  /** Filled with each channel's type, as learned from the channel list. */
  channelTypes: Map<string, string>;
  /** Journal one missed change; resolves once durable. */
  journal(change: MissedChange): Promise<void>;
  signal: AbortSignal;
  retryInitialMs: number;
  retryMaxMs: number;
  /** A REST call failed and will be retried after `delayMs`. */
  onError(reason: string, delayMs: number): void;
  /** A channel answered the server's maximum: some changes may not have been returned. */
  onTruncated(channelId: string, returned: number): void;
}

/** Mattermost answers `posts?since=` with at most this many posts. */
export const SINCE_LIMIT = 1000;

/** One change to a channel found by the catch-up. `posted`: a new post (the cursor moves past it). */
export interface MissedChange {
  at: number;
  draft: EventDraft;
  post: MmPost;
  posted: boolean;
}

/**
 * What changed about `post` since its channel's cursors, as drafts with their times: a post created at
 * or after `since` is new; an edit, deletion or reaction at or after `since` counts unless `seen` says
 * it was journaled already.
 * Mattermost's own edit-history rows (`original_id` set: the old version, stamped deleted when the
 * edit was saved) are not changes anyone made.
 */
export function missedChanges(
  ctx: NormalizeContext,
  post: MmPost,
  channelType: string | undefined,
  since: number,
  seen: (at: number, dedupKey: string) => boolean = () => false,
): MissedChange[] {
  const changes: MissedChange[] = [];
  if (post.original_id) return changes;
  const add = (at: number, draft: EventDraft | undefined, posted = false) => {
    if (!draft || (!posted && (at < since || seen(at, draft.dedupKey)))) return;
    changes.push({ at, draft, post, posted });
  };
  // A post created exactly at the cursor may be the one journaled last (or one sharing its millisecond):
  // it is treated both as possibly new (the dedup key absorbs it if not) and as possibly seen (so an
  // edit or deletion of it is not lost). Strictly after the cursor, the agent has never seen it.
  const known = post.create_at <= since;
  const deletedAt = post.delete_at ?? 0;
  if (deletedAt > 0) {
    // Created and deleted inside the gap: the agent never saw it, so there is nothing to take back.
    if (known) add(deletedAt, normalizeDelete(ctx, post, channelType));
    return changes;
  }
  if (post.create_at >= since) add(post.create_at, normalizePost(ctx, post, channelType), true);
  // A post new in the gap already carries its latest text; one the agent may have seen gets an edit.
  if (known && (post.edit_at ?? 0) > 0) add(post.edit_at!, normalizeEdit(ctx, post, channelType));
  for (const r of post.metadata?.reactions ?? []) add(r.create_at ?? 0, normalizeReaction(ctx, r, post.channel_id));
  return changes;
}

/** Fetch and journal what changed since each channel's cursor. Rejects with FatalConnectorError when the token is refused, or on abort. */
export async function catchUp(o: CatchUpOptions): Promise<{ journaled: number }> {
  const backoff = new Backoff({ initialMs: o.retryInitialMs, maxMs: o.retryMaxMs });
  const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const result = await fn();
        backoff.reset();
        return result;
      } catch (err) {
        const e = toConnectorError(err, what);
        if (e instanceof FatalConnectorError) throw e;
        const delay = backoff.next(e.retryAfterMs);
        o.onError(e.message, delay);
        await sleep(delay, o.signal);
      }
    }
  };
  const channels = await retrying('GET /users/me/channels', () => o.rest.getAllTeamsChannels());
  const missed: MissedChange[] = [];
  for (const channel of channels) {
    o.channelTypes.set(channel.id, channel.type);
    if (o.teamId && channel.team_id && channel.team_id !== o.teamId) continue;
    const since = o.since(channel.id);
    const list = await retrying('GET /channels/:id/posts', () => o.rest.getPostsSince(channel.id, since - 1));
    if (list.order.length >= SINCE_LIMIT) o.onTruncated(channel.id, list.order.length);
    for (const id of list.order) {
      const post = list.posts[id] as unknown as MmPost | undefined;
      if (post) missed.push(...missedChanges(o.normalize, post, channel.type, since, (at, key) => o.changeSeen(channel.id, at, key)));
    }
  }
  missed.sort((a, b) => a.at - b.at);
  let journaled = 0;
  for (const change of missed) {
    await o.journal(change);
    journaled++;
  }
  return { journaled };
}
