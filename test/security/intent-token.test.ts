/** Signed intent tokens: round trip, forgery, expiry, user binding, strict parsing; and the key file that keeps them valid across restarts. */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TOKEN_LENGTH, signIntent, verifyIntent, type IntentClaims } from '../../src/security/intent-token.js';
import { loadOrCreateKey } from '../../src/security/key-file.js';
import { makeTempDir } from '../helpers/tmp.js';

const key = randomBytes(32);
const claims: IntentClaims = { intentId: 'int1', actionId: 'approve', issuedAt: 1_000, expiresAt: 61_000, allowedUsers: ['u1', 'u2'] };

describe('intent tokens', () => {
  const token = signIntent(key, claims);

  it('verifies what it signed, for an allowed user, before expiry', () => {
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyIntent(key, token, { now: 2_000, userId: 'u2' })).toEqual({ ok: true, claims });
    expect(verifyIntent(key, token, { now: 2_000 })).toEqual({ ok: true, claims });
  });

  it('refuses another key, a changed claim and a changed MAC as bad-token', () => {
    expect(verifyIntent(randomBytes(32), token, { now: 2_000 })).toEqual({ ok: false, reason: 'bad-token' });
    const [, body, sig] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ i: 'int1', a: 'approve', t: 1000, e: 9e12, u: [] })).toString('base64url');
    expect(verifyIntent(key, `v1.${forged}.${sig}`, { now: 2_000 })).toEqual({ ok: false, reason: 'bad-token' });
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    expect(verifyIntent(key, `v1.${body}.${flipped}`, { now: 2_000 })).toEqual({ ok: false, reason: 'bad-token' });
  });

  it('refuses at and after expiry, and a user not in the list', () => {
    expect(verifyIntent(key, token, { now: 61_000, userId: 'u1' })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyIntent(key, token, { now: 2_000, userId: 'intruder' })).toEqual({ ok: false, reason: 'user-not-allowed' });
  });

  it('carries a signed value', () => {
    const valued = signIntent(key, { ...claims, value: 'yes please' });
    expect(verifyIntent(key, valued, { now: 2_000, userId: 'u1' })).toEqual({ ok: true, claims: { ...claims, value: 'yes please' } });
  });

  it('lets anyone press when the allowed list is empty', () => {
    const open = signIntent(key, { ...claims, allowedUsers: [] });
    expect(verifyIntent(key, open, { now: 2_000, userId: 'anyone' }).ok).toBe(true);
  });

  it('refuses malformed input without throwing', () => {
    const [, body, sig] = token.split('.') as [string, string, string];
    for (const bad of [undefined, 42, '', 'v1', `v2.${body}.${sig}`, `v1.${body}`, `v1.${body}.${sig}=`, `v1.${body}=.${sig}`, `v1.${body}.${sig}.x`, ` ${token}`, 'v1.' + 'A'.repeat(MAX_TOKEN_LENGTH) + '.' + sig]) {
      expect(verifyIntent(key, bad, { now: 2_000 })).toEqual({ ok: false, reason: 'malformed' });
    }
    // A non-canonical last character (stray low bits) decodes to the same bytes; refused all the same.
    const last = sig[42]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[(alphabet.indexOf(last) & ~3) + ((alphabet.indexOf(last) & 3) === 0 ? 1 : 0)]!;
    expect(verifyIntent(key, `v1.${body}.${sig.slice(0, 42)}${sibling}`, { now: 2_000 })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a correctly signed token whose claims are not the exact shape', () => {
    const body = Buffer.from(JSON.stringify({ i: 'x', a: 'y', t: 1, e: 9e12, u: [], extra: 1 })).toString('base64url');
    const sig = createHmac('sha256', key).update('v1.').update(body).digest('base64url');
    expect(verifyIntent(key, `v1.${body}.${sig}`, { now: 2_000 })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a key of the wrong size', () => {
    expect(() => signIntent(randomBytes(16), claims)).toThrow(/32 bytes/);
  });
});

describe('key file', () => {
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => tmp?.cleanup());

  it('creates a 0600 key once and returns the same key after', async () => {
    tmp = makeTempDir('sb-key-');
    const file = join(tmp.dir, 'mm', 'a.key');
    const first = await loadOrCreateKey(file);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateKey(file)).equals(first)).toBe(true);
  });

  it('refuses a key file readable by others, and one that holds no key', async () => {
    tmp = makeTempDir('sb-key-');
    const file = join(tmp.dir, 'a.key');
    await loadOrCreateKey(file);
    chmodSync(file, 0o644);
    await expect(loadOrCreateKey(file)).rejects.toThrow(/chmod 600/);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    await expect(loadOrCreateKey(file)).rejects.toThrow(/does not hold/);
  });
});
