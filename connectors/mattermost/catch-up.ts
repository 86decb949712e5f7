/**
 * The REST catch-up after a gap the WebSocket cannot replay (a new `connection_id`, or a restart):
 * every channel the bot is in is asked for its posts since that channel's cursor, and the new ones are
 * journaled oldest first (in order within each channel). The window starts 1 ms before the cursor so
 * a post sharing its millisecond is not skipped; posts already journaled come back too, and the dedup
 * key absorbs them. It runs after the new connection's `hello`, so what a channel gets after its fetch
 * arrives over the socket.
 */
import type { EventDraft } from '../../src/bus/types.js';
import { FatalConnectorError } from '../../src/errors.js';
import { Backoff, sleep } from '../../src/supervisor/backoff.js';
import { normalizePost, type MmPost, type NormalizeContext } from './normalize.js';
import { toConnectorError } from './recovery.js';
import type { Client4 } from './sdk.js';

export interface CatchUpOptions {
  rest: Client4;
  /** Per channel: the `create_at` of its newest post journaled. */
  since(channelId: string): number;
  /** Only this team's channels (plus direct and group messages); undefined = all. */
  teamId: string | undefined;
  normalize: NormalizeContext;
  /** Filled with each channel's type, as learned from the channel list. */
  channelTypes: Map<string, string>;
  /** Journal one post's draft; resolves once durable. */
  journal(draft: EventDraft, post: MmPost): Promise<void>;
  signal: AbortSignal;
  retryInitialMs: number;
  retryMaxMs: number;
  /** A REST call failed and will be retried after `delayMs`. */
  onError(reason: string, delayMs: number): void;
}

/** Fetch and journal the posts missed since `since`. Rejects with FatalConnectorError when the token is refused, or on abort. */
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
  const missed: { post: MmPost; type: string }[] = [];
  for (const channel of channels) {
    o.channelTypes.set(channel.id, channel.type);
    if (o.teamId && channel.team_id && channel.team_id !== o.teamId) continue;
    const since = o.since(channel.id);
    const list = await retrying('GET /channels/:id/posts', () => o.rest.getPostsSince(channel.id, since - 1));
    for (const id of list.order) {
      const post = list.posts[id] as unknown as MmPost | undefined;
      if (post && post.create_at >= since) missed.push({ post, type: channel.type });
    }
  }
  missed.sort((a, b) => a.post.create_at - b.post.create_at);
  let journaled = 0;
  for (const { post, type } of missed) {
    const draft = normalizePost(o.normalize, post, type);
    if (!draft) continue;
    await o.journal(draft, post);
    journaled++;
  }
  return { journaled };
}
