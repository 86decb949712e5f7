/**
 * LINE's webhook signature: base64(HMAC-SHA256(channel secret, raw body)) in `X-Line-Signature`. The
 * scheme itself is the core's generic verifier (src/security/hmac-base64.ts); only the header is LINE's.
 * Light on purpose (no SDK), so the emulator and the benchmarks can import it.
 */

/** LINE's signature header as Node presents it (lower-cased). */
export const LINE_SIGNATURE_HEADER = 'x-line-signature';
