/**
 * HMAC-SHA256 signatures carried as base64 in one header: base64(HMAC-SHA256(secret as UTF-8, raw
 * body)), as LINE sends them (its header name is the connector's business). Checked strictly: only the canonical
 * 44-character encoding of a 32-byte digest is accepted (the SDK's `validateSignature` decodes
 * leniently; we do not), compared in constant time. Rotation: the current secret, plus a previous
 * one until its deadline on the injected clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

/** A secret value: a plain string or anything that reveals one (a config `Secret`). */
export type SecretValue = string | { reveal(): string };

/** The secrets a verifier accepts: `current` always, `previous` only before `until` (epoch ms). */
export interface RotatingSecrets {
  current: SecretValue;
  previous?: { secret: SecretValue; until: number };
}

/** Why a signature was refused; the reason is logged and counted, never sent to the caller. */
export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing-signature' | 'bad-signature' };

/** Verifies one signature header value against a raw body. */
export type SignatureVerifier = (rawBody: Buffer, header: string | readonly string[] | undefined) => SignatureVerdict;

/** Exactly 43 base64 characters and one `=`: the only length a SHA-256 digest encodes to. */
const CANONICAL_SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const DIGEST_BYTES = 32;

/** The digest bytes of a canonical base64 SHA-256 signature, or `undefined` for any other spelling. */
export function decodeCanonicalBase64Digest(text: string): Buffer | undefined {
  if (!CANONICAL_SHA256_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Node ignores non-zero trailing bits; re-encoding shows whether the last character was canonical.
  if (bytes.length !== DIGEST_BYTES || bytes.toString('base64') !== text) return undefined;
  return bytes;
}

/** base64(HMAC-SHA256(secret UTF-8, body)): what a sender of this scheme puts in its header. */
export function signHmacBase64(secret: SecretValue, body: Buffer | string): string {
  return hmac(reveal(secret), body).toString('base64');
}

/**
 * A verifier for the base64 HMAC-SHA256 scheme with rotation. Every active secret is tried, all of
 * them every time (no early exit), each with `timingSafeEqual` over two 32-byte digests.
 */
export function hmacBase64Verifier(options: { secrets: RotatingSecrets; clock: Clock }): SignatureVerifier {
  const { secrets, clock } = options;
  return function verifyHmacBase64(rawBody, header) {
    if (header === undefined || (typeof header !== 'string' && header.length === 0) || header === '') return { ok: false, reason: 'missing-signature' };
    // Two signature headers are never canonical: Node joins repeats with ", ", and an array is refused.
    if (typeof header !== 'string') return { ok: false, reason: 'bad-signature' };
    const given = decodeCanonicalBase64Digest(header);
    if (!given) return { ok: false, reason: 'bad-signature' };
    const keys = [reveal(secrets.current)];
    if (secrets.previous && clock.now() < secrets.previous.until) keys.push(reveal(secrets.previous.secret));
    let match = false;
    for (const key of keys) match = timingSafeEqual(hmac(key, rawBody), given) || match;
    return match ? { ok: true } : { ok: false, reason: 'bad-signature' };
  };
}

function hmac(key: string, body: Buffer | string): Buffer {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(body).digest();
}

function reveal(secret: SecretValue): string {
  return typeof secret === 'string' ? secret : secret.reveal();
}
