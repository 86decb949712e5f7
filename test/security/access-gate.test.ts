import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../helpers/clock.js';
import { makeTempDir } from '../helpers/tmp.js';
import type { EventDraft } from '../../src/bus/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { AccessGate, RATE_NOTICE } from '../../src/security/access-gate.js';
import { accessPolicy } from '../../src/security/access-policy.js';
import { openAccessStore, type AccessStore } from '../../src/security/access-store.js';
import type { AccessConfig } from '../../src/config/fields.js';
import { BUTTON_TTL_MS } from '../../src/security/button-intents.js';

let seq = 0;
function draft(sender: string, conversation: EventDraft['conversation'], extra: Partial<EventDraft> = {}): EventDraft {
  return {
    dedupKey: `tg:${++seq}`, connector: 'tg', platform: 'telegram', kind: 'message', conversation, sender: { id: sender, isBot: false },
    text: 'secret content', provenance: { transport: 'outbound-socket', verified: 'token', sender: 'unknown' }, ...extra,
  };
}
const dm = (id: string) => ({ id, kind: 'dm' as const });

describe('AccessGate', () => {
  const stores: AccessStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });
  function gate(access: Partial<AccessConfig>, clock = manualClock(), dir = ':memory:') {
    const store = openAccessStore(dir, clock);
    stores.push(store);
    const replies: { conversation: string; text: string }[] = [];
    const g = new AccessGate({
      connector: 'tg', policy: accessPolicy(access), store, clock, log: silentLogger(),
      reply: async (conversation, text) => void replies.push({ conversation, text }),
    });
    return { g, store, replies, clock };
  }

  it('a stranger gets one code by reply, nothing passes, further messages get silence; approval lets them in as paired', () => {
    const { g, store, replies } = gate({});
    expect(g.admit(draft('u1', dm('c1')))).toEqual({ pass: false, reason: 'dm-not-paired' });
    expect(g.admit(draft('u1', dm('c1')))).toEqual({ pass: false, reason: 'dm-not-paired' });
    expect(replies).toHaveLength(1);
    const code = store.pairing.pending()[0]!.code;
    expect(replies[0]).toEqual({ conversation: 'c1', text: expect.stringContaining(`switchboard pair approve ${code}`) });
    store.pairing.approve(code);
    const admitted = g.admit(draft('u1', dm('c1')));
    expect(admitted).toMatchObject({ pass: true, draft: { provenance: { sender: 'paired' }, text: 'secret content' } });
  });

  it('a reaction or an edit from a stranger earns no code', () => {
    const { g, replies, store } = gate({});
    expect(g.admit(draft('u1', dm('c1'), { kind: 'reaction' }))).toEqual({ pass: false, reason: 'dm-not-paired' });
    expect(g.admit(draft('u1', dm('c1'), { kind: 'edit' }))).toEqual({ pass: false, reason: 'dm-not-paired' });
    expect(replies).toEqual([]);
    expect(store.pairing.pending()).toEqual([]);
  });

  it('sets provenance.sender for owners and allowed users', () => {
    const { g } = gate({ owners: ['me'], allowed: ['friend'] });
    expect(g.admit(draft('me', dm('c1')))).toMatchObject({ pass: true, draft: { provenance: { sender: 'owner' } } });
    expect(g.admit(draft('friend', dm('c2')))).toMatchObject({ pass: true, draft: { provenance: { sender: 'allowed' } } });
  });

  it('rate-limits senders with one notice, owners exempt', () => {
    const { g, replies, clock } = gate({ dm: 'open', owners: ['me'], rate_limit: 2 });
    expect([1, 2, 3, 4].map(() => g.admit(draft('u1', dm('c1'))).pass)).toEqual([true, true, false, false]);
    expect(g.admit(draft('u1', dm('c1')))).toEqual({ pass: false, reason: 'rate-limited' });
    expect(replies).toEqual([{ conversation: 'c1', text: RATE_NOTICE }]);
    for (let i = 0; i < 50; i++) expect(g.admit(draft('me', dm('c0'))).pass).toBe(true);
    clock.advance(60_000);
    expect(g.admit(draft('u1', dm('c1'))).pass).toBe(true);
  });

  it('a press on restricted buttons passes only for the users they were issued to; others are refused', () => {
    const { g, store, clock } = gate({ groups: ['g1'], owners: ['me'] });
    const group = { id: 'g1', kind: 'group' as const };
    store.intents.record('tg', 'g1', ['77'], [{ id: 'ok', label: 'OK' }], ['bob']);
    store.intents.record('tg', 'g1', ['78'], [{ id: 'ok', label: 'OK' }]);
    const press = (who: string, messageId: string, conversation: EventDraft['conversation'] = group) =>
      g.admit(draft(who, conversation, { kind: 'action', messageId, action: { id: 'ok' } }));
    expect(press('bob', '77').pass).toBe(true);
    expect(press('eve', '77')).toEqual({ pass: false, reason: 'button-not-issued-to-sender' });
    expect(press('me', '77')).toEqual({ pass: false, reason: 'button-not-issued-to-sender' });
    // Unrestricted buttons: whoever may reach the agent.
    expect(press('eve', '78').pass).toBe(true);
    // The same message id in another conversation is another message (ids are per chat on Telegram).
    const g2 = { id: 'g2', kind: 'group' as const };
    expect(press('me', '77', g2).pass).toBe(true);
    // A press arriving in a thread of the conversation the buttons were sent to.
    expect(press('eve', '77', { id: 'g1:5', kind: 'thread', parentId: 'g1' })).toEqual({ pass: false, reason: 'button-not-issued-to-sender' });
    clock.advance(BUTTON_TTL_MS);
    expect(press('bob', '77')).toEqual({ pass: false, reason: 'button-expired' });
  });

  it('a thread inside a DM is judged by the DM rules (the DM remembered across a reopen); other threads by their group', () => {
    const tmp = makeTempDir();
    const first = gate({ allowed: ['friend'] }, manualClock(), tmp.dir);
    const thread = { id: 'D1:100.1', kind: 'thread' as const, parentId: 'D1' };
    // Before the DM itself was seen, its thread looks like any thread of an unlisted channel.
    expect(first.g.admit(draft('friend', thread))).toEqual({ pass: false, reason: 'group-not-allowed' });
    expect(first.g.admit(draft('friend', dm('D1'))).pass).toBe(true);
    expect(first.g.admit(draft('friend', thread))).toMatchObject({ pass: true, draft: { conversation: thread, provenance: { sender: 'allowed' } } });
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);
    const again = gate({}, manualClock(), tmp.dir);
    expect(again.g.admit(draft('stranger', thread))).toEqual({ pass: false, reason: 'dm-not-paired' });
    expect(again.replies).toEqual([{ conversation: 'D1:100.1', text: expect.stringContaining('switchboard pair approve') }]);
    expect(again.g.admit(draft('friend', { id: 'C9:1.1', kind: 'thread', parentId: 'C9' }))).toEqual({ pass: false, reason: 'group-not-allowed' });
    again.store.close();
    stores.splice(stores.indexOf(again.store), 1);
    tmp.cleanup();
  });

  it("strangers' refused DMs add no rows to access.db; their threads are still judged as DMs in this run", () => {
    const tmp = makeTempDir();
    const { g, store } = gate({ groups: ['*'], allowed: ['friend'] }, manualClock(), tmp.dir);
    const rows = () => {
      const db = new Database(join(tmp.dir, 'access.db'), { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM dm_conversations').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    for (let i = 0; i < 200; i++) expect(g.admit(draft(`attacker${i}`, dm(`D${i}`))).pass).toBe(false);
    expect(rows()).toBe(0);
    // Groups are open (`*`), yet a thread in a stranger's refused DM is judged by the DM rules.
    expect(g.admit(draft('attacker7', { id: 'D7:1.1', kind: 'thread', parentId: 'D7' }))).toEqual({ pass: false, reason: 'dm-not-paired' });
    expect(g.admit(draft('friend', dm('F1'))).pass).toBe(true);
    expect(rows()).toBe(1);
    store.close();
    stores.splice(stores.indexOf(store), 1);
    tmp.cleanup();
  });

  it('logs refusals without content: the first of a kind at info, repeats at debug', () => {
    const lines: { level: number; msg: string; reason?: string }[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const store = openAccessStore(':memory:', manualClock());
    stores.push(store);
    const g = new AccessGate({ connector: 'tg', policy: accessPolicy({}), store, clock: manualClock(), log, reply: async () => undefined });
    for (let i = 0; i < 3; i++) g.admit(draft('u1', { id: 'g9', kind: 'group' }));
    g.admit(draft('u2', dm('d2')));
    g.admit(draft('u2', dm('d2')));
    expect(lines.map((l) => [l.level, l.reason])).toEqual([[30, 'group-not-allowed'], [20, 'group-not-allowed'], [20, 'group-not-allowed'], [30, 'dm-not-paired'], [20, 'dm-not-paired']]);
    expect(lines[3]!.msg).toContain('a pairing code was sent');
    expect(lines[4]!.msg).toContain('already pending');
    for (const l of lines) expect(JSON.stringify(l)).not.toContain('secret content');
  });

  it('refuses groups that are not listed, without a reply', () => {
    const { g, replies } = gate({ groups: ['g1'] });
    expect(g.admit(draft('u1', { id: 'g2', kind: 'group' }))).toEqual({ pass: false, reason: 'group-not-allowed' });
    expect(replies).toEqual([]);
  });
});
