/**
 * Signed intent tokens: Switchboard's own HMAC over a compact claim set, for platforms that call us
 * back without signing the request (Mattermost's button integrations). The token travels through the
 * platform and comes back in the callback; verifying it proves Switchboard issued that button, for
 * those users, and that it has not expired.
 *
 * Format: `v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, "v1." + claims part))>`. Parsing
 * is strict (canonical base64url only, bounded length, exact claim shape), the MAC is compared in
 * constant time before the claims are parsed, and expiry is judged by an injected clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a token asserts. Times are epoch milliseconds. */
export interface IntentClaims {
  /** One id per issued button set (the same for every button in it). */
  intentId: string;
  /** The button this token belongs to. */
  actionId: string;
  issuedAt: number;
  expiresAt: number;
  /** Platform user ids allowed to press; empty = anyone who may reach the agent. */
  allowedUsers: string[];
  /** A value the button carries back (signed, so the platform cannot alter it). */
  value?: string;
}

/** Why a token was refused: counted, never told to the caller. */
export type IntentFailure = 'malformed' | 'bad-token' | 'expired' | 'user-not-allowed';

export type IntentVerdict = { ok: true; claims: IntentClaims } | { ok: false; reason: IntentFailure };

/** Longest token accepted; larger input is refused before any decoding. */
export const MAX_TOKEN_LENGTH = 4096;
const KEY_BYTES = 32;
const PREFIX = 'v1.';
const TOKEN = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

const claimsSchema = z.strictObject({
  i: z.string().min(1).max(128),
  a: z.string().min(1).max(128),
  t: z.int().nonnegative(),
  e: z.int().nonnegative(),
  u: z.array(z.string().min(1).max(128)).max(256),
  v: z.string().max(2048).optional(),
});

/** Sign `claims` with a 32-byte key. Throws on a wrong-sized key or claims that would not verify. */
export function signIntent(key: Buffer, claims: IntentClaims): string {
  checkKey(key);
  const compact = { i: claims.intentId, a: claims.actionId, t: claims.issuedAt, e: claims.expiresAt, u: claims.allowedUsers, ...(claims.value !== undefined ? { v: claims.value } : {}) };
  claimsSchema.parse(compact);
  const body = Buffer.from(JSON.stringify(compact), 'utf8').toString('base64url');
  return `${PREFIX}${body}.${mac(key, body).toString('base64url')}`;
}

/**
 * Check a token: shape, MAC (constant time), claims, expiry against `now`, and — when given — that
 * `userId` may press. Never throws on bad input; the reason is for counting and logs only.
 */
export function verifyIntent(key: Buffer, token: unknown, check: { now: number; userId?: string }): IntentVerdict {
  checkKey(key);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, body, sig] = m as unknown as [string, string, string];
  const given = strictBase64url(sig);
  if (!given || given.length !== 32) return { ok: false, reason: 'malformed' };
  if (!timingSafeEqual(given, mac(key, body))) return { ok: false, reason: 'bad-token' };
  const raw = strictBase64url(body);
  if (!raw) return { ok: false, reason: 'malformed' };
  let parsed: z.infer<typeof claimsSchema>;
  try {
    parsed = claimsSchema.parse(JSON.parse(raw.toString('utf8')));
  } catch {
    // A valid MAC over bad claims: only a key holder could make it; still refused, never trusted.
    return { ok: false, reason: 'malformed' };
  }
  const claims: IntentClaims = {
    intentId: parsed.i, actionId: parsed.a, issuedAt: parsed.t, expiresAt: parsed.e, allowedUsers: parsed.u,
    ...(parsed.v !== undefined ? { value: parsed.v } : {}),
  };
  if (check.now >= claims.expiresAt) return { ok: false, reason: 'expired' };
  if (check.userId !== undefined && claims.allowedUsers.length > 0 && !claims.allowedUsers.includes(check.userId)) {
    return { ok: false, reason: 'user-not-allowed' };
  }
  return { ok: true, claims };
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(PREFIX).update(body).digest();
}

/** Decode base64url only when `text` is its canonical encoding (no padding, no stray bits). */
function strictBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`an intent key is ${KEY_BYTES} bytes; got ${key.length}`);
}
