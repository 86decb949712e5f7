/**
 * Pairing: a stranger who DMs a connector under `dm: pairing` gets one short code; an owner approves it
 * with `switchboard pair approve CODE`, and from then on that sender is `paired` on that connector.
 * Codes expire after an hour, at most three are pending per connector, and a sender with a pending code
 * gets no second one (their further messages meet silence). State lives in access.db (access-db.ts).
 */
import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';

/** No 0/O, 1/I/L: a code read aloud or retyped from a phone survives. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;
export const CODE_TTL_MS = 60 * 60 * 1000;
export const MAX_PENDING_PER_CONNECTOR = 3;

/** A code waiting for an owner's approval. */
export interface PendingPairing {
  code: string;
  connector: string;
  userId: string;
  userName?: string;
  conversation: string;
  createdAt: string;
  expiresAt: string;
}

/** A sender an owner approved. */
export interface ApprovedPairing {
  connector: string;
  userId: string;
  userName?: string;
  approvedAt: string;
}

/** What asking for a code gave: a new code to send, or why none (then stay silent). */
export type PairingRequest = { status: 'issued'; code: string } | { status: 'pending' } | { status: 'full' };

/** What `approve` did. */
export type ApproveResult = { status: 'approved'; pairing: ApprovedPairing } | { status: 'unknown' } | { status: 'expired'; pairing: PendingPairing };

/** A fresh code from the CSPRNG: 8 of 31 symbols, about 40 bits. */
export function newPairingCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** How a code typed by a person is matched: case and spaces/dashes ignored. */
export function normalizeCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

interface PendingRow {
  code: string;
  connector: string;
  user_id: string;
  user_name: string | null;
  conversation: string;
  created_ms: number;
  expires_ms: number;
}

interface ApprovedRow {
  connector: string;
  user_id: string;
  user_name: string | null;
  approved_ms: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function pendingOf(r: PendingRow): PendingPairing {
  return {
    code: r.code, connector: r.connector, userId: r.user_id, ...(r.user_name ? { userName: r.user_name } : {}),
    conversation: r.conversation, createdAt: iso(r.created_ms), expiresAt: iso(r.expires_ms),
  };
}

function approvedOf(r: ApprovedRow): ApprovedPairing {
  return { connector: r.connector, userId: r.user_id, ...(r.user_name ? { userName: r.user_name } : {}), approvedAt: iso(r.approved_ms) };
}

/** Pending codes and approvals over an open access.db. Every method is one short transaction. */
export class PairingStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #isPaired: Database.Statement<[string, string], { one: number }>;
  readonly #pendingFor: Database.Statement<[string, string, number], { one: number }>;
  readonly #countPending: Database.Statement<[string, number], { n: number }>;
  readonly #dropExpired: Database.Statement<[number]>;
  readonly #insertPending: Database.Statement<[string, string, string, string | null, string, number, number]>;
  readonly #makeCode: () => string;

  constructor(db: Database.Database, clock: Clock, options: { makeCode?: () => string } = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#isPaired = db.prepare('SELECT 1 AS one FROM approved WHERE connector = ? AND user_id = ?');
    this.#pendingFor = db.prepare('SELECT 1 AS one FROM pending WHERE connector = ? AND user_id = ? AND expires_ms > ?');
    this.#countPending = db.prepare('SELECT count(*) AS n FROM pending WHERE connector = ? AND expires_ms > ?');
    this.#dropExpired = db.prepare('DELETE FROM pending WHERE expires_ms <= ?');
    this.#insertPending = db.prepare('INSERT INTO pending (code, connector, user_id, user_name, conversation, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#makeCode = options.makeCode ?? newPairingCode;
  }

  /** True when an owner approved this sender on this connector. */
  isPaired(connector: string, userId: string): boolean {
    return this.#isPaired.get(connector, userId) !== undefined;
  }

  /** Issue a code for a stranger's DM, unless one is pending for them or the connector has three pending. */
  request(connector: string, user: { id: string; name?: string }, conversation: string): PairingRequest {
    const now = this.#clock.now();
    // The common case (a stranger writing again while their code is pending) is a read, not a write.
    if (this.#pendingFor.get(connector, user.id, now)) return { status: 'pending' };
    return this.#db.transaction((): PairingRequest => {
      this.#dropExpired.run(now);
      // Checked again inside the write lock: `switchboard pair` or another event may have moved on.
      if (this.#pendingFor.get(connector, user.id, now)) return { status: 'pending' };
      if (this.#countPending.get(connector, now)!.n >= MAX_PENDING_PER_CONNECTOR) return { status: 'full' };
      const code = this.#makeCode();
      this.#insertPending.run(code, connector, user.id, user.name ?? null, conversation, now, now + CODE_TTL_MS);
      return { status: 'issued', code };
    }).immediate();
  }

  /** Approve the sender who got `code`; the code is used up. Unknown and expired codes approve no one. */
  approve(code: string): ApproveResult {
    const now = this.#clock.now();
    return this.#db.transaction((): ApproveResult => {
      const row = this.#db.prepare<[string], PendingRow>('SELECT * FROM pending WHERE code = ?').get(normalizeCode(code));
      if (!row) return { status: 'unknown' };
      this.#db.prepare('DELETE FROM pending WHERE code = ?').run(row.code);
      if (row.expires_ms <= now) return { status: 'expired', pairing: pendingOf(row) };
      this.#db
        .prepare('INSERT INTO approved (connector, user_id, user_name, approved_ms) VALUES (?, ?, ?, ?) ON CONFLICT (connector, user_id) DO UPDATE SET user_name = excluded.user_name, approved_ms = excluded.approved_ms')
        .run(row.connector, row.user_id, row.user_name, now);
      return { status: 'approved', pairing: { connector: row.connector, userId: row.user_id, ...(row.user_name ? { userName: row.user_name } : {}), approvedAt: iso(now) } };
    }).immediate();
  }

  /** Remove the approvals (and pending codes) of `userId`, on one connector or all; returns the approvals removed. */
  revoke(userId: string, connector?: string): ApprovedPairing[] {
    return this.#db.transaction((): ApprovedPairing[] => {
      const where = connector === undefined ? 'user_id = ?' : 'user_id = ? AND connector = ?';
      const args = connector === undefined ? [userId] : [userId, connector];
      const removed = this.#db.prepare<unknown[], ApprovedRow>(`SELECT * FROM approved WHERE ${where}`).all(...args).map(approvedOf);
      this.#db.prepare(`DELETE FROM approved WHERE ${where}`).run(...args);
      this.#db.prepare(`DELETE FROM pending WHERE ${where}`).run(...args);
      return removed;
    }).immediate();
  }

  /** Unexpired pending codes, oldest first. */
  pending(): PendingPairing[] {
    return this.#db.prepare<[number], PendingRow>('SELECT * FROM pending WHERE expires_ms > ? ORDER BY created_ms, code').all(this.#clock.now()).map(pendingOf);
  }

  /** Every approval, by connector then time. */
  approved(): ApprovedPairing[] {
    return this.#db.prepare<[], ApprovedRow>('SELECT * FROM approved ORDER BY connector, approved_ms, user_id').all().map(approvedOf);
  }
}
