/**
 * Which CLI session each conversation is in, kept in `agent-sessions.json` (0600) in the state
 * directory so a follow-up after a restart still resumes it. Written atomically (temp file + rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name inside the state directory. */
export const SESSIONS_FILE = 'agent-sessions.json';

interface Entry {
  preset: string;
  session: string;
  updatedAt: string;
}

/** Conversation → session id, per preset (a session of one CLI means nothing to another). */
export class SessionStore {
  readonly #file: string;
  readonly #entries: Record<string, Entry>;

  /** Load the store of `stateDir`; a missing or unreadable file starts empty (sessions are a convenience). */
  constructor(stateDir: string) {
    this.#file = join(stateDir, SESSIONS_FILE);
    let entries: Record<string, Entry> = {};
    try {
      const parsed = JSON.parse(readFileSync(this.#file, 'utf8')) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) entries = parsed as Record<string, Entry>;
    } catch {
      // First run, or a damaged file: conversations start new sessions.
    }
    this.#entries = entries;
  }

  /** The session to resume for `key` under `preset`, if any. */
  get(preset: string, key: string): string | undefined {
    const e = this.#entries[key];
    return e && e.preset === preset && typeof e.session === 'string' ? e.session : undefined;
  }

  /** Remember `session` for `key`; written to disk before returning. */
  set(preset: string, key: string, session: string, now: Date): void {
    if (this.#entries[key]?.session === session && this.#entries[key]?.preset === preset) return;
    this.#entries[key] = { preset, session, updatedAt: now.toISOString() };
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#entries, null, 1), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }
}
