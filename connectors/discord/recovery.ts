/**
 * The Discord recovery table: every Gateway close code and the opcodes that end a connection, mapped
 * to what happens next — `resume` the session (Discord replays what was missed), `retry` with a new
 * session (re-identify), or `fatal` (stop; restarting cannot help). Source: Discord's "Gateway Close
 * Event Codes" and "Resuming" docs.
 *
 * discord.js (`@discordjs/ws`) performs the resume/re-identify itself and agrees with this table
 * (except 4009, which it tries to resume: Discord then answers op 9 and it re-identifies); the
 * connector uses it to turn fatal codes into `FatalConnectorError` (no restart loop), to keep a
 * session across a network error (where `@discordjs/ws` would drop it), and to word `status` reasons.
 */

export type Recovery = 'resume' | 'retry' | 'fatal';

/** What to do after a close code or opcode, and why (for logs and `status`). */
export interface RecoveryRule {
  recovery: Recovery;
  /** Why, secret-free, with the fix when the operator has to act. */
  reason: string;
}

/** Gateway close codes → recovery. */
export const CLOSE_CODES: Readonly<Record<number, RecoveryRule>> = {
  1000: { recovery: 'retry', reason: 'the Gateway closed the connection normally (session ended)' },
  1001: { recovery: 'retry', reason: 'the Gateway is going away (session ended)' },
  1006: { recovery: 'resume', reason: 'the connection was lost' },
  4000: { recovery: 'resume', reason: 'Gateway unknown error' },
  4001: { recovery: 'resume', reason: 'Gateway: unknown opcode sent' },
  4002: { recovery: 'resume', reason: 'Gateway: payload could not be decoded' },
  4003: { recovery: 'retry', reason: 'Gateway: sent a payload before identifying' },
  4004: { recovery: 'fatal', reason: 'Discord rejected the bot token (4004 authentication failed): reset it under Developer Portal → Bot and update `token`' },
  4005: { recovery: 'retry', reason: 'Gateway: identified twice' },
  4007: { recovery: 'retry', reason: 'Gateway: invalid resume sequence' },
  4008: { recovery: 'retry', reason: 'Gateway: sending too fast (rate limited)' },
  4009: { recovery: 'retry', reason: 'Gateway: session timed out' },
  4010: { recovery: 'fatal', reason: 'Gateway: invalid shard (4010)' },
  4011: { recovery: 'fatal', reason: 'Gateway: this bot is in too many guilds for one shard (4011 sharding required)' },
  4012: { recovery: 'fatal', reason: 'Gateway: invalid API version (4012)' },
  4013: { recovery: 'fatal', reason: 'Gateway: invalid intents (4013)' },
  4014: {
    recovery: 'fatal',
    reason: 'Gateway: disallowed intents (4014): enable "Message Content Intent" under Developer Portal → Bot → Privileged Gateway Intents',
  },
  // discord.js closes with 4200 itself when it reconnects to resume (op 7, zombie connection).
  4200: { recovery: 'resume', reason: 'reconnecting to resume the session' },
};

/** Opcodes that end a connection: op 7 RECONNECT, op 9 INVALID_SESSION (`d` = resumable). */
export const OPCODES = {
  reconnect: { recovery: 'resume', reason: 'Discord asked to reconnect (op 7)' },
  invalidSessionResumable: { recovery: 'resume', reason: 'Discord invalidated the session, resumable (op 9)' },
  invalidSession: { recovery: 'retry', reason: 'Discord invalidated the session (op 9); identifying afresh' },
} as const satisfies Record<string, RecoveryRule>;

/** The rule for a close code; unknown codes resume, as Discord advises for anything not listed. */
export function recoveryFor(code: number): RecoveryRule {
  return CLOSE_CODES[code] ?? { recovery: 'resume', reason: `the Gateway closed the connection (code ${code})` };
}
