import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../src/bus/types.js';
import { accessPolicy, decideAccess } from '../../src/security/access-policy.js';

const dm = { id: 'd1', kind: 'dm' } as const;
const group = { id: 'g1', kind: 'group' } as const;
const from = (id: string) => ({ id, isBot: false });
const at = (conversation: EventDraft['conversation'], sender = 'stranger') => ({ conversation, sender: from(sender) });

describe('decideAccess', () => {
  it('defaults to pairing for DMs and no groups: a stranger is refused and offered a code', () => {
    const p = accessPolicy(undefined);
    expect(decideAccess(p, at(dm), false)).toEqual({ pass: false, reason: 'dm-not-paired', trust: 'unknown', offerPairing: true });
    expect(decideAccess(p, at(group), false)).toEqual({ pass: false, reason: 'group-not-allowed', trust: 'unknown' });
  });

  it('lets owners through everywhere, whatever the DM mode', () => {
    for (const mode of ['pairing', 'allowlist', 'open', 'disabled'] as const) {
      const p = accessPolicy({ dm: mode, owners: ['me'] });
      expect(decideAccess(p, at(dm, 'me'), false)).toEqual({ pass: true, trust: 'owner' });
      expect(decideAccess(p, at({ id: 'unlisted', kind: 'channel' }, 'me'), false)).toEqual({ pass: true, trust: 'owner' });
    }
  });

  it('pairing and allowlist let allowed and paired users in; allowlist offers no code', () => {
    const pairing = accessPolicy({ dm: 'pairing', allowed: ['friend'] });
    expect(decideAccess(pairing, at(dm, 'friend'), false)).toEqual({ pass: true, trust: 'allowed' });
    expect(decideAccess(pairing, at(dm, 'p'), true)).toEqual({ pass: true, trust: 'paired' });
    const allowlist = accessPolicy({ dm: 'allowlist', allowed: ['friend'] });
    expect(decideAccess(allowlist, at(dm, 'friend'), false)).toEqual({ pass: true, trust: 'allowed' });
    expect(decideAccess(allowlist, at(dm, 'p'), true)).toEqual({ pass: true, trust: 'paired' });
    expect(decideAccess(allowlist, at(dm), false)).toEqual({ pass: false, reason: 'dm-not-allowed', trust: 'unknown' });
  });

  it('open lets strangers in as unknown; disabled refuses even allowed users', () => {
    expect(decideAccess(accessPolicy({ dm: 'open' }), at(dm), false)).toEqual({ pass: true, trust: 'unknown' });
    const disabled = accessPolicy({ dm: 'disabled', allowed: ['friend'] });
    expect(decideAccess(disabled, at(dm, 'friend'), false)).toEqual({ pass: false, reason: 'dm-disabled', trust: 'allowed' });
  });

  it('groups: only listed ones; anyone inside passes with their own trust; a thread follows its parent', () => {
    const p = accessPolicy({ groups: ['g1'], allowed: ['friend'] });
    expect(decideAccess(p, at(group), false)).toEqual({ pass: true, trust: 'unknown' });
    expect(decideAccess(p, at(group, 'friend'), false)).toEqual({ pass: true, trust: 'allowed' });
    expect(decideAccess(p, at({ id: 'g1:t9', kind: 'thread', parentId: 'g1' }), false)).toEqual({ pass: true, trust: 'unknown' });
    expect(decideAccess(p, at({ id: 'g2:t9', kind: 'thread', parentId: 'g2' }), false)).toMatchObject({ pass: false, reason: 'group-not-allowed' });
    expect(decideAccess(p, at({ id: 'g2', kind: 'channel' }), true)).toMatchObject({ pass: false, reason: 'group-not-allowed', trust: 'paired' });
  });

  it('"*" allows every group but does not open DMs', () => {
    const p = accessPolicy({ groups: ['*'] });
    expect(decideAccess(p, at({ id: 'any', kind: 'channel' }), false)).toEqual({ pass: true, trust: 'unknown' });
    expect(decideAccess(p, at(dm), false)).toMatchObject({ pass: false, reason: 'dm-not-paired' });
  });
});
