/**
 * The persisted resume point of one Discord connector: `{session id, resume URL, last journaled seq}`
 * in a 0600 file in the state directory, so that after a crash (even kill -9) the next run RESUMEs
 * the session and Discord replays what was missed instead of losing it.
 *
 * Writes are coalesced (at most one per `intervalMs`, plus `flush()` on stop) and atomic (temp file +
 * rename). What is written is only ever a snapshot taken after journaling, so the file can lag the
 * journal — a replay the dedup key absorbs — but never run ahead of it.
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SessionSnapshot } from './resume-point.js';

/** What the file holds. `botId` ties it to one bot: a changed token starts a fresh session. */
export interface StoredSession extends SessionSnapshot {
  version: 1;
  botId: string;
  savedAt: string;
}

/** One connector's persisted resume point (see the file comment). I/O errors are logged, never thrown. */
export class SessionStore {
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #log: Logger;
  /** The latest state to write; `null` = delete the file; `undefined` = nothing pending. */
  #pending: StoredSession | null | undefined;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string, log: Logger, intervalMs = 200) {
    this.#path = path;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** The stored session, or undefined when there is none (or it is unreadable: then start afresh). */
  async load(): Promise<StoredSession | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const s = JSON.parse(text) as Partial<StoredSession>;
      if (s.version === 1 && typeof s.sessionId === 'string' && typeof s.resumeUrl === 'string' && Number.isSafeInteger(s.seq) && typeof s.botId === 'string') {
        return s as StoredSession;
      }
    } catch {
      // fall through
    }
    this.#log.warn({ path: this.#path }, 'ignoring an unreadable Discord session file; the next connect identifies afresh');
    return undefined;
  }

  /** Remember `state` to be written soon (null: the session ended, delete the file). */
  schedule(state: StoredSession | null): void {
    this.#pending = state;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, this.#intervalMs);
  }

  /** Write whatever is pending now and wait for it. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#write();
  }

  #write(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      const state = this.#pending;
      this.#pending = undefined;
      if (state === undefined) return;
      try {
        if (state === null) {
          await unlink(this.#path).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
        } else {
          const tmp = `${this.#path}.tmp`;
          await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
          await rename(tmp, this.#path);
        }
      } catch (err) {
        // Not fatal: the next write catches up; a stale file only means a longer replay.
        this.#log.warn({ err, path: this.#path }, 'could not persist the Discord resume point');
      }
    });
    return this.#writing;
  }
}
