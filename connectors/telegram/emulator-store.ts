/**
 * The state behind the Telegram emulator: bot, chats, messages, the update queue and the Bot API
 * methods the connector uses, as plain functions of JSON parameters. No HTTP here (see emulator.ts).
 */

/** A Telegram user (or the bot) as the Bot API serializes it; only the fields the emulator fills. */
export interface EmuUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A chat as the Bot API serializes it. */
export interface EmuChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_forum?: true;
}

/** One inline-keyboard button. */
export interface EmuButton {
  text: string;
  callback_data?: string;
  style?: string;
}

/** A message as the Bot API serializes it (the subset the emulator produces). */
export interface EmuMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: true;
  from?: EmuUser;
  sender_chat?: EmuChat;
  chat: EmuChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: { type: string; offset: number; length: number }[];
  reply_to_message?: EmuMessage;
  reply_markup?: { inline_keyboard: EmuButton[][] };
}

/** An update: its id plus one body (`message`, `edited_message`, `callback_query`, ...). */
export type EmuUpdate = { update_id: number } & Record<string, unknown>;

/** What the bot did, as the emulator saw it (one record per successful call that changes something). */
export interface SentRecord {
  method: 'sendMessage' | 'editMessageText' | 'setMessageReaction' | 'sendChatAction' | 'answerCallbackQuery';
  chat_id?: string;
  message_id?: number;
  text?: string;
  message_thread_id?: number;
  reply_to?: number;
  buttons?: EmuButton[][];
  reaction?: unknown;
  action?: string;
  callback_query_id?: string;
}

/** Where an injected update comes from. */
export interface InjectOptions {
  chat?: Partial<EmuChat> & { id?: number };
  from?: Partial<EmuUser>;
  /** Message id (in the same chat) this one replies to. */
  reply_to?: number;
  /** Forum topic id: the message is posted in that topic of a forum supergroup. */
  thread?: number;
}

/** A Bot API error answer. */
export class BotApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const DEFAULT_USER: EmuUser = { id: 1001, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
const COMMAND = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?/;

/** The emulated Bot API server state for one bot. */
export class BotApiState {
  readonly bot: EmuUser;
  /** Unconfirmed updates, ascending by `update_id`. */
  readonly updates: EmuUpdate[] = [];
  readonly sent: SentRecord[] = [];
  readonly answeredCallbacks = new Set<string>();
  /** Highest `offset` any getUpdates call confirmed with. */
  confirmedOffset = 0;
  webhookUrl = '';
  #nextUpdateId: number;
  readonly #nextMessageId = new Map<number, number>();
  readonly #messages = new Map<string, EmuMessage>();
  readonly #callbacks = new Set<string>();
  #callbackSeq = 0;

  constructor(botId: number, firstUpdateId = 700_000_001) {
    this.bot = { id: botId, is_bot: true, first_name: 'Switchboard Emulator', username: 'switchboard_emu_bot' };
    this.#nextUpdateId = firstUpdateId;
  }

  // ---- the platform side -------------------------------------------------------------------

  /** Queue a user's text message; returns it. */
  injectMessage(text: string, o: InjectOptions = {}): EmuMessage {
    const chat = chatOf(o);
    const from = { ...DEFAULT_USER, ...o.from };
    const command = COMMAND.exec(text);
    const m: EmuMessage = {
      message_id: this.#newMessageId(chat.id),
      from,
      chat,
      date: nowSeconds(),
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    };
    if (o.thread !== undefined) {
      m.message_thread_id = o.thread;
      m.is_topic_message = true;
      // In a topic every message replies to the topic's first message, as Telegram shows it.
      m.reply_to_message = this.#messages.get(key(chat.id, o.thread)) ?? { message_id: o.thread, chat, date: m.date };
    }
    if (o.reply_to !== undefined) m.reply_to_message = this.#messages.get(key(chat.id, o.reply_to)) ?? { message_id: o.reply_to, chat, date: m.date };
    this.#messages.set(key(chat.id, m.message_id), m);
    this.push(chat.type === 'channel' ? { channel_post: m } : { message: m });
    return m;
  }

  /** Queue an edit of a message a user sent earlier; returns the edited message. */
  injectEdit(messageId: number, text: string, o: InjectOptions = {}): EmuMessage {
    const chat = chatOf(o);
    const before = this.#messages.get(key(chat.id, messageId));
    if (!before || before.from?.id === this.bot.id) throw new Error(`emulator: no user message ${messageId} in chat ${chat.id} to edit`);
    const m: EmuMessage = { ...before, text, edit_date: nowSeconds() };
    this.#messages.set(key(chat.id, messageId), m);
    this.push(chat.type === 'channel' ? { edited_channel_post: m } : { edited_message: m });
    return m;
  }

  /** Queue a press of the button carrying `data` on a message the bot sent; returns the callback query id. */
  injectCallback(messageId: number, data: string, o: InjectOptions = {}): string {
    const chat = chatOf(o);
    const message = this.#messages.get(key(chat.id, messageId));
    if (!message || message.from?.id !== this.bot.id) throw new Error(`emulator: the bot sent no message ${messageId} in chat ${chat.id}`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!buttons.some((b) => b.callback_data === data)) {
      throw new Error(`emulator: message ${messageId} has no button with callback_data "${data}" (has: ${buttons.map((b) => b.callback_data).join(', ') || 'none'})`);
    }
    const id = `${this.bot.id}${String(++this.#callbackSeq).padStart(9, '0')}`;
    this.#callbacks.add(id);
    this.push({ callback_query: { id, from: { ...DEFAULT_USER, ...o.from }, message, chat_instance: `ci${chat.id}`, data } });
    return id;
  }

  /** Queue any update body (`{message: ...}`, `{message_reaction: ...}`); the update id is assigned. */
  push(body: Record<string, unknown>): EmuUpdate {
    const update = { update_id: this.#nextUpdateId++, ...body };
    this.updates.push(update);
    return update;
  }

  // ---- getUpdates --------------------------------------------------------------------------

  /** `offset` confirms every update below it; a negative one keeps only the last `-offset`. */
  confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    if (offset < 0) {
      this.updates.splice(0, Math.max(0, this.updates.length + offset));
      return;
    }
    this.confirmedOffset = Math.max(this.confirmedOffset, offset);
    const keep = this.updates.findIndex((u) => u.update_id >= offset);
    this.updates.splice(0, keep === -1 ? this.updates.length : keep);
  }

  /** The first `limit` unconfirmed updates (they stay queued until confirmed). */
  take(limit: number): EmuUpdate[] {
    return this.updates.slice(0, limit);
  }

  // ---- the Bot API methods -----------------------------------------------------------------

  /** Run a non-polling method; returns its `result` or throws {@link BotApiError}. */
  call(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case 'getMe':
        return { ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case 'deleteWebhook':
        this.webhookUrl = '';
        if (p.drop_pending_updates === true) this.updates.length = 0;
        return true;
      case 'setWebhook':
        this.webhookUrl = String(p.url ?? '');
        return true;
      case 'getWebhookInfo':
        return { url: this.webhookUrl, has_custom_certificate: false, pending_update_count: this.updates.length };
      case 'sendMessage':
        return this.#sendMessage(p);
      case 'editMessageText':
        return this.#editMessageText(p);
      case 'setMessageReaction': {
        const m = this.#message(p);
        this.sent.push({ method, chat_id: String(m.chat.id), message_id: m.message_id, reaction: p.reaction });
        return true;
      }
      case 'sendChatAction':
        this.sent.push({ method, chat_id: String(this.#chatId(p)), action: String(p.action), ...threadOf(p) });
        return true;
      case 'answerCallbackQuery': {
        const id = String(p.callback_query_id);
        if (!this.#callbacks.has(id)) throw new BotApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        this.answeredCallbacks.add(id);
        this.sent.push({ method, callback_query_id: id });
        return true;
      }
      default:
        throw new BotApiError(404, 'Not Found');
    }
  }

  #sendMessage(p: Record<string, unknown>): EmuMessage {
    const chatId = this.#chatId(p);
    const text = requireText(p.text);
    const replyTo = (p.reply_parameters as { message_id?: unknown } | undefined)?.message_id ?? p.reply_to_message_id;
    const markup = p.reply_markup as { inline_keyboard?: EmuButton[][] } | undefined;
    const chat: EmuChat = this.#knownChat(chatId);
    const m: EmuMessage = { message_id: this.#newMessageId(chatId), from: this.bot, chat, date: nowSeconds(), text, ...threadOf(p) };
    if (replyTo !== undefined) m.reply_to_message = this.#messages.get(key(chatId, Number(replyTo))) ?? { message_id: Number(replyTo), chat, date: m.date };
    if (markup?.inline_keyboard) m.reply_markup = { inline_keyboard: markup.inline_keyboard };
    this.#messages.set(key(chatId, m.message_id), m);
    this.sent.push({
      method: 'sendMessage', chat_id: String(chatId), message_id: m.message_id, text, ...threadOf(p),
      ...(replyTo !== undefined ? { reply_to: Number(replyTo) } : {}),
      ...(m.reply_markup ? { buttons: m.reply_markup.inline_keyboard } : {}),
    });
    return m;
  }

  #editMessageText(p: Record<string, unknown>): EmuMessage {
    const m = this.#message(p);
    const text = requireText(p.text);
    if (m.from?.id !== this.bot.id) throw new BotApiError(400, "Bad Request: message can't be edited");
    if (m.text === text) throw new BotApiError(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    const edited = { ...m, text, edit_date: nowSeconds() };
    this.#messages.set(key(m.chat.id, m.message_id), edited);
    this.sent.push({ method: 'editMessageText', chat_id: String(m.chat.id), message_id: m.message_id, text });
    return edited;
  }

  #message(p: Record<string, unknown>): EmuMessage {
    const m = this.#messages.get(key(this.#chatId(p), Number(p.message_id)));
    if (!m) throw new BotApiError(400, 'Bad Request: message to edit not found');
    return m;
  }

  #chatId(p: Record<string, unknown>): number {
    const id = Number(p.chat_id);
    if (!Number.isSafeInteger(id) || id === 0) throw new BotApiError(400, 'Bad Request: chat not found');
    return id;
  }

  /** The chat as users' messages showed it, or a plausible one for a chat only the bot wrote to. */
  #knownChat(id: number): EmuChat {
    for (const m of this.#messages.values()) if (m.chat.id === id) return m.chat;
    return id > 0 ? { id, type: 'private', first_name: 'User' } : { id, type: 'supergroup', title: 'Group' };
  }

  #newMessageId(chatId: number): number {
    // Telegram numbers messages per chat.
    const next = (this.#nextMessageId.get(chatId) ?? 0) + 1;
    this.#nextMessageId.set(chatId, next);
    return next;
  }
}

function chatOf(o: InjectOptions): EmuChat {
  const from = { ...DEFAULT_USER, ...o.from };
  if (!o.chat) {
    return o.thread !== undefined
      ? { id: -1001000000001, type: 'supergroup', title: 'Forum', is_forum: true }
      : { id: from.id, type: 'private', first_name: from.first_name };
  }
  const type = o.chat.type ?? ((o.chat.id ?? 0) < 0 ? 'supergroup' : 'private');
  return type === 'private'
    ? { id: from.id, first_name: from.first_name, ...o.chat, type }
    : { id: -1001000000002, title: 'Group', ...o.chat, type };
}

function threadOf(p: Record<string, unknown>): { message_thread_id?: number } {
  return p.message_thread_id !== undefined ? { message_thread_id: Number(p.message_thread_id) } : {};
}

function requireText(text: unknown): string {
  if (typeof text !== 'string' || text.length === 0) throw new BotApiError(400, 'Bad Request: message text is empty');
  if (text.length > 4096) throw new BotApiError(400, 'Bad Request: message is too long');
  return text;
}

function key(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
