/** The strict base64 HMAC-SHA256 scheme, with LINE's published vector: the vector, every lenient spelling refused, rotation by deadline. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCanonicalBase64Digest, hmacBase64Verifier, signHmacBase64 } from '../../src/security/hmac-base64.js';

interface Vector { scheme: string; secret: string; body: string; headers: Record<string, string> }
const vectors = (JSON.parse(readFileSync(new URL('../fixtures/signature-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;
const line = vectors.find((v) => v.scheme === 'line')!;
const fixed = (now: number) => ({ now: () => now });

describe('LINE signature (base64 HMAC-SHA256), strict', () => {
  const verify = hmacBase64Verifier({ secrets: { current: line.secret }, clock: fixed(0) });
  const body = Buffer.from(line.body);
  const good = line.headers['X-Line-Signature']!;

  it('accepts the published vector and signs it identically', () => {
    expect(signHmacBase64(line.secret, line.body)).toBe(good);
    expect(verify(body, good)).toEqual({ ok: true });
  });

  it('refuses a missing header, another body, another secret', () => {
    expect(verify(body, undefined)).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verify(body, '')).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verify(Buffer.from(line.body + ' '), good)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(body, signHmacBase64('other_secret', line.body))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses every lenient spelling of the right digest', () => {
    const digest = Buffer.from(good, 'base64');
    const lenient = [
      good.slice(0, -1), // padding missing
      `${good}=`, // extra padding
      ` ${good}`, `${good} `, `${good}\n`, good.slice(0, 20) + ' ' + good.slice(20), // whitespace
      digest.toString('base64url'), // url-safe alphabet, no padding
      digest.toString('base64url') + '=', // url-safe alphabet, padded
      digest.toString('hex'), // another encoding altogether
      `${good}, ${good}`, // the header twice (Node joins repeats)
    ];
    // The vector has '+' and '/', so the url-safe spellings really differ.
    expect(good).toMatch(/[+/]/);
    for (const header of lenient) expect(verify(body, header), JSON.stringify(header)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(body, [good, good])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a non-canonical last character that decodes to the same bytes', () => {
    // The 43rd character carries 2 unused bits; Node decodes them away, re-encoding reveals them.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = alphabet.indexOf(good[42]!);
    const twin = good.slice(0, 42) + alphabet[last + 1] + '=';
    expect(Buffer.from(twin, 'base64').equals(Buffer.from(good, 'base64'))).toBe(true);
    expect(decodeCanonicalBase64Digest(twin)).toBeUndefined();
    expect(verify(body, twin)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rotation: the previous secret works until its deadline, the current one always', () => {
    const until = Date.parse('2026-12-01T00:00:00Z');
    let now = until - 1;
    const rotating = hmacBase64Verifier({ secrets: { current: 'new_secret', previous: { secret: { reveal: () => 'old_secret' }, until } }, clock: { now: () => now } });
    const byOld = signHmacBase64('old_secret', body);
    const byNew = signHmacBase64('new_secret', body);
    expect(rotating(body, byOld)).toEqual({ ok: true });
    expect(rotating(body, byNew)).toEqual({ ok: true });
    now = until;
    expect(rotating(body, byOld)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(rotating(body, byNew)).toEqual({ ok: true });
  });
});
