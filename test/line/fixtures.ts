/** Webhook events shaped like the ones LINE documents and sends (field for field), for normalize tests. */
export const USER = 'U4af4980629a0b1c2d3e4f5a6b7c8d9e0';
export const GROUP = 'Ca56f94637c0b1c2d3e4f5a6b7c8d9e01';
export const ROOM = 'Ra8dbf4673c0b1c2d3e4f5a6b7c8d9e02';

const base = (type: string, id: string, source: object = { type: 'user', userId: USER }) => ({
  type,
  mode: 'active',
  timestamp: 1_700_000_000_123,
  source,
  webhookEventId: id,
  deliveryContext: { isRedelivery: false },
});

export const textEvent = {
  ...base('message', '01FZ74A0TDDPYRVKNK77XKC3ZR'),
  replyToken: '757913772c4646b784d4b7ce46d12671',
  message: { id: '444573844083572737', type: 'text', quoteToken: 'q3Plxr4AgKd...', text: 'Hello, world' },
};

export const commandInGroup = {
  ...base('message', '01FZ74A0TDDPYRVKNK77XKC3ZS', { type: 'group', groupId: GROUP, userId: USER }),
  replyToken: 'b60d432864f44d079f6d8efe86cf404b',
  message: { id: '444573844083572738', type: 'text', quoteToken: 'yHAz4Ua2wx7...', text: '/deploy staging', quotedMessageId: '444573844083572700' },
};

export const stickerInRoom = {
  ...base('message', '01FZ74A0TDDPYRVKNK77XKC3ZT', { type: 'room', roomId: ROOM, userId: USER }),
  replyToken: 'a1b2c3',
  message: { id: '1501597916', type: 'sticker', quoteToken: 'q...', packageId: '446', stickerId: '1988', stickerResourceType: 'ANIMATION', keywords: ['happy'] },
};

export const imageEvent = {
  ...base('message', '01FZ74A0TDDPYRVKNK77XKC3ZU'),
  replyToken: 'd1e2f3',
  message: { id: '354718705033693861', type: 'image', quoteToken: 'q...', contentProvider: { type: 'line' } },
};

export const fileEvent = {
  ...base('message', '01FZ74A0TDDPYRVKNK77XKC3ZV'),
  replyToken: 'f00',
  message: { id: '325708', type: 'file', fileName: 'report.pdf', fileSize: 2138 },
};

export const postbackEvent = {
  ...base('postback', '01FZ74A0TDDPYRVKNK77XKC3ZW'),
  replyToken: 'b60d432864f44d079f6d8efe86cf404c',
  postback: { data: 'b=approve&v=deploy+%2342', params: {} },
};

export const followEvent = { ...base('follow', '01FZ74A0TDDPYRVKNK77XKC3ZX'), replyToken: '85cbe770fa8b4f45bbe077b1d4be4a36', follow: { isUnblocked: false } };
export const joinEvent = { ...base('join', '01FZ74A0TDDPYRVKNK77XKC3ZY', { type: 'group', groupId: GROUP }), replyToken: '0f3779fba3b349968c5d07db31eab56f' };
export const unfollowEvent = base('unfollow', '01FZ74A0TDDPYRVKNK77XKC3ZZ');
export const unsendEvent = { ...base('unsend', '01FZ74A0TDDPYRVKNK77XKC400', { type: 'group', groupId: GROUP, userId: USER }), unsend: { messageId: '325708' } };
export const beaconEvent = { ...base('beacon', '01FZ74A0TDDPYRVKNK77XKC401'), replyToken: 'x', beacon: { hwid: 'd41d8cd98f', type: 'enter' } };
