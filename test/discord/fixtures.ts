/**
 * Raw Gateway dispatch payloads as Discord sends them (API v10), trimmed of fields the connector does
 * not read but otherwise as recorded: a guild message, a reply in a thread, a DM, an edit, an embed
 * resolution update, a delete, a reaction and a button interaction.
 */
export const BOT_ID = '1187352123456789012';
export const GUILD_ID = '1187350000000000001';
export const GENERAL_ID = '1187350000000000010';
export const THREAD_ID = '1187350000000000020';
export const DM_ID = '1187350000000000030';

const ada = { id: '298765432109876543', username: 'ada', global_name: 'Ada Lovelace', discriminator: '0', avatar: null, public_flags: 0 };

export const guildMessage = {
  type: 0, tts: false, timestamp: '2024-05-02T10:15:30.123000+00:00', pinned: false, nonce: '1235813213455',
  mentions: [], mention_roles: [], mention_everyone: false,
  member: { roles: [], premium_since: null, pending: false, nick: 'ada-nick', mute: false, joined_at: '2023-01-01T00:00:00+00:00', flags: 0, deaf: false, avatar: null },
  id: '1235813213455000001', flags: 0, embeds: [], edited_timestamp: null, content: 'please run the tests', components: [],
  channel_id: GENERAL_ID, author: ada, attachments: [], guild_id: GUILD_ID,
};

export const threadReply = {
  ...guildMessage,
  type: 19, id: '1235813213455000002', channel_id: THREAD_ID, content: 'and the lint',
  message_reference: { type: 0, message_id: '1235813213455000001', channel_id: THREAD_ID, guild_id: GUILD_ID },
  referenced_message: { id: '1235813213455000001', content: 'please run the tests', author: ada },
};

export const dmMessage = {
  type: 0, tts: false, timestamp: '2024-05-02T10:16:00.000000+00:00', pinned: false, mentions: [], mention_roles: [], mention_everyone: false,
  id: '1235813213455000003', flags: 0, embeds: [], edited_timestamp: null, content: '/status now', components: [],
  channel_id: DM_ID, author: ada,
  attachments: [{ id: '1235813213455000099', filename: 'trace.txt', size: 2048, url: 'https://cdn.discordapp.com/attachments/1/2/trace.txt', proxy_url: 'https://media.discordapp.net/x', content_type: 'text/plain; charset=utf-8' }],
};

export const edit = { ...guildMessage, content: 'please run the unit tests', edited_timestamp: '2024-05-02T10:17:00.500000+00:00' };

/** Discord resolved a link preview: MESSAGE_UPDATE without a new edit time. Not an edit. */
export const embedUpdate = { id: guildMessage.id, channel_id: GENERAL_ID, guild_id: GUILD_ID, embeds: [{ type: 'link', url: 'https://example.com' }], flags: 0 };

export const deletion = { id: '1235813213455000001', channel_id: GENERAL_ID, guild_id: GUILD_ID };

export const reaction = {
  user_id: ada.id, type: 0, message_id: '1235813213455000001', message_author_id: BOT_ID, channel_id: GENERAL_ID, guild_id: GUILD_ID,
  member: { user: ada, roles: [], nick: null, joined_at: '2023-01-01T00:00:00+00:00', deaf: false, mute: false, flags: 0 },
  emoji: { name: '👍', id: null }, burst: false, burst_colors: [],
};

export const buttonPress = {
  version: 1, type: 3, token: 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpzZWNyZXQ', locale: 'en-GB', id: '1235813213455000050',
  application_id: BOT_ID, guild_id: GUILD_ID, channel_id: GENERAL_ID, app_permissions: '562949953421311', entitlements: [],
  member: { user: ada, roles: [], permissions: '562949953421311', nick: null, joined_at: '2023-01-01T00:00:00+00:00', deaf: false, mute: false, flags: 0 },
  message: { id: '1235813213455000040', channel_id: GENERAL_ID, author: { id: BOT_ID, username: 'switchboard', bot: true }, content: 'Deploy?', components: [] },
  data: { custom_id: 'deploy:prod', component_type: 2 },
};

export const ownMessage = { ...guildMessage, id: '1235813213455000060', author: { id: BOT_ID, username: 'switchboard', bot: true, global_name: null } };
