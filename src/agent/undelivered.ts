/**
 * An answer the chat could not take, kept on disk: `undelivered/<event id>.txt` (0600) in the state
 * directory. Not in the log — an answer may quote the user's message or files the agent read, and the
 * log never holds message content; the log line names the file.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** Folder inside the state directory. */
export const UNDELIVERED_DIR = 'undelivered';

/** The chat notice for an answer that could not be delivered in full. */
export const UNDELIVERED_NOTICE = "The agent's answer could not be delivered in full; it is saved on the switchboard host (see its log).";

/** Write `answer` to `<stateDir>/undelivered/<eventId>.txt` (folder 0700, file 0600); returns the path. Throws on I/O errors. */
export function saveUndelivered(stateDir: string, eventId: string, answer: string): string {
  if (!/^[\w-]+$/.test(eventId)) throw new Error('not a file-safe event id');
  const dir = join(stateDir, UNDELIVERED_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${eventId}.txt`);
  writeFileSync(file, `${answer}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // a file left by an earlier run of the same event keeps no wider mode
  return file;
}

/**
 * Keep an undelivered answer and say so at `error` level, with the file and sizes but no content.
 * Never throws: a failure to save is logged too.
 */
export function keepUndelivered(stateDir: string, eventId: string, answer: string, unshown: string, log: Logger): void {
  const sizes = { answerChars: answer.length, undeliveredChars: unshown.length };
  try {
    const file = saveUndelivered(stateDir, eventId, answer);
    log.error({ ...sizes, file }, 'the agent answer could not be delivered to the chat; the whole answer is saved in the file');
  } catch (err) {
    log.error({ ...sizes, err }, 'the agent answer could not be delivered to the chat, nor saved to a file');
  }
}
