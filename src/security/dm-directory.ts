/**
 * Which conversations are DMs. Some platforms have threads inside DMs (Slack, Mattermost, Telegram
 * private-chat topics); an event there says only `kind: 'thread'` and its `parentId`. The access policy
 * must judge it by the DM rules, not the group rules, so a DM is remembered and a thread whose parent
 * is a known DM counts as that DM.
 *
 * Only DMs the policy admitted are written to access.db (kept across restarts): anyone can open a DM
 * with a bot, and a stranger creating accounts must not grow the file. Refused DMs are remembered in
 * memory only, bounded (least recently seen dropped first), so a stranger's DM thread is still judged
 * as a DM in this run; after a restart it falls back to the group rules (refused unless the groups
 * list says `*`, which already admits strangers in any group the bot is in).
 */
import type Database from 'better-sqlite3';
import type { Conversation } from '../bus/types.js';

/** The in-memory cache of written ids is only a shortcut past the write; it is cleared past this many. */
const MAX_CACHED = 10_000;
/** Refused DMs remembered in memory, per process. */
export const MAX_REFUSED_DMS = 10_000;

/** The `dm_conversations` table of an open access.db (admitted DMs), plus refused DMs in memory. */
export class DmDirectory {
  readonly #insert: Database.Statement<[string, string]>;
  readonly #find: Database.Statement<[string, string], { one: number }>;
  readonly #written = new Set<string>();
  /** Refused DMs, oldest first (a Map keeps insertion order; a repeat moves to the end). */
  readonly #refused = new Map<string, true>();

  constructor(db: Database.Database) {
    this.#insert = db.prepare('INSERT OR IGNORE INTO dm_conversations (connector, conversation) VALUES (?, ?)');
    this.#find = db.prepare('SELECT 1 AS one FROM dm_conversations WHERE connector = ? AND conversation = ?');
  }

  /**
   * The conversation the access policy should judge: a DM as is; a thread inside a known DM (admitted,
   * or refused in this run) as a DM (same id); anything else as is. Writes nothing.
   */
  classify(connector: string, conversation: Conversation): Conversation {
    if (conversation.kind !== 'thread' || conversation.parentId === undefined) return conversation;
    const key = keyOf(connector, conversation.parentId);
    if (this.#refused.has(key) || this.#written.has(key) || this.#find.get(connector, conversation.parentId)) {
      return { ...conversation, kind: 'dm' };
    }
    return conversation;
  }

  /** Remember DM `conversation` after the policy's verdict: admitted ones in access.db, refused ones in memory. */
  remember(connector: string, conversation: string, admitted: boolean): void {
    const key = keyOf(connector, conversation);
    if (!admitted) {
      this.#refused.delete(key);
      this.#refused.set(key, true);
      if (this.#refused.size > MAX_REFUSED_DMS) this.#refused.delete(this.#refused.keys().next().value as string);
      return;
    }
    if (this.#written.has(key)) return;
    this.#insert.run(connector, conversation);
    this.#refused.delete(key);
    if (this.#written.size >= MAX_CACHED) this.#written.clear();
    this.#written.add(key);
  }
}

function keyOf(connector: string, conversation: string): string {
  return `${connector}\u0000${conversation}`;
}
