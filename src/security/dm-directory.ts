/**
 * Which conversations are DMs. Some platforms have threads inside DMs (Slack, Mattermost, Telegram
 * private-chat topics); an event there says only `kind: 'thread'` and its `parentId`. The access policy
 * must judge it by the DM rules, not the group rules, so every DM seen is remembered here (in
 * access.db, so a restart keeps it) and a thread whose parent is a known DM counts as that DM.
 */
import type Database from 'better-sqlite3';
import type { Conversation } from '../bus/types.js';

/** The in-memory cache is only a shortcut past the write; it is cleared past this many ids. */
const MAX_CACHED = 10_000;

/** The `dm_conversations` table of an open access.db, with a write-once cache. */
export class DmDirectory {
  readonly #insert: Database.Statement<[string, string]>;
  readonly #find: Database.Statement<[string, string], { one: number }>;
  readonly #seen = new Set<string>();

  constructor(db: Database.Database) {
    this.#insert = db.prepare('INSERT OR IGNORE INTO dm_conversations (connector, conversation) VALUES (?, ?)');
    this.#find = db.prepare('SELECT 1 AS one FROM dm_conversations WHERE connector = ? AND conversation = ?');
  }

  /**
   * The conversation the access policy should judge: a DM is remembered and returned as is; a thread
   * inside a known DM is returned as a DM (same id); anything else as is.
   */
  classify(connector: string, conversation: Conversation): Conversation {
    if (conversation.kind === 'dm') {
      const key = `${connector}\u0000${conversation.id}`;
      if (!this.#seen.has(key)) {
        this.#insert.run(connector, conversation.id);
        if (this.#seen.size >= MAX_CACHED) this.#seen.clear();
        this.#seen.add(key);
      }
      return conversation;
    }
    if (conversation.kind === 'thread' && conversation.parentId !== undefined && this.#find.get(connector, conversation.parentId)) {
      return { ...conversation, kind: 'dm' };
    }
    return conversation;
  }
}
