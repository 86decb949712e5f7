import { describe, expect, it } from 'vitest';
import { DISCORD_TEXT_LIMIT, planOutbound } from '../../connectors/discord/outbound.js';

const base = { connector: 'dc', conversation: '1187350000000000010' };

describe('discord outbound plan', () => {
  it('send splits at 2000 on line boundaries; reply references only the first part', () => {
    const line = 'x'.repeat(999);
    const text = [line, line, line, line, line].join('\n');
    const calls = planOutbound({ ...base, type: 'reply', replyTo: '1235813213455000001', text });
    expect(calls.map((c) => (c.body!.content as string).length)).toEqual([1999, 1999, 999]);
    expect(calls.every((c) => c.route === '/channels/1187350000000000010/messages' && c.method === 'post')).toBe(true);
    expect(calls[0]!.body!.message_reference).toEqual({ message_id: '1235813213455000001', fail_if_not_exists: false });
    expect(calls[1]!.body!.message_reference).toBeUndefined();
    expect(calls.every((c) => (c.body!.content as string).length <= DISCORD_TEXT_LIMIT)).toBe(true);
  });

  it('a thread is the channel messages go to; mentions are limited to users', () => {
    const [call] = planOutbound({ ...base, thread: '1187350000000000020', type: 'send', text: '@everyone done' });
    expect(call!.route).toBe('/channels/1187350000000000020/messages');
    expect(call!.body!.allowed_mentions).toEqual({ parse: ['users'] });
  });

  it('buttons: rows of five, custom_id id:value, on the last part', () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ id: `b${i}`, label: `B${i}`, ...(i === 0 ? { value: 'v', style: 'danger' as const } : {}) }));
    const [call] = planOutbound({ ...base, type: 'buttons', text: 'pick', buttons });
    const rows = call!.body!.components as { type: number; components: { custom_id: string; style: number }[] }[];
    expect(rows.map((r) => r.components.length)).toEqual([5, 2]);
    expect(rows[0]!.components[0]).toEqual({ type: 2, style: 4, label: 'B0', custom_id: 'b0:v' });
    expect(rows[1]!.components[1]!.style).toBe(2);
  });

  it('refuses what Discord would refuse, naming the fix', () => {
    expect(() => planOutbound({ ...base, type: 'buttons', text: 't', buttons: [{ id: 'a', label: 'A', value: 'v'.repeat(100) }] })).toThrow(/shorten the value/);
    expect(() => planOutbound({ ...base, type: 'buttons', text: 't', buttons: [{ id: 'a:b', label: 'A' }] })).toThrow(/contains ":"/);
    expect(() => planOutbound({ ...base, type: 'buttons', text: 't', buttons: Array.from({ length: 26 }, (_, i) => ({ id: `${i}`, label: 'x' })) })).toThrow(/at most 25/);
    expect(() => planOutbound({ ...base, conversation: '../../guilds/1', type: 'send', text: 'x' })).toThrow(/not a Discord id/);
    expect(() => planOutbound({ ...base, type: 'edit', messageId: 'abc', text: 'x' })).toThrow(/messageId/);
    expect(() => planOutbound({ ...base, type: 'send', text: '  ' })).toThrow(/non-empty text/);
  });

  it('an over-long edit is cut to 2000 with "…", never between the halves of an emoji', () => {
    // '😀' is two UTF-16 units; 1998 + 2 puts the emoji across the 1999th unit, where the cut falls.
    const text = `${'a'.repeat(1998)}😀${'b'.repeat(100)}`;
    const [edit] = planOutbound({ ...base, type: 'edit', messageId: '42', text });
    const content = edit!.body!.content as string;
    expect(content).toBe(`${'a'.repeat(1998)}…`);
    expect(content.length).toBeLessThanOrEqual(DISCORD_TEXT_LIMIT);
    expect(content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // An emoji that fits whole is kept whole; text within the limit is untouched.
    const fits = `${'a'.repeat(1997)}😀${'b'.repeat(100)}`;
    expect(planOutbound({ ...base, type: 'edit', messageId: '42', text: fits })[0]!.body!.content).toBe(`${'a'.repeat(1997)}😀…`);
    expect(planOutbound({ ...base, type: 'edit', messageId: '42', text: '😀'.repeat(1000) })[0]!.body!.content).toBe('😀'.repeat(1000));
  });

  it('edit, react (unicode and custom), typing', () => {
    const [edit] = planOutbound({ ...base, type: 'edit', messageId: '42', text: 'y'.repeat(2500) });
    expect(edit).toMatchObject({ method: 'patch', route: '/channels/1187350000000000010/messages/42' });
    expect((edit!.body!.content as string).length).toBe(2000);
    expect(planOutbound({ ...base, type: 'react', messageId: '42', emoji: '👍' })[0]!.route).toBe(`/channels/1187350000000000010/messages/42/reactions/${encodeURIComponent('👍')}/@me`);
    expect(planOutbound({ ...base, type: 'react', messageId: '42', emoji: '<:party:112233>' })[0]!.route).toContain('/reactions/party%3A112233/@me');
    expect(planOutbound({ ...base, type: 'typing' })[0]).toEqual({ method: 'post', route: '/channels/1187350000000000010/typing', yieldsMessage: false });
  });
});
