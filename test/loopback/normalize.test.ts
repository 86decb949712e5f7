import { describe, expect, it } from 'vitest';
import { normalizeUpdate } from '../../connectors/loopback/normalize.js';
import type { LoopbackUpdate } from '../../connectors/loopback/wire.js';

const chat = { id: 'g1', type: 'group' as const, title: 'Team' };
const from = { id: 'u7', name: 'Grace' };

describe('loopback normalizeUpdate', () => {
  it('a text message', () => {
    const u: LoopbackUpdate = { type: 'message', id: 'm1', chat, from, text: 'hi', date: 0 };
    expect(normalizeUpdate('lb', u)).toEqual({
      dedupKey: 'lb:m1', connector: 'lb', platform: 'loopback', kind: 'message', messageId: 'm1', text: 'hi',
      conversation: { id: 'g1', kind: 'group', title: 'Team' }, sender: { id: 'u7', name: 'Grace', isBot: false },
      platformTime: '1970-01-01T00:00:00.000Z',
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
    });
  });
  it('a command, a reply in a thread', () => {
    const u: LoopbackUpdate = { type: 'message', id: 'm2', chat, from, text: '/deploy prod', reply_to: 'm1', thread: 't9', date: 0 };
    expect(normalizeUpdate('lb', u)).toMatchObject({ kind: 'command', replyTo: 'm1', conversation: { id: 't9', kind: 'thread', parentId: 'g1' } });
  });
  it('an edit and a button press point at their message', () => {
    expect(normalizeUpdate('lb', { type: 'edit', id: 'e1', message_id: 'm1', chat, from, text: 'fixed', date: 0 })).toMatchObject({ kind: 'edit', messageId: 'm1', text: 'fixed', dedupKey: 'lb:e1' });
    expect(normalizeUpdate('lb', { type: 'button', id: 'b1', message_id: 'm5', chat, from: { id: 'bot2', bot: true }, action: 'approve', value: 'yes', date: 0 })).toMatchObject({
      kind: 'action', messageId: 'm5', action: { id: 'approve', value: 'yes' }, sender: { id: 'bot2', isBot: true },
    });
  });
});
