/**
 * The SQLite side of the journal: opening the file, the schema, and the prepared statements.
 * Everything here is synchronous (better-sqlite3); batching and delivery live in `journal.ts`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SbError } from '../errors.js';
import { SubscriberCursor } from './cursor.js';

/** How hard each commit is pushed to disk. */
export type Durability = 'normal' | 'full';

/** Bumped when the schema changes; a journal written by a newer version is refused. */
const SCHEMA_VERSION = 1;

// AUTOINCREMENT, not a bare rowid: a bare rowid is max(rowid)+1, so once retention empties the table
// ids would be handed out again and a subscriber's cursor would skip (or ack) events it never saw.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key  TEXT NOT NULL UNIQUE,
  connector  TEXT NOT NULL,
  stored_ms  INTEGER NOT NULL,
  body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscribers (
  name       TEXT PRIMARY KEY,
  watermark  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS acks (
  subscriber TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (subscriber, seq)
) WITHOUT ROWID;
`;

/** One stored event: `body` is the event's JSON with a placeholder `id` (the id is derived from `seq`). */
export interface EventRow {
  seq: number;
  body: string;
}

/** The open database and every statement the journal runs. */
export interface JournalStore {
  readonly db: Database.Database;
  readonly path: string;
  /** Inserts at an explicit seq; `changes` is 0 when the dedup key is already stored. */
  insertEvent: Database.Statement<[number, string, string, number, string]>;
  readFrom: Database.Statement<[number, number], EventRow>;
  headSeq: Database.Statement<[], { seq: number }>;
  firstSeq: Database.Statement<[], { seq: number | null }>;
  countEvents: Database.Statement<[], { n: number }>;
  firstYoungSeq: Database.Statement<[number], { seq: number }>;
  seqAtOffsetFromEnd: Database.Statement<[number], { seq: number }>;
  deleteUpTo: Database.Statement<[number]>;
  loadSubscribers: Database.Statement<[], { name: string; watermark: number }>;
  loadAcks: Database.Statement<[], { subscriber: string; seq: number }>;
  createSubscriber: Database.Statement<[string, number]>;
  setWatermark: Database.Statement<[number, string]>;
  insertAck: Database.Statement<[string, number]>;
  deleteAcksUpTo: Database.Statement<[string, number]>;
}

/**
 * Open (creating if needed) `${dir}/journal.sqlite` in WAL mode; `backgroundCheckpoints` leaves
 * routine checkpoints to checkpointer.ts.
 * Throws `SB_E_STATE_DIR` when the directory or file cannot be opened or was written by a newer version.
 */
export function openStore(dir: string, durability: Durability, backgroundCheckpoints: boolean): JournalStore {
  const path = join(dir, 'journal.sqlite');
  let db: Database.Database;
  try {
    // 0700: the journal holds people's messages.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new Database(path);
  } catch (cause) {
    throw new SbError('SB_E_STATE_DIR', `cannot open the journal at ${path}; check that state_dir is writable`, {
      cause,
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit is written to the WAL before it returns, so it survives a crash or
    // kill -9 of this process (the OS still has it); only an OS crash or power loss can lose the
    // last commits. FULL also fsyncs the WAL on every commit, surviving power loss at a large cost
    // per commit — which group commit in journal.ts amortizes.
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    // The background checkpointer (or another process reading) may hold a lock briefly.
    db.pragma('busy_timeout = 5000');
    // With a background checkpointer this is only the safety net (40 MB of WAL); see checkpointer.ts.
    db.pragma(`wal_autocheckpoint = ${backgroundCheckpoints ? 10_000 : 1000}`);
    // After a checkpoint, truncate a WAL that a burst grew past 64 MB instead of keeping it forever.
    db.pragma('journal_size_limit = 67108864');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new SbError(
        'SB_E_STATE_DIR',
        `the journal at ${path} was written by a newer switchboard (schema ${version}); upgrade switchboard`,
      );
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return prepare(db, path);
  } catch (err) {
    db.close();
    if (err instanceof SbError) throw err;
    throw new SbError('SB_E_STATE_DIR', `cannot initialize the journal at ${path}`, { cause: err });
  }
}

function prepare(db: Database.Database, path: string): JournalStore {
  return {
    db,
    path,
    // The seq is given, not left to AUTOINCREMENT: a refused insert would still consume an
    // AUTOINCREMENT value, and gaps would stall the subscribers' watermarks (cursor.ts). The conflict
    // clause names dedup_key only, so a clash on seq (a second writer) still fails loudly.
    insertEvent: db.prepare(
      'INSERT INTO events (seq, dedup_key, connector, stored_ms, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING',
    ),
    readFrom: db.prepare('SELECT seq, body FROM events WHERE seq >= ? ORDER BY seq LIMIT ?'),
    // sqlite_sequence keeps the highest seq ever handed out, even after retention deleted it.
    headSeq: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
    firstSeq: db.prepare('SELECT min(seq) AS seq FROM events'),
    countEvents: db.prepare('SELECT count(*) AS n FROM events'),
    // Walks in seq order and stops at the first young event: cheap, because old events come first.
    firstYoungSeq: db.prepare('SELECT seq FROM events WHERE stored_ms >= ? ORDER BY seq LIMIT 1'),
    seqAtOffsetFromEnd: db.prepare('SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?'),
    deleteUpTo: db.prepare('DELETE FROM events WHERE seq <= ?'),
    loadSubscribers: db.prepare('SELECT name, watermark FROM subscribers'),
    loadAcks: db.prepare('SELECT subscriber, seq FROM acks'),
    createSubscriber: db.prepare('INSERT OR IGNORE INTO subscribers (name, watermark) VALUES (?, ?)'),
    setWatermark: db.prepare('UPDATE subscribers SET watermark = ? WHERE name = ?'),
    insertAck: db.prepare('INSERT OR IGNORE INTO acks (subscriber, seq) VALUES (?, ?)'),
    deleteAcksUpTo: db.prepare('DELETE FROM acks WHERE subscriber = ? AND seq <= ?'),
  };
}

/** Every subscriber's cursor as stored: its watermark and the acks held above it. */
export function readCursors(store: JournalStore): Map<string, SubscriberCursor> {
  const above = new Map<string, number[]>();
  for (const { subscriber, seq } of store.loadAcks.all()) {
    const list = above.get(subscriber) ?? [];
    list.push(seq);
    above.set(subscriber, list);
  }
  const cursors = new Map<string, SubscriberCursor>();
  for (const { name, watermark } of store.loadSubscribers.all()) {
    cursors.set(name, new SubscriberCursor(name, watermark, above.get(name)));
  }
  return cursors;
}
