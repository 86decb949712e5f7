import { describe, expect, it } from 'vitest';
import { conversationId, normalizeEvent, normalizeInteractive, normalizeSlashCommand, parseConversation, type EventCallback } from '../../connectors/slack/normalize.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import type { EventDraft } from '../../src/bus/types.js';

const BOT = { userId: 'U0BOT', botId: 'B0BOT' };
const cb = (event: Record<string, unknown>, event_id = 'Ev0001'): EventCallback => ({ type: 'event_callback', event_id, event: event as unknown as EventCallback['event'] });

/** A draft must become a valid bus event once the journal fills in id / receivedAt / correlationId. */
function valid(d: EventDraft | undefined): EventDraft {
  expect(d).toBeDefined();
  inboundEventSchema.parse({ ...d, id: '0000000001', receivedAt: new Date().toISOString(), correlationId: 'c1' });
  return d!;
}

describe('slack normalize: messages', () => {
  it('a channel message: event_id dedup key, channel conversation, ts as messageId, socket-auth provenance', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'U1', text: 'hi', ts: '1700000000.000100' }), BOT));
    expect(d).toMatchObject({
      dedupKey: 'sl:Ev0001', platform: 'slack', kind: 'message', text: 'hi', messageId: '1700000000.000100',
      conversation: { id: 'C1', kind: 'channel' }, sender: { id: 'U1', isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
      platformTime: '2023-11-14T22:13:20.000Z',
    });
  });

  it('a thread reply: thread_ts → thread conversation under the channel, replyTo the parent', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'message', channel: 'C1', user: 'U1', text: 'in thread', ts: '1700000001.000200', thread_ts: '1700000000.000100' }), BOT));
    expect(d.conversation).toEqual({ id: 'C1:1700000000.000100', kind: 'thread', parentId: 'C1' });
    expect(d.replyTo).toBe('1700000000.000100');
  });

  it('a thread parent (thread_ts === ts) stays in the channel', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'message', channel: 'C1', user: 'U1', text: 'parent', ts: '1.000001', thread_ts: '1.000001' }), BOT));
    expect(d.conversation).toEqual({ id: 'C1', kind: 'channel' });
    expect(d.replyTo).toBeUndefined();
  });

  it('DMs and group DMs', () => {
    expect(valid(normalizeEvent('sl', cb({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'dm', ts: '1.1' }), BOT)).conversation.kind).toBe('dm');
    expect(valid(normalizeEvent('sl', cb({ type: 'message', channel: 'G1', channel_type: 'mpim', user: 'U1', text: 'g', ts: '1.1' }), BOT)).conversation.kind).toBe('group');
  });

  it('an app mention is a message', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'app_mention', channel: 'C1', user: 'U1', text: '<@U0BOT> help', ts: '1.2' }), BOT));
    expect(d).toMatchObject({ kind: 'message', text: '<@U0BOT> help' });
  });

  it('ignores its own messages (by bot_id or user id) and service subtypes', () => {
    expect(normalizeEvent('sl', cb({ type: 'message', channel: 'C1', user: 'U0BOT', bot_id: 'B0BOT', text: 'me', ts: '1.1' }), BOT)).toBeUndefined();
    expect(normalizeEvent('sl', cb({ type: 'message', channel: 'C1', bot_id: 'B0BOT', subtype: 'bot_message', text: 'me', ts: '1.1' }), BOT)).toBeUndefined();
    expect(normalizeEvent('sl', cb({ type: 'message', subtype: 'channel_join', channel: 'C1', user: 'U1', ts: '1.1' }), BOT)).toBeUndefined();
  });

  it('another bot is kept, marked isBot', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'message', channel: 'C1', user: 'U9', bot_id: 'B9', text: 'other bot', ts: '1.1' }), BOT));
    expect(d.sender).toEqual({ id: 'U9', isBot: true });
  });

  it('files become attachments', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'message', subtype: 'file_share', channel: 'C1', user: 'U1', text: '', ts: '1.1', files: [{ id: 'F1', name: 'a.png', size: 10, mimetype: 'image/png' }] }), BOT));
    expect(d.attachments).toEqual([{ kind: 'image/png', ref: 'F1', name: 'a.png', size: 10 }]);
  });
});

describe('slack normalize: edits, deletes, reactions', () => {
  it('message_changed → edit of the original ts with the new text', () => {
    const d = valid(normalizeEvent('sl', cb({
      type: 'message', subtype: 'message_changed', channel: 'C1', ts: '2.0', event_ts: '2.0',
      message: { type: 'message', user: 'U1', text: 'fixed', ts: '1.5' }, previous_message: { type: 'message', user: 'U1', text: 'fxied', ts: '1.5' },
    }, 'Ev2'), BOT));
    expect(d).toMatchObject({ dedupKey: 'sl:Ev2', kind: 'edit', messageId: '1.5', text: 'fixed', sender: { id: 'U1' } });
  });

  it('an unfurl (same text) and an edit of its own message are ignored', () => {
    const same = { type: 'message', subtype: 'message_changed', channel: 'C1', ts: '2.0', message: { user: 'U1', text: 'x', ts: '1.5' }, previous_message: { user: 'U1', text: 'x', ts: '1.5' } };
    expect(normalizeEvent('sl', cb(same), BOT)).toBeUndefined();
    const own = { ...same, message: { user: 'U0BOT', bot_id: 'B0BOT', text: 'y', ts: '1.5' } };
    expect(normalizeEvent('sl', cb(own), BOT)).toBeUndefined();
  });

  it('message_deleted → delete of deleted_ts', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'message', subtype: 'message_deleted', channel: 'C1', ts: '3.0', deleted_ts: '1.5', previous_message: { user: 'U1', text: 'gone', ts: '1.5' } }), BOT));
    expect(d).toMatchObject({ kind: 'delete', messageId: '1.5', sender: { id: 'U1' }, conversation: { id: 'C1' } });
  });

  it('reaction_added → reaction with the emoji name', () => {
    const d = valid(normalizeEvent('sl', cb({ type: 'reaction_added', user: 'U1', reaction: 'thumbsup', item: { type: 'message', channel: 'C1', ts: '1.5' }, event_ts: '4.0' }), BOT));
    expect(d).toMatchObject({ kind: 'reaction', text: 'thumbsup', messageId: '1.5' });
  });

  it('unknown event types are skipped', () => {
    expect(normalizeEvent('sl', cb({ type: 'team_join', user: { id: 'U1' } }), BOT)).toBeUndefined();
  });
});

describe('slack normalize: interactive and slash commands', () => {
  const press = {
    type: 'block_actions', user: { id: 'U1', username: 'ann', name: 'ann' }, trigger_id: 't1',
    channel: { id: 'C1', name: 'general' }, container: { message_ts: '1.5', channel_id: 'C1' }, message: { ts: '1.5' },
    actions: [{ action_id: 'approve', value: 'yes', action_ts: '1700000005.123456' }],
  };

  it('a button press → action keyed by action_ts and presser', () => {
    const d = valid(normalizeInteractive('sl', press));
    expect(d).toMatchObject({ kind: 'action', dedupKey: 'sl:act:1700000005.123456:U1', action: { id: 'approve', value: 'yes' }, messageId: '1.5', conversation: { id: 'C1', kind: 'channel' }, sender: { id: 'U1', username: 'ann' } });
  });

  it('a press on a threaded message lands in the thread', () => {
    const d = valid(normalizeInteractive('sl', { ...press, message: { ts: '1.6', thread_ts: '1.5' } }));
    expect(d.conversation).toEqual({ id: 'C1:1.5', kind: 'thread', parentId: 'C1' });
  });

  it('other interactive payloads are skipped', () => {
    expect(normalizeInteractive('sl', { type: 'view_submission', user: { id: 'U1' } })).toBeUndefined();
  });

  it('a slash command → command with the full text, keyed by trigger_id', () => {
    const d = valid(normalizeSlashCommand('sl', { command: '/deploy', text: 'prod now', user_id: 'U1', user_name: 'ann', channel_id: 'C1', channel_name: 'general', trigger_id: '123.456.abc' }));
    expect(d).toMatchObject({ kind: 'command', text: '/deploy prod now', dedupKey: 'sl:cmd:123.456.abc', conversation: { id: 'C1', kind: 'channel' } });
    expect(normalizeSlashCommand('sl', { command: '/x', user_id: 'U1', channel_id: 'D1', channel_name: 'directmessage', trigger_id: 't' }).conversation.kind).toBe('dm');
  });
});

describe('slack conversation ids', () => {
  it('round-trips channel and thread', () => {
    expect(parseConversation(conversationId('C1', '1.5'))).toEqual({ channel: 'C1', thread_ts: '1.5' });
    expect(parseConversation('C1')).toEqual({ channel: 'C1' });
    expect(parseConversation('C1', '9.9')).toEqual({ channel: 'C1', thread_ts: '9.9' });
  });
});
