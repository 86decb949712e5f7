import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../connectors/feishu/normalize.js';
import { inboundEventSchema } from '../../src/bus/event-schema.js';

/** What the dispatcher hands a handler: the v2 envelope flattened. */
function message(msg: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    schema: '2.0',
    event_id: '5e3702a84e847582be8db7fb73283c02',
    event_type: 'im.message.receive_v1',
    create_time: '1608725989000',
    app_id: 'cli_9f5343c580712544',
    tenant_key: '2ca1d211f64f6438',
    sender: { sender_id: { open_id: 'ou_84aad35d084aa403a838cf73ee18467', union_id: 'on_8ed6aa67826108097d9ee143816345', user_id: 'e33ggbyz' }, sender_type: 'user', tenant_key: '736588c9260f175e' },
    message: { message_id: 'om_5ce6d572455d361153b7cb51da133945', create_time: '1609073151345', chat_id: 'oc_5ce6d572455d361153b7xx51da133945', chat_type: 'p2p', message_type: 'text', content: '{"text":"hello"}', ...msg },
    ...extra,
  };
}

const finish = (d: NonNullable<ReturnType<typeof normalizeEvent>>) => inboundEventSchema.parse({ ...d, id: '0000000001', receivedAt: new Date().toISOString(), correlationId: 'c1' });

describe('feishu normalize: im.message.receive_v1', () => {
  it('a p2p text message is a dm, deduplicated on event_id, verified by the socket', () => {
    const d = normalizeEvent('fs', message({}))!;
    expect(finish(d)).toMatchObject({
      dedupKey: 'fs:5e3702a84e847582be8db7fb73283c02',
      platform: 'feishu',
      kind: 'message',
      text: 'hello',
      messageId: 'om_5ce6d572455d361153b7cb51da133945',
      conversation: { id: 'oc_5ce6d572455d361153b7xx51da133945', kind: 'dm' },
      sender: { id: 'ou_84aad35d084aa403a838cf73ee18467', isBot: false },
      provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
      platformTime: new Date(1609073151345).toISOString(),
    });
  });

  it('a group message with mentions shows the names, and a reply keeps its parent', () => {
    const d = normalizeEvent('fs', message({
      chat_type: 'group',
      parent_id: 'om_parent',
      root_id: 'om_parent',
      content: '{"text":"@_user_1 please look, @_user_2"}',
      mentions: [
        { key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'Switchboard', tenant_key: 't' },
        { key: '@_user_2', id: { open_id: 'ou_amy' }, name: 'Amy', tenant_key: 't' },
      ],
    }))!;
    expect(d.conversation).toEqual({ id: 'oc_5ce6d572455d361153b7xx51da133945', kind: 'group' });
    expect(d.text).toBe('@Switchboard please look, @Amy');
    expect(d.replyTo).toBe('om_parent');
  });

  it('a post becomes title + one line per paragraph, with at, links and images', () => {
    const post = {
      title: 'Deploy',
      content: [
        [{ tag: 'text', text: 'ship ' }, { tag: 'a', text: 'this', href: 'https://example.com' }, { tag: 'at', user_id: '@_user_1', user_name: 'Amy' }],
        [{ tag: 'img', image_key: 'img_v2_abc' }],
        [{ tag: 'text', text: 'thanks' }],
      ],
    };
    const d = normalizeEvent('fs', message({ message_type: 'post', content: JSON.stringify(post) }))!;
    expect(d.text).toBe('Deploy\nship this@Amy\n\nthanks');
    expect(d.attachments).toEqual([{ kind: 'photo', ref: 'img_v2_abc' }]);
  });

  it('a locale-wrapped post is read too', () => {
    const d = normalizeEvent('fs', message({ message_type: 'post', content: JSON.stringify({ zh_cn: { title: '', content: [[{ tag: 'text', text: '你好' }]] } }) }))!;
    expect(d.text).toBe('你好');
  });

  it('a /command is a command; a message from an app is from a bot', () => {
    const d = normalizeEvent('fs', message({ content: '{"text":"/status now"}' }, { sender: { sender_id: { open_id: 'ou_app' }, sender_type: 'app' } }))!;
    expect(d.kind).toBe('command');
    expect(d.sender.isBot).toBe(true);
  });

  it('images and files are attachments; unknown types and broken content are skipped', () => {
    expect(normalizeEvent('fs', message({ message_type: 'image', content: '{"image_key":"img_1"}' }))!.attachments).toEqual([{ kind: 'photo', ref: 'img_1' }]);
    expect(normalizeEvent('fs', message({ message_type: 'file', content: '{"file_key":"file_1","file_name":"a.txt"}' }))!.attachments).toEqual([{ kind: 'file', ref: 'file_1', name: 'a.txt' }]);
    expect(normalizeEvent('fs', message({ message_type: 'sticker', content: '{"file_key":"x"}' }))).toBeUndefined();
    expect(normalizeEvent('fs', message({ message_type: 'post', content: 'not json' }))).toBeUndefined();
    expect(normalizeEvent('fs', { event_type: 'im.chat.member.bot.added_v1', event_id: 'e' })).toBeUndefined();
  });
});

describe('feishu normalize: card.action.trigger', () => {
  const press = (value: unknown, action: Record<string, unknown> = {}) => ({
    schema: '2.0',
    event_id: 'f7984f25108f8137722bb63cee927e66',
    event_type: 'card.action.trigger',
    create_time: '1700000000000',
    operator: { tenant_key: 't', open_id: 'ou_presser', user_id: 'u1' },
    token: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d337bc8',
    action: { value, tag: 'button', ...action },
    host: 'im_message',
    context: { open_message_id: 'om_card', open_chat_id: 'oc_chat' },
  });

  it('a switchboard button gives back its id and value', () => {
    const d = normalizeEvent('fs', press({ sb: 'approve', v: 'pr-42' }))!;
    expect(finish(d)).toMatchObject({ kind: 'action', action: { id: 'approve', value: 'pr-42' }, messageId: 'om_card', conversation: { id: 'oc_chat' }, sender: { id: 'ou_presser' }, dedupKey: 'fs:f7984f25108f8137722bb63cee927e66' });
  });

  it('another card falls back to the component name and its JSON value', () => {
    expect(normalizeEvent('fs', press({ k: 1 }, { name: 'go' }))!.action).toEqual({ id: 'go', value: '{"k":1}' });
  });
});
