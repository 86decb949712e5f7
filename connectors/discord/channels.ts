/**
 * What kind of conversation a channel id is — guild channel, thread (and its parent), DM, group DM —
 * learnt from the raw dispatches that describe channels (GUILD_CREATE, CHANNEL_*, THREAD_*), and
 * asked from REST (`GET /channels/{id}`) for one never seen, e.g. after a restart resumed a session
 * whose GUILD_CREATE went to the previous process. A message payload alone does not say.
 */
import type { ConversationKind } from '../../src/bus/types.js';

/** What a channel is as a conversation: its kind, a thread's parent, its name. */
export interface ChannelInfo {
  kind: ConversationKind;
  /** A thread's parent channel. */
  parentId?: string;
  title?: string;
}

/** The fields of a raw channel object this needs. */
export interface RawChannel {
  id: string;
  type: number;
  name?: string | null;
  parent_id?: string | null;
}

// Discord channel types: 1 DM, 3 group DM, 10/11/12 threads (announcement, public, private).
const THREAD_TYPES = new Set([10, 11, 12]);

/** Pure: the conversation facts of a raw channel object. */
export function channelInfo(raw: RawChannel): ChannelInfo {
  const title = raw.name ?? undefined;
  if (raw.type === 1) return { kind: 'dm' };
  if (raw.type === 3) return { kind: 'group', ...(title ? { title } : {}) };
  if (THREAD_TYPES.has(raw.type)) return { kind: 'thread', ...(raw.parent_id ? { parentId: raw.parent_id } : {}), ...(title ? { title } : {}) };
  return { kind: 'channel', ...(title ? { title } : {}) };
}

/** Remembers channels by id; falls back to `fetchChannel` (REST) for an unknown guild channel. */
export class ChannelDirectory {
  readonly #known = new Map<string, ChannelInfo>();
  readonly #fetch: (id: string) => Promise<RawChannel>;
  readonly #onFetchError: (id: string, err: unknown) => void;

  constructor(fetchChannel: (id: string) => Promise<RawChannel>, onFetchError: (id: string, err: unknown) => void) {
    this.#fetch = fetchChannel;
    this.#onFetchError = onFetchError;
  }

  /** Learn from a dispatch that creates, changes or removes channels; other dispatches are ignored. */
  observe(t: string, d: unknown): void {
    const data = d as { channels?: RawChannel[]; threads?: RawChannel[]; id?: string };
    switch (t) {
      case 'GUILD_CREATE':
      case 'THREAD_LIST_SYNC':
        for (const c of [...(data.channels ?? []), ...(data.threads ?? [])]) this.#known.set(c.id, channelInfo(c));
        return;
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
        this.#known.set((d as RawChannel).id, channelInfo(d as RawChannel));
        return;
      case 'CHANNEL_DELETE':
      case 'THREAD_DELETE':
        if (data.id) this.#known.delete(data.id);
        return;
    }
  }

  /**
   * The conversation facts of `channelId`. A message without `guild_id` is a DM (group DMs are
   * user-account only, so a bot never sees one). An unknown guild channel is asked from REST once; if
   * that fails it is treated as a plain channel (the event is still delivered, without a thread parent).
   */
  resolve(channelId: string, guildId: string | undefined): ChannelInfo | Promise<ChannelInfo> {
    const known = this.#known.get(channelId);
    if (known) return known;
    if (!guildId) return { kind: 'dm' };
    return this.#fetch(channelId).then(
      (raw) => {
        const info = channelInfo(raw);
        this.#known.set(channelId, info);
        return info;
      },
      (err: unknown) => {
        this.#onFetchError(channelId, err);
        return { kind: 'channel' as const };
      },
    );
  }
}
