/**
 * Button intents: when the runtime sends a `buttons` command, it records which message carries the
 * buttons and which users they were issued to. A press on that message by anyone else is refused —
 * for every platform alike, with no connector involved. Kept in access.db, so a restart keeps them.
 */
import type Database from 'better-sqlite3';
import type { ButtonSpec, EventDraft } from '../bus/types.js';
import type { Clock } from '../clock.js';

/** How long a restricted button set stays pressable (presses after that are refused as expired). */
export const BUTTON_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Expired intents are kept this much longer, so a late press is refused rather than let through. */
const KEEP_EXPIRED_MS = 30 * 24 * 60 * 60 * 1000;

/** One issued button set. `allowedUsers` empty = whoever may reach the agent. */
export interface ButtonIntent {
  connector: string;
  conversation: string;
  messageIds: string[];
  buttonIds: string[];
  allowedUsers: string[];
  issuedAt: number;
  expiresAt: number;
}

/** The check of a press: no intent or allowed, or why not. */
export type PressVerdict = { pass: true } | { pass: false; reason: 'button-not-issued-to-sender' | 'button-expired' };

interface IntentRow {
  conversation: string;
  allowed_users: string;
  expires_ms: number;
}

/** The `button_intents` table of an open access.db. */
export class ButtonIntents {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #insert: Database.Statement<[string, string, string, string, string, number, number]>;
  readonly #find: Database.Statement<[string, string], IntentRow>;
  readonly #prune: Database.Statement<[number]>;

  constructor(db: Database.Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#insert = db.prepare(
      'INSERT OR REPLACE INTO button_intents (connector, message_id, conversation, button_ids, allowed_users, issued_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#find = db.prepare('SELECT conversation, allowed_users, expires_ms FROM button_intents WHERE connector = ? AND message_id = ?');
    this.#prune = db.prepare('DELETE FROM button_intents WHERE expires_ms < ?');
  }

  /** Record the buttons a `buttons` command put on `messageIds`. */
  record(connector: string, conversation: string, messageIds: readonly string[], buttons: readonly ButtonSpec[], allowedUsers: readonly string[] = []): ButtonIntent {
    const now = this.#clock.now();
    const intent: ButtonIntent = {
      connector, conversation, messageIds: [...messageIds], buttonIds: buttons.map((b) => b.id), allowedUsers: [...allowedUsers],
      issuedAt: now, expiresAt: now + BUTTON_TTL_MS,
    };
    this.#db.transaction(() => {
      this.#prune.run(now - KEEP_EXPIRED_MS);
      for (const id of messageIds) {
        this.#insert.run(connector, id, conversation, JSON.stringify(intent.buttonIds), JSON.stringify(intent.allowedUsers), now, intent.expiresAt);
      }
    }).immediate();
    return intent;
  }

  /**
   * Check a button press against the intent of the message it was pressed on. Message ids are only
   * unique per chat on some platforms, so the intent must also be for this conversation or its parent
   * (an agent may send to a channel with a thread, and the press arrives in the thread).
   */
  check(draft: Pick<EventDraft, 'connector' | 'kind' | 'messageId' | 'conversation' | 'sender'>): PressVerdict {
    if (draft.kind !== 'action' || !draft.messageId) return { pass: true };
    const where = new Set([draft.conversation.id, ...(draft.conversation.parentId ? [draft.conversation.parentId] : [])]);
    const row = this.#find.all(draft.connector, draft.messageId).find((r) => where.has(r.conversation));
    if (!row) return { pass: true };
    const allowed = JSON.parse(row.allowed_users) as string[];
    if (allowed.length === 0) return { pass: true };
    if (!allowed.includes(draft.sender.id)) return { pass: false, reason: 'button-not-issued-to-sender' };
    if (row.expires_ms <= this.#clock.now()) return { pass: false, reason: 'button-expired' };
    return { pass: true };
  }
}
