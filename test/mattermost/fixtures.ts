/** Recorded-style Mattermost WebSocket events (shapes as a 10.x/11.x server sends them; ids made up). */
import type { MmEvent } from '../../connectors/mattermost/normalize.js';

export const BOT = 'botbotbotbotbotbotbotbotbo';
export const ALICE = 'alicealicealicealicealicea';
export const DM = 'dmchanneldmchanneldmchanne';
export const TOWN = 'towntowntowntowntowntownto';
export const ROOT = 'rootrootrootrootrootrootro';

const post = (fields: Record<string, unknown>) =>
  JSON.stringify({
    id: 'postpostpostpostpostpostpo', create_at: 1_764_000_000_000, update_at: 1_764_000_000_000, edit_at: 0, delete_at: 0, is_pinned: false,
    user_id: ALICE, channel_id: DM, root_id: '', original_id: '', message: 'hello', type: '', props: {}, hashtags: '', pending_post_id: '',
    reply_count: 0, last_reply_at: 0, participants: null, metadata: {}, ...fields,
  });

export const postedDm: MmEvent = {
  event: 'posted',
  data: { channel_display_name: '@alice', channel_name: `${BOT}__${ALICE}`, channel_type: 'D', post: post({}), sender_name: '@alice', set_online: true, team_id: '' },
  broadcast: { channel_id: DM, team_id: '', user_id: '' },
  seq: 3,
};

export const postedThreadReply: MmEvent = {
  event: 'posted',
  data: { channel_display_name: 'Town Square', channel_name: 'town-square', channel_type: 'O', post: post({ id: 'replyreplyreplyreplyreplyr', channel_id: TOWN, root_id: ROOT, message: 'in thread' }), sender_name: '@alice', set_online: true, team_id: 'teamteamteamteamteamteamte' },
  broadcast: { channel_id: TOWN, team_id: '', user_id: '' },
  seq: 4,
};

export const postedCommandInGroup: MmEvent = {
  event: 'posted',
  data: { channel_type: 'G', post: post({ message: '/deploy prod', channel_id: 'groupgroupgroupgroupgroupg' }), sender_name: '@alice', team_id: '' },
  broadcast: { channel_id: 'groupgroupgroupgroupgroupg', team_id: '', user_id: '' },
  seq: 5,
};

export const postedWithFile: MmEvent = {
  event: 'posted',
  data: { channel_type: 'P', post: post({ channel_id: TOWN, message: 'see file', file_ids: ['filefilefilefilefilefilefi'], metadata: { files: [{ id: 'filefilefilefilefilefilefi', name: 'log.txt', size: 42 }] } }), sender_name: '@alice', team_id: 't' },
  broadcast: { channel_id: TOWN, team_id: '', user_id: '' },
  seq: 6,
};

export const postedByBot: MmEvent = {
  event: 'posted',
  data: { channel_type: 'D', post: post({ user_id: BOT, props: { from_bot: 'true' } }), sender_name: '@switchboard', team_id: '' },
  broadcast: { channel_id: DM, team_id: '', user_id: '' },
  seq: 7,
};

export const systemJoin: MmEvent = {
  event: 'posted',
  data: { channel_type: 'O', post: post({ type: 'system_join_channel', message: 'alice joined the channel.', channel_id: TOWN }), sender_name: '@alice', team_id: 't' },
  broadcast: { channel_id: TOWN, team_id: '', user_id: '' },
  seq: 8,
};

export const edited: MmEvent = {
  event: 'post_edited',
  data: { post: post({ message: 'hello, edited', edit_at: 1_764_000_100_000, update_at: 1_764_000_100_000 }) },
  broadcast: { channel_id: DM, team_id: '', user_id: '' },
  seq: 9,
};

export const deleted: MmEvent = {
  event: 'post_deleted',
  data: { post: post({ delete_at: 1_764_000_200_000 }), delete_by: ALICE },
  broadcast: { channel_id: DM, team_id: '', user_id: '' },
  seq: 10,
};

export const reaction: MmEvent = {
  event: 'reaction_added',
  data: { reaction: JSON.stringify({ user_id: ALICE, post_id: 'postpostpostpostpostpostpo', emoji_name: '+1', create_at: 1_764_000_300_000, update_at: 0, delete_at: 0, remote_id: '', channel_id: DM }) },
  broadcast: { channel_id: DM, team_id: '', user_id: '' },
  seq: 11,
};

export const typing: MmEvent = {
  event: 'typing',
  data: { parent_id: '', user_id: ALICE },
  broadcast: { channel_id: DM, team_id: '', user_id: '' },
  seq: 12,
};
