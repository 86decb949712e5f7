/**
 * The Discord recovery table: every Gateway close code and the opcodes that end a connection, mapped
 * to what happens next — `resume` the session (Discord replays what was missed), `retry` with a new
 * session (re-identify; what happened in between is gone), or `fatal` (stop; restarting cannot help).
 * Source: Discord's "Gateway Close Event Codes" and "Resuming" docs: a disconnect may be resumed unless
 * its code says otherwise; 4007 and 4009 say "start a new session"; 4004 and 4010–4014 say "don't
 * reconnect".
 *
 * The table is what happens, not a wish: discord.js (`@discordjs/ws`) reconnects by itself, and the
 * Gateway wrapper (gateway.ts) makes it follow the table where it differs — on a `retry` code it ends
 * the session before discord.js reconnects (discord.js would try to RESUME after 4009, and Discord,
 * having timed the session out, would refuse with op 9), and on a `resume` code it keeps the session
 * where discord.js would drop it (a close after a network error). The connector turns `fatal` codes
 * into `FatalConnectorError` (no restart loop) and words `status` from the reasons.
 * test/discord/close-codes.test.ts checks every row against the emulator.
 */

export type Recovery = 'resume' | 'retry' | 'fatal';

/** What to do after a close code or opcode, and why (for logs and `status`). */
export interface RecoveryRule {
  recovery: Recovery;
  /** Why, secret-free, with the fix when the operator has to act. */
  reason: string;
}

/** Gateway close codes (as Discord sends them; 1006 = the connection was cut without a close frame) → recovery. */
export const CLOSE_CODES: Readonly<Record<number, RecoveryRule>> = {
  1000: { recovery: 'retry', reason: 'the Gateway closed the connection normally (session ended)' },
  // The server going away (a Gateway node restarting) keeps the session; only a *client* closing with 1000/1001 ends it.
  1001: { recovery: 'resume', reason: 'the Gateway is going away' },
  1006: { recovery: 'resume', reason: 'the connection was lost' },
  4000: { recovery: 'resume', reason: 'Gateway unknown error' },
  4001: { recovery: 'resume', reason: 'Gateway: unknown opcode sent' },
  4002: { recovery: 'resume', reason: 'Gateway: payload could not be decoded' },
  4003: { recovery: 'retry', reason: 'Gateway: sent a payload before identifying' },
  4004: { recovery: 'fatal', reason: 'Discord rejected the bot token (4004 authentication failed): reset it under Developer Portal → Bot and update `token`' },
  4005: { recovery: 'retry', reason: 'Gateway: identified twice' },
  4007: { recovery: 'retry', reason: 'Gateway: invalid resume sequence' },
  4008: { recovery: 'retry', reason: 'Gateway: sending too fast (rate limited)' },
  4009: { recovery: 'retry', reason: 'Gateway: session timed out (Discord ended it)' },
  4010: { recovery: 'fatal', reason: 'Gateway: invalid shard (4010)' },
  4011: { recovery: 'fatal', reason: 'Gateway: this bot is in too many guilds for one shard (4011 sharding required)' },
  4012: { recovery: 'fatal', reason: 'Gateway: invalid API version (4012)' },
  4013: { recovery: 'fatal', reason: 'Gateway: invalid intents (4013)' },
  4014: {
    recovery: 'fatal',
    reason: 'Gateway: disallowed intents (4014): enable "Message Content Intent" under Developer Portal → Bot → Privileged Gateway Intents',
  },
};

/** Codes the client closes with itself (never sent by Discord): discord.js's 4200 when it reconnects to resume (op 7, zombie connection, our own forced resume). */
export const OWN_CLOSE_CODES: Readonly<Record<number, RecoveryRule>> = {
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
  return CLOSE_CODES[code] ?? OWN_CLOSE_CODES[code] ?? { recovery: 'resume', reason: `the Gateway closed the connection (code ${code})` };
}
