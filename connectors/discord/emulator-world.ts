/**
 * The emulated Discord "world": one bot, one guild with text channels and a thread, users, DM channels
 * and the messages exchanged — and the builders for the raw API payloads the Gateway and REST return.
 * Payloads follow the real API shapes closely enough that discord.js processes them as it would
 * Discord's (a payload it cannot digest would crash its dispatch handlers).
 */

/** Discord's epoch (2015-01-01), the base of snowflake timestamps. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** A raw API payload. */
export type Json = Record<string, unknown>;

/** A user of the emulated Discord (the bot is one too). */
export interface EmuUser {
  id: string;
  username: string;
  global_name: string | null;
  bot?: boolean;
}

/** A channel of the emulated Discord: guild text channel, DM or thread. */
export interface EmuChannel {
  id: string;
  /** 0 guild text, 1 DM, 11 public thread. */
  type: 0 | 1 | 11;
  name?: string;
  guild_id?: string;
  parent_id?: string;
  /** DM: the other party. */
  recipient?: EmuUser;
}

/** Options of `injectMessage` and friends: where the message is posted and by whom. */
export interface InjectOptions {
  /** Channel name or id in the guild (default `general`); a thread's name or id works too. */
  channel?: string;
  author?: Partial<EmuUser>;
  /** Message id this one replies to. */
  reply_to?: string;
  /** Post in the author's DM with the bot instead of a guild channel. */
  dm?: boolean;
}

/** Ids and state of the emulated guild. */
export class World {
  readonly bot: EmuUser;
  readonly guildId: string;
  readonly applicationId: string;
  readonly channels = new Map<string, EmuChannel>();
  /** Recent messages (users' and the bot's) by id, for edits, replies and buttons; the oldest go first. */
  readonly messages = new Map<string, Json>();
  readonly #maxMessages = 10_000;
  readonly defaultUser: EmuUser;
  #counter = 0n;

  constructor() {
    this.bot = { id: this.snowflake(), username: 'switchboard-bot', global_name: null, bot: true };
    this.applicationId = this.bot.id;
    this.guildId = this.snowflake();
    this.defaultUser = { id: this.snowflake(), username: 'ada', global_name: 'Ada' };
    for (const name of ['general', 'random', 'ops']) this.#add({ id: this.snowflake(), type: 0, name, guild_id: this.guildId });
    const general = this.channelByName('general')!;
    this.#add({ id: this.snowflake(), type: 11, name: 'agent-thread', guild_id: this.guildId, parent_id: general.id });
  }

  /** A fresh, time-ordered snowflake id. */
  snowflake(): string {
    this.#counter = (this.#counter + 1n) & 0xfffn;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.#counter).toString();
  }

  #add(channel: EmuChannel): EmuChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  channelByName(name: string): EmuChannel | undefined {
    for (const c of this.channels.values()) if (c.name === name && c.type !== 1) return c;
    return undefined;
  }

  /** The channel a message is injected into: by id or name, or the author's DM channel. */
  resolveChannel(options: InjectOptions, author: EmuUser): EmuChannel {
    if (options.dm) {
      for (const c of this.channels.values()) if (c.type === 1 && c.recipient?.id === author.id) return c;
      return this.#add({ id: this.snowflake(), type: 1, recipient: author });
    }
    const key = options.channel ?? 'general';
    const channel = this.channels.get(key) ?? this.channelByName(key);
    if (!channel) throw new Error(`emulator: no channel "${key}" (have: ${[...this.channels.values()].map((c) => c.name ?? c.id).join(', ')})`);
    return channel;
  }

  userOf(partial?: Partial<EmuUser>): EmuUser {
    if (!partial) return this.defaultUser;
    const username = partial.username ?? (partial.id ? `user${partial.id.slice(-4)}` : this.defaultUser.username);
    return { id: partial.id ?? this.defaultUser.id, username, global_name: partial.global_name ?? null, ...(partial.bot ? { bot: true } : {}) };
  }

  // ---- payload builders --------------------------------------------------------------------------

  userPayload(user: EmuUser): Json {
    return { id: user.id, username: user.username, global_name: user.global_name, discriminator: '0', avatar: null, ...(user.bot ? { bot: true } : {}) };
  }

  channelPayload(channel: EmuChannel): Json {
    if (channel.type === 1) return { id: channel.id, type: 1, last_message_id: null, flags: 0, recipients: [this.userPayload(channel.recipient!)] };
    const base = { id: channel.id, type: channel.type, guild_id: channel.guild_id, name: channel.name, flags: 0, last_message_id: null, rate_limit_per_user: 0 };
    if (channel.type === 11) {
      return {
        ...base, parent_id: channel.parent_id, owner_id: this.defaultUser.id, message_count: 0, member_count: 1, total_message_sent: 0,
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
      };
    }
    return { ...base, position: 0, parent_id: null, topic: null, nsfw: false, permission_overwrites: [] };
  }

  memberPayload(user: EmuUser): Json {
    return { roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0, nick: null, avatar: null, premium_since: null, pending: false };
  }

  readyPayload(sessionId: string, resumeUrl: string): Json {
    return {
      v: 10, user: { ...this.userPayload(this.bot), verified: true, mfa_enabled: false, flags: 0 }, guilds: [{ id: this.guildId, unavailable: true }],
      session_id: sessionId, resume_gateway_url: resumeUrl, session_type: 'normal', shard: [0, 1],
      application: { id: this.applicationId, flags: 0 }, private_channels: [], relationships: [], user_settings: {}, presences: [], guild_join_requests: [], geo_ordered_rtc_regions: [],
    };
  }

  guildCreatePayload(): Json {
    const guildChannels = [...this.channels.values()].filter((c) => c.type === 0).map((c) => this.channelPayload(c));
    const threads = [...this.channels.values()].filter((c) => c.type === 11).map((c) => this.channelPayload(c));
    return {
      id: this.guildId, name: 'Switchboard Emulated Guild', icon: null, splash: null, discovery_splash: null, owner_id: this.defaultUser.id,
      afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0,
      roles: [{ id: this.guildId, name: '@everyone', color: 0, hoist: false, position: 0, permissions: '1071698660929', managed: false, mentionable: false, flags: 0 }],
      emojis: [], stickers: [], features: [], mfa_level: 0, application_id: null, system_channel_id: null, system_channel_flags: 0,
      rules_channel_id: null, vanity_url_code: null, description: null, banner: null, premium_tier: 0, premium_subscription_count: 0,
      preferred_locale: 'en-US', public_updates_channel_id: null, nsfw_level: 0, premium_progress_bar_enabled: false,
      joined_at: '2024-01-01T00:00:00.000Z', large: false, unavailable: false, member_count: 2,
      members: [{ ...this.memberPayload(this.bot), user: this.userPayload(this.bot) }], voice_states: [], presences: [],
      channels: guildChannels, threads, stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
    };
  }

  /** A message payload as MESSAGE_CREATE / REST return it; stored so later edits and buttons find it. */
  messagePayload(channel: EmuChannel, author: EmuUser, content: string, extra: { reply_to?: string; components?: unknown[] } = {}): Json {
    const id = this.snowflake();
    const referenced = extra.reply_to ? this.messages.get(extra.reply_to) : undefined;
    const message: Json = {
      id, channel_id: channel.id, author: this.userPayload(author), content, timestamp: new Date().toISOString(), edited_timestamp: null,
      tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], pinned: false,
      type: extra.reply_to ? 19 : 0, flags: 0, components: extra.components ?? [],
      ...(extra.reply_to
        ? { message_reference: { type: 0, message_id: extra.reply_to, channel_id: channel.id, ...(channel.guild_id ? { guild_id: channel.guild_id } : {}) }, referenced_message: referenced ?? null }
        : {}),
    };
    this.messages.set(id, message);
    if (this.messages.size > this.#maxMessages) this.messages.delete(this.messages.keys().next().value!);
    return message;
  }

  /** The gateway form of a message: guild messages carry `guild_id` and the author's `member`. */
  dispatchForm(message: Json): Json {
    const channel = this.channels.get(String(message.channel_id));
    if (!channel?.guild_id) return message;
    return { ...message, guild_id: channel.guild_id, member: this.memberPayload(message.author as EmuUser) };
  }

  /** An INTERACTION_CREATE for a button press on a message the bot sent. */
  buttonInteraction(message: Json, customId: string, user: EmuUser, token: string): Json {
    const channel = this.channels.get(String(message.channel_id))!;
    const who = channel.guild_id
      ? { member: { ...this.memberPayload(user), user: this.userPayload(user), permissions: '1071698660929' }, guild_id: channel.guild_id, guild_locale: 'en-US' }
      : { user: this.userPayload(user) };
    return {
      id: this.snowflake(), application_id: this.applicationId, type: 3, token, version: 1, locale: 'en-US',
      data: { custom_id: customId, component_type: 2 }, channel_id: channel.id, channel: this.channelPayload(channel),
      message, app_permissions: '1071698660929', entitlements: [], authorizing_integration_owners: { '0': this.guildId }, context: channel.guild_id ? 0 : 1,
      attachment_size_limit: 10_485_760, ...who,
    };
  }
}
