/**
 * `<state_dir>/access.db`: pending pairing codes, approved pairings, issued button intents and the
 * conversations known to be DMs (so a thread inside one is judged as a DM). SQLite
 * (WAL, busy timeout) so that `switchboard pair` can manage it from another process while the runtime
 * reads it on every event — an approval or a revoke takes effect on the next message, no restart.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SbError } from '../errors.js';

/** Bumped when the schema changes; a file written by a newer version is refused. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pending (
  code         TEXT PRIMARY KEY,
  connector    TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  user_name    TEXT,
  conversation TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  expires_ms   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_by_user ON pending (connector, user_id);
CREATE TABLE IF NOT EXISTS approved (
  connector    TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  user_name    TEXT,
  approved_ms  INTEGER NOT NULL,
  PRIMARY KEY (connector, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS button_intents (
  connector     TEXT NOT NULL,
  message_id    TEXT NOT NULL,
  conversation  TEXT NOT NULL,
  button_ids    TEXT NOT NULL,
  allowed_users TEXT NOT NULL,
  issued_ms     INTEGER NOT NULL,
  expires_ms    INTEGER NOT NULL,
  PRIMARY KEY (connector, message_id, conversation)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dm_conversations (
  connector    TEXT NOT NULL,
  conversation TEXT NOT NULL,
  PRIMARY KEY (connector, conversation)
) WITHOUT ROWID;
`;

/** The file name inside the state directory. */
export const ACCESS_DB_FILE = 'access.db';

/**
 * Open (creating if needed) the access database in `stateDir`, or an in-memory one for `':memory:'`
 * (tests). Throws `SB_E_STATE_DIR` naming the file when it cannot be opened or is from a newer version.
 */
export function openAccessDb(stateDir: string): Database.Database {
  const memory = stateDir === ':memory:';
  const path = memory ? ':memory:' : join(stateDir, ACCESS_DB_FILE);
  let db: Database.Database;
  try {
    if (!memory) mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    db = new Database(path);
  } catch (cause) {
    throw new SbError('SB_E_STATE_DIR', `cannot open the access database at ${path}; check that state_dir is writable`, { cause });
  }
  try {
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // `switchboard pair` and the runtime write it from two processes; each write is a short transaction.
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new SbError('SB_E_STATE_DIR', `the access database at ${path} was written by a newer switchboard (schema ${version}); upgrade switchboard`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof SbError) throw err;
    throw new SbError('SB_E_STATE_DIR', `cannot initialize the access database at ${path}`, { cause: err });
  }
}
