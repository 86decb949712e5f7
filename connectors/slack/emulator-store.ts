/**
 * The state behind the Slack emulator: channels' messages, the envelope queue with ack tracking, and
 * the Web API methods the connector uses, as plain functions of JSON parameters. No sockets here.
 */

/** A message the bot posted, edited or reacted to, as the emulator recorded it. */
export interface SentRecord {
  method: 'chat.postMessage' | 'chat.update' | 'reactions.add';
  channel: string;
  ts: string;
  text?: string;
  thread_ts?: string;
  blocks?: unknown[];
  reaction?: string;
}

/** One Socket Mode envelope and where it stands. */
export interface EmuEnvelope {
  envelope_id: string;
  type: 'events_api' | 'interactive' | 'slash_commands';
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  /** Times it was delivered; Slack's `retry_attempt` is this minus one. */
  deliveries: number;
  /** When it was last put on a socket (0 = waiting for one). */
  sentAt: number;
}

/** A Web API error answer (`{ok:false, error}` with HTTP 200, as Slack does). */
export class SlackApiError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

/** Where an injected event comes from. */
export interface InjectOptions {
  channel?: string;
  /** `channel`, `group`, `im`, `mpim`; default from the channel id (`D…` = im). */
  channel_type?: string;
  user?: string;
  thread_ts?: string;
  /** Message subtype, e.g. `bot_message`. */
  subtype?: string;
  bot_id?: string;
}

export const TEAM = 'T0EMULATOR';
export const APP_ID = 'A0EMULATOR';
export const DEFAULT_CHANNEL = 'C0EMULATOR';
export const DEFAULT_USER = 'U0HUMAN';

/** Everything the emulator knows, independent of transport. */
export class SlackState {
  readonly sent: SentRecord[] = [];
  /** Un-acked envelopes, by id, in injection order. */
  readonly envelopes = new Map<string, EmuEnvelope>();
  acked = 0;
  #seq = 0;
  #clock = Math.floor(Date.now() / 1000);
  readonly bot = { user_id: 'U0BOT', bot_id: 'B0BOT', name: 'switchboard' };

  /** A fresh `seconds.micros` timestamp, strictly increasing (Slack's message ids). */
  nextTs(): string {
    this.#seq++;
    return `${this.#clock + Math.floor(this.#seq / 1_000_000)}.${String(this.#seq % 1_000_000).padStart(6, '0')}`;
  }

  #envelope(type: EmuEnvelope['type'], payload: Record<string, unknown>): EmuEnvelope {
    const e: EmuEnvelope = { envelope_id: `env-${++this.#seq}-${Math.random().toString(36).slice(2, 8)}`, type, payload, accepts_response_payload: type !== 'events_api', deliveries: 0, sentAt: 0 };
    this.envelopes.set(e.envelope_id, e);
    return e;
  }

  /** Queue an `events_api` envelope carrying `event`. */
  pushEvent(event: Record<string, unknown>): EmuEnvelope {
    return this.#envelope('events_api', {
      token: 'verification-token-unused', team_id: TEAM, api_app_id: APP_ID, type: 'event_callback',
      event_id: `Ev${String(++this.#seq).padStart(9, '0')}`, event_time: Math.floor(Date.now() / 1000), event,
    });
  }

  message(text: string, o: InjectOptions = {}): { envelope: EmuEnvelope; ts: string; channel: string } {
    const channel = o.channel ?? DEFAULT_CHANNEL;
    const ts = this.nextTs();
    const event: Record<string, unknown> = {
      type: 'message', channel, channel_type: o.channel_type ?? (channel.startsWith('D') ? 'im' : 'channel'),
      user: o.user ?? DEFAULT_USER, text, ts, event_ts: ts, team: TEAM,
    };
    if (o.thread_ts) event.thread_ts = o.thread_ts;
    if (o.subtype) event.subtype = o.subtype;
    if (o.bot_id) event.bot_id = o.bot_id;
    return { envelope: this.pushEvent(event), ts, channel };
  }

  /** Queue a block_actions press of button `actionId` on the bot's message `ts`. */
  buttonPress(channel: string, ts: string, actionId: string, value?: string, user = DEFAULT_USER): EmuEnvelope {
    const action_ts = this.nextTs();
    return this.#envelope('interactive', {
      type: 'block_actions', user: { id: user, username: 'human', name: 'human', team_id: TEAM }, api_app_id: APP_ID, team: { id: TEAM },
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false }, trigger_id: `${this.#seq}.trigger`,
      channel: { id: channel, name: 'general' }, message: { type: 'message', ts, text: '' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', ...(value !== undefined ? { value } : {}), action_ts }],
    });
  }

  slashCommand(command: string, text: string, channel = DEFAULT_CHANNEL, user = DEFAULT_USER): EmuEnvelope {
    return this.#envelope('slash_commands', {
      token: 'unused', team_id: TEAM, channel_id: channel, channel_name: channel.startsWith('D') ? 'directmessage' : 'general',
      user_id: user, user_name: 'human', command, text, api_app_id: APP_ID, trigger_id: `${++this.#seq}.trigger.${Math.random().toString(36).slice(2, 8)}`,
      response_url: 'http://127.0.0.1/unused',
    });
  }

  ack(id: string): boolean {
    if (!this.envelopes.delete(id)) return false;
    this.acked++;
    return true;
  }

  /** A Web API method the bot called (already authenticated with the bot token). */
  call(method: string, p: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'chat.postMessage': {
        const channel = str(p.channel, 'channel_not_found');
        if (p.text === undefined && p.blocks === undefined) throw new SlackApiError('no_text');
        const ts = this.nextTs();
        const r: SentRecord = { method, channel, ts, text: String(p.text ?? '') };
        if (p.thread_ts) r.thread_ts = String(p.thread_ts);
        const blocks = parseJson(p.blocks);
        if (Array.isArray(blocks)) r.blocks = blocks;
        this.sent.push(r);
        return { channel, ts, message: { type: 'message', text: r.text, user: this.bot.user_id, bot_id: this.bot.bot_id, ts, ...(r.thread_ts ? { thread_ts: r.thread_ts } : {}) } };
      }
      case 'chat.update': {
        const channel = str(p.channel, 'channel_not_found');
        const ts = str(p.ts, 'message_not_found');
        if (!this.sent.some((s) => s.method === 'chat.postMessage' && s.channel === channel && s.ts === ts)) throw new SlackApiError('message_not_found');
        this.sent.push({ method, channel, ts, text: String(p.text ?? '') });
        return { channel, ts, text: p.text };
      }
      case 'reactions.add': {
        const channel = str(p.channel, 'channel_not_found');
        const ts = str(p.timestamp, 'message_not_found');
        const name = str(p.name, 'invalid_name');
        if (this.sent.some((s) => s.method === 'reactions.add' && s.channel === channel && s.ts === ts && s.reaction === name)) throw new SlackApiError('already_reacted');
        this.sent.push({ method, channel, ts, reaction: name });
        return {};
      }
      default:
        throw new SlackApiError('unknown_method');
    }
  }
}

function str(v: unknown, error: string): string {
  if (typeof v !== 'string' || v === '') throw new SlackApiError(error);
  return v;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}
