import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../helpers/clock.js';
import { openAccessStore, type AccessStore } from '../../src/security/access-store.js';
import { CODE_ALPHABET, CODE_LENGTH, CODE_TTL_MS, newPairingCode } from '../../src/security/pairing.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('PairingStore', () => {
  const open: AccessStore[] = [];
  const temps: (() => void)[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    for (const c of temps.splice(0)) c();
  });
  const store = (dir = ':memory:', clock = manualClock()) => {
    const s = openAccessStore(dir, clock);
    open.push(s);
    return { s, clock };
  };

  it('codes are 8 symbols from the unambiguous alphabet, and differ', () => {
    const codes = new Set(Array.from({ length: 200 }, newPairingCode));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(c).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('issues one code per sender; no new code while it is pending', () => {
    const { s } = store();
    const first = s.pairing.request('tg', { id: 'u1', name: 'ada' }, 'c1');
    expect(first.status).toBe('issued');
    expect(s.pairing.request('tg', { id: 'u1' }, 'c1')).toEqual({ status: 'pending' });
    expect(s.pairing.pending()).toMatchObject([{ connector: 'tg', userId: 'u1', userName: 'ada', conversation: 'c1' }]);
    expect(s.pairing.isPaired('tg', 'u1')).toBe(false);
  });

  it('caps pending codes at three per connector; other connectors are separate', () => {
    const { s } = store();
    for (const u of ['a', 'b', 'c']) expect(s.pairing.request('tg', { id: u }, u).status).toBe('issued');
    expect(s.pairing.request('tg', { id: 'd' }, 'd')).toEqual({ status: 'full' });
    expect(s.pairing.request('other', { id: 'd' }, 'd').status).toBe('issued');
  });

  it('a code expires after an hour: approve refuses it, and the sender may get a new one', () => {
    const { s, clock } = store();
    const r = s.pairing.request('tg', { id: 'u1' }, 'c1');
    if (r.status !== 'issued') throw new Error('expected a code');
    clock.advance(CODE_TTL_MS);
    expect(s.pairing.pending()).toEqual([]);
    expect(s.pairing.approve(r.code)).toMatchObject({ status: 'expired', pairing: { userId: 'u1' } });
    expect(s.pairing.isPaired('tg', 'u1')).toBe(false);
    const again = s.pairing.request('tg', { id: 'u1' }, 'c1');
    expect(again.status).toBe('issued');
    // Expired codes no longer count toward the cap.
    clock.advance(CODE_TTL_MS);
    for (const u of ['a', 'b', 'c']) expect(s.pairing.request('tg', { id: u }, u).status).toBe('issued');
  });

  it('approve pairs the sender (case-insensitive code, used once); unknown codes approve no one', () => {
    const { s } = store();
    const r = s.pairing.request('tg', { id: 'u1', name: 'ada' }, 'c1');
    if (r.status !== 'issued') throw new Error('expected a code');
    expect(s.pairing.approve('NOPE2345')).toEqual({ status: 'unknown' });
    expect(s.pairing.approve(r.code.toLowerCase())).toMatchObject({ status: 'approved', pairing: { connector: 'tg', userId: 'u1', userName: 'ada' } });
    expect(s.pairing.approve(r.code)).toEqual({ status: 'unknown' });
    expect(s.pairing.isPaired('tg', 'u1')).toBe(true);
    expect(s.pairing.isPaired('other', 'u1')).toBe(false);
    expect(s.pairing.pending()).toEqual([]);
  });

  it('an approval survives closing and reopening the database; revoke removes it', () => {
    const tmp = makeTempDir();
    temps.push(tmp.cleanup);
    const clock = manualClock();
    const first = openAccessStore(tmp.dir, clock);
    const r = first.pairing.request('tg', { id: 'u1' }, 'c1');
    if (r.status !== 'issued') throw new Error('expected a code');
    first.pairing.approve(r.code);
    first.pairing.request('tg', { id: 'u2' }, 'c2');
    first.close();
    const { s } = store(tmp.dir, clock);
    expect(s.pairing.isPaired('tg', 'u1')).toBe(true);
    expect(s.pairing.approved()).toMatchObject([{ connector: 'tg', userId: 'u1' }]);
    expect(s.pairing.pending()).toMatchObject([{ userId: 'u2' }]);
    expect(s.pairing.revoke('u1', 'elsewhere')).toEqual([]);
    expect(s.pairing.revoke('u1')).toMatchObject([{ connector: 'tg', userId: 'u1' }]);
    expect(s.pairing.isPaired('tg', 'u1')).toBe(false);
    expect(s.pairing.revoke('u2', 'tg')).toEqual([]);
    expect(s.pairing.pending()).toEqual([]);
  });
});
