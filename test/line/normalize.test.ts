/** LINE events → bus drafts: kinds, conversations, senders, attachments, postback data, reply tokens. */
import { describe, expect, it } from 'vitest';
import { encodePostbackData, normalizeEvent, parsePostbackData } from '../../connectors/line/normalize.js';
import { eventSchema, webhookBodySchema, type LineEvent } from '../../connectors/line/payload.js';
import * as f from './fixtures.js';

const parse = (event: object): LineEvent => eventSchema.parse(event);
const norm = (event: object) => normalizeEvent('line-main', parse(event));

describe('LINE normalize', () => {
  it('a DM text: message in a dm keyed by the user, deduplicated by webhookEventId, with its reply and quote tokens', () => {
    expect(norm(f.textEvent)).toEqual({
      draft: {
        dedupKey: 'line-main:01FZ74A0TDDPYRVKNK77XKC3ZR',
        connector: 'line-main',
        platform: 'line',
        kind: 'message',
        conversation: { id: f.USER, kind: 'dm' },
        sender: { id: f.USER, isBot: false },
        messageId: '444573844083572737',
        text: 'Hello, world',
        platformTime: '2023-11-14T22:13:20.123Z',
        provenance: { transport: 'webhook', verified: 'signature', sender: 'unknown' },
      },
      replyToken: '757913772c4646b784d4b7ce46d12671',
      quoteToken: 'q3Plxr4AgKd...',
    });
  });

  it('a "/" text in a group is a command from the user, replying to the quoted message', () => {
    const { draft } = norm(f.commandInGroup)!;
    expect(draft).toMatchObject({ kind: 'command', text: '/deploy staging', conversation: { id: f.GROUP, kind: 'group' }, sender: { id: f.USER }, replyTo: '444573844083572700' });
  });

  it('a sticker in a room: "[sticker]" plus a sticker reference; a room is a group', () => {
    const { draft } = norm(f.stickerInRoom)!;
    expect(draft).toMatchObject({ kind: 'message', text: '[sticker]', conversation: { id: f.ROOM, kind: 'group' }, attachments: [{ kind: 'sticker', ref: 'line:sticker:446/1988' }] });
  });

  it('image and file messages become content references by message id', () => {
    expect(norm(f.imageEvent)!.draft.attachments).toEqual([{ kind: 'image', ref: 'line:content:354718705033693861' }]);
    expect(norm(f.imageEvent)!.draft.text).toBeUndefined();
    expect(norm(f.fileEvent)!.draft.attachments).toEqual([{ kind: 'file', ref: 'line:content:325708', name: 'report.pdf', size: 2138 }]);
  });

  it('a postback is an action carrying the button id and value', () => {
    const n = norm(f.postbackEvent)!;
    expect(n.draft).toMatchObject({ kind: 'action', action: { id: 'approve', value: 'deploy #42' }, conversation: { id: f.USER, kind: 'dm' } });
    expect(n.replyToken).toBe('b60d432864f44d079f6d8efe86cf404c');
    expect(n.draft.messageId).toBeUndefined();
  });

  it('postback data round-trips any characters and the button set; foreign data is the action id', () => {
    for (const [id, value] of [['ok', undefined], ['a&b=c', 'x&y=z ü'], ['b', '']] as const) {
      expect(parsePostbackData(encodePostbackData({ id, value }))).toEqual({ action: value === undefined ? { id } : { id, value } });
    }
    expect(parsePostbackData(encodePostbackData({ id: 'go', set: 'Zx9_-a' }))).toEqual({ action: { id: 'go' }, set: 'Zx9_-a' });
    expect(parsePostbackData('action=buy&itemid=111')).toEqual({ action: { id: 'action=buy&itemid=111' } });
  });

  it('a press on a switchboard button set carries the set as its message id', () => {
    const press = { ...f.postbackEvent, postback: { data: encodePostbackData({ id: 'approve', set: 'k3Jd8sQp0aZx' }) } };
    expect(norm(press)!.draft).toMatchObject({ kind: 'action', action: { id: 'approve' }, messageId: 'btn_k3Jd8sQp0aZx' });
  });

  it('follow, unfollow and join are lifecycle events; a join without a user is sent by the group', () => {
    expect(norm(f.followEvent)!.draft).toMatchObject({ kind: 'lifecycle', text: '[follow]', conversation: { kind: 'dm' } });
    expect(norm(f.unfollowEvent)!.draft).toMatchObject({ kind: 'lifecycle', text: '[unfollow]' });
    expect(norm(f.unfollowEvent)!.replyToken).toBeUndefined();
    expect(norm(f.joinEvent)!.draft).toMatchObject({ kind: 'lifecycle', text: '[join]', conversation: { id: f.GROUP, kind: 'group' }, sender: { id: f.GROUP, isBot: false } });
  });

  it('unsend is a delete of that message; beacons are skipped', () => {
    expect(norm(f.unsendEvent)!.draft).toMatchObject({ kind: 'delete', messageId: '325708' });
    expect(norm(f.beaconEvent)).toBeUndefined();
  });

  it('the body needs an events array; each event is checked on its own, unknown fields kept', () => {
    expect(webhookBodySchema.safeParse({ destination: 'U1', events: [] }).success).toBe(true);
    expect(webhookBodySchema.safeParse({ destination: 'U1' }).success).toBe(false);
    expect(webhookBodySchema.safeParse({ events: {} }).success).toBe(false);
    // An odd event does not make the body unusable: the connector skips that one event.
    expect(webhookBodySchema.safeParse({ destination: 'U1', events: [{ type: 'message' }] }).success).toBe(true);
    expect(eventSchema.safeParse({ ...f.textEvent, webhookEventId: undefined }).success).toBe(false);
    expect(eventSchema.safeParse({ ...f.textEvent, source: { type: 'group', userId: f.USER } }).success).toBe(false);
    expect(eventSchema.safeParse({ ...f.textEvent, timestamp: 1e300 }).success).toBe(false);
    expect(parse({ ...f.textEvent, newField: 1 })).toHaveProperty('newField', 1);
  });
});
