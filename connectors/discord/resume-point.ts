/**
 * Where a Discord session would resume from. Discord has no per-event ack: a client RESUMEs with a
 * sequence number and the Gateway replays every dispatch after it. So "journal before ack" here means
 * the sequence we hand to RESUME (and persist) is the last one *journaled*, never merely received —
 * whatever was received but not journaled comes again, and the journal's dedup key absorbs the rest.
 *
 * Pure bookkeeping: no I/O, no timers. The pipeline stamps each dispatch as it arrives and reports
 * when it is journaled (`complete`) or refused (`fail`); discord.js asks `info()` when it resumes.
 */

/** The part of a session that is persisted, so a restarted process can resume it. */
export interface SessionSnapshot {
  sessionId: string;
  resumeUrl: string;
  /** Every dispatch up to this sequence is journaled. */
  seq: number;
}

/** Which session and socket a dispatch came on, and its sequence. */
export interface Stamp {
  session: string | undefined;
  /** Connection generation: bumped on every new socket (HELLO). */
  conn: number;
  seq: number | null;
}

/** discord.js's (`@discordjs/ws`) session shape. */
export interface SessionInfoLike {
  sessionId: string;
  resumeURL: string;
  sequence: number;
  shardId: number;
  shardCount: number;
}

/** The session and the last journaled sequence of one connector start (see the file comment). */
export class ResumePoint {
  #session: { id: string; resumeUrl: string } | undefined;
  #done = 0;
  #conn = 0;
  /** Dispatches from connections up to this generation no longer move `done`: one was refused. */
  #blockedThrough = -1;

  /** The session to resume, at the last journaled sequence; null = identify afresh. */
  info(shardCount: number): SessionInfoLike | null {
    if (!this.#session) return null;
    return { sessionId: this.#session.id, resumeURL: this.#session.resumeUrl, sequence: this.#done, shardId: 0, shardCount };
  }

  /** discord.js reports its session: a new id (READY) starts over at 0; null ends the session. */
  update(info: { sessionId: string; resumeURL: string } | null): void {
    if (!info) {
      this.#session = undefined;
      this.#done = 0;
      return;
    }
    if (info.sessionId !== this.#session?.id) this.#done = 0;
    // The sequence discord.js passes is the last *received*; ours stays the last journaled.
    this.#session = { id: info.sessionId, resumeUrl: info.resumeURL };
  }

  /** A new socket opened. */
  newConnection(): void {
    this.#conn++;
  }

  stamp(seq: number | null): Stamp {
    return { session: this.#session?.id, conn: this.#conn, seq };
  }

  /**
   * True when this dispatch should not be journaled now: an earlier one on its connection was refused
   * and a resume of the same session will deliver both again, in order.
   */
  skips(stamp: Stamp): boolean {
    return stamp.conn <= this.#blockedThrough && stamp.session === this.#session?.id;
  }

  /** This dispatch (and, by order, all before it) is journaled. True when the resume point moved. */
  complete(stamp: Stamp): boolean {
    if (stamp.session === undefined || stamp.session !== this.#session?.id) return false;
    if (stamp.conn <= this.#blockedThrough || stamp.seq === null || stamp.seq <= this.#done) return false;
    this.#done = stamp.seq;
    return true;
  }

  /**
   * Journaling this dispatch failed. Returns true when the connection it came on is still the current
   * one, so the caller must force a resume to have it replayed (a newer connection already resumed
   * from before it). Returns false too when its session is gone: then it cannot be had again.
   */
  fail(stamp: Stamp): boolean {
    if (stamp.session === undefined || stamp.session !== this.#session?.id) return false;
    this.#blockedThrough = Math.max(this.#blockedThrough, stamp.conn);
    return stamp.conn === this.#conn;
  }

  /** True when a refused dispatch is waiting for a resume of the current connection. */
  get blocked(): boolean {
    return this.#blockedThrough >= this.#conn;
  }

  /** The last journaled sequence of the current session. */
  get done(): number {
    return this.#done;
  }

  snapshot(): SessionSnapshot | undefined {
    return this.#session ? { sessionId: this.#session.id, resumeUrl: this.#session.resumeUrl, seq: this.#done } : undefined;
  }

  /** Adopt a persisted session (a restarted process resumes where the last one journaled up to). */
  restore(snapshot: SessionSnapshot): void {
    this.#session = { id: snapshot.sessionId, resumeUrl: snapshot.resumeUrl };
    this.#done = snapshot.seq;
  }
}
