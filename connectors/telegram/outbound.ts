/**
 * Outbound commands → Bot API calls: send / reply (split to 4096 on line boundaries), edit, react,
 * typing, inline-keyboard buttons. Each call retries a bounded number of times, honouring
 * `retry_after` on 429; a refused request (4xx) is not retried.
 */
import type { Api } from 'grammy';
import type { InlineKeyboardButton, ReactionTypeEmoji } from 'grammy/types';
import type { ButtonSpec, OutboundCommand, SendResult } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { sendFailure, sendWithRetries, type SendFailure } from '../../src/supervisor/send-retry.js';
import { splitText } from '../../src/text/split.js';
import { parseConversation, type TelegramTarget } from './normalize.js';
import { recover } from './recovery.js';
import { sdkSignal, type SdkSignal } from './sdk-signal.js';

import { TELEGRAM_TEXT_LIMIT } from './schema.js';

/** Re-exported from schema.ts, where `describe()` (read without the SDK) needs it too. */
export { TELEGRAM_TEXT_LIMIT };
/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
const BUTTONS_PER_ROW = 3;

/** How outbound calls retry and when they give up. */
export interface OutboundOptions {
  /** Aborts retries (the connector stopping). */
  signal: AbortSignal;
  /** Attempts per Bot API call, including the first. Default 4. */
  maxAttempts?: number;
  /** First retry delay for 5xx / network errors. Default 300 ms. */
  retryInitialMs?: number;
}

/** Carry out one outbound command; rejects with `SB_E_SEND` naming what went wrong (never the token). */
export async function deliver(api: Api, cmd: OutboundCommand, options: OutboundOptions): Promise<SendResult> {
  const target = targetOf(cmd);
  const call = <T>(method: string, fn: (signal: SdkSignal) => Promise<T>) => callWithRetries(method, fn, options);
  switch (cmd.type) {
    case 'send':
    case 'reply': {
      const ids: string[] = [];
      const chunks = splitText(cmd.text, TELEGRAM_TEXT_LIMIT);
      const replyTo = cmd.type === 'reply' ? messageIdOf(cmd.replyTo) : undefined;
      for (const [i, text] of chunks.entries()) {
        // Only the first chunk is the reply; the rest follow it in order.
        const reply = replyTo !== undefined && i === 0 ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {};
        const m = await call('sendMessage', (s) => api.raw.sendMessage({ ...target, text, ...reply }, s));
        ids.push(String(m.message_id));
      }
      return { messageIds: ids };
    }
    case 'buttons': {
      const keyboard = keyboardOf(cmd.buttons);
      const chunks = splitText(cmd.text, TELEGRAM_TEXT_LIMIT);
      const ids: string[] = [];
      for (const [i, text] of chunks.entries()) {
        // The keyboard goes under the last chunk, where the reader ends up.
        const markup = i === chunks.length - 1 ? { reply_markup: { inline_keyboard: keyboard } } : {};
        const m = await call('sendMessage', (s) => api.raw.sendMessage({ ...target, text, ...markup }, s));
        ids.push(String(m.message_id));
      }
      return { messageIds: ids };
    }
    case 'edit': {
      const message_id = messageIdOf(cmd.messageId);
      // An edit cannot be split: a streamed answer that outgrows a message continues in a new one (the runner's job).
      const text = cmd.text.length > TELEGRAM_TEXT_LIMIT ? splitText(cmd.text, TELEGRAM_TEXT_LIMIT)[0]! : cmd.text;
      try {
        await call('editMessageText', (s) => api.raw.editMessageText({ chat_id: target.chat_id, message_id, text }, s));
      } catch (err) {
        // Editing to the same text is a no-op for us, an error for Telegram.
        if (!(err instanceof SbError && /message is not modified/i.test(err.message))) throw err;
      }
      return { messageIds: [cmd.messageId] };
    }
    case 'react': {
      const reaction = [{ type: 'emoji', emoji: cmd.emoji as ReactionTypeEmoji['emoji'] } as const];
      const message_id = messageIdOf(cmd.messageId);
      await call('setMessageReaction', (s) => api.raw.setMessageReaction({ chat_id: target.chat_id, message_id, reaction }, s));
      return { messageIds: [cmd.messageId] };
    }
    case 'typing':
      await call('sendChatAction', (s) => api.raw.sendChatAction({ ...target, action: 'typing' }, s));
      return { messageIds: [] };
  }
}

/**
 * The inline keyboard for a button set: `callback_data` is `id` or `id:value`, checked against
 * Telegram's 64-byte limit here so the agent learns which button is too long, not a bare 400.
 */
export function keyboardOf(buttons: readonly ButtonSpec[]): InlineKeyboardButton[][] {
  if (buttons.length === 0) throw new SbError('SB_E_SEND', 'a buttons command needs at least one button');
  const row = buttons.map((b): InlineKeyboardButton => {
    if (b.id.includes(':')) throw new SbError('SB_E_SEND', `button id "${b.id}" contains ":"; Telegram buttons carry "id:value", so use an id without ":"`);
    const data = b.value !== undefined ? `${b.id}:${b.value}` : b.id;
    const bytes = Buffer.byteLength(data, 'utf8');
    if (bytes > CALLBACK_DATA_LIMIT) {
      throw new SbError('SB_E_SEND', `button "${b.id}": id and value take ${bytes} bytes, Telegram allows ${CALLBACK_DATA_LIMIT}; shorten them (keep long data on the agent side, keyed by a short value)`);
    }
    const style = b.style === 'primary' ? { style: 'primary' as const } : b.style === 'danger' ? { style: 'danger' as const } : {};
    return { text: b.label, callback_data: data, ...style };
  });
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < row.length; i += BUTTONS_PER_ROW) rows.push(row.slice(i, i + BUTTONS_PER_ROW));
  return rows;
}

function targetOf(cmd: OutboundCommand): TelegramTarget {
  try {
    return parseConversation(cmd.conversation, cmd.thread);
  } catch (err) {
    throw new SbError('SB_E_SEND', (err as Error).message);
  }
}

function messageIdOf(id: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new SbError('SB_E_SEND', `"${id}" is not a Telegram message id (a positive integer, as in the event's messageId)`);
  return n;
}

/** One Bot API call with bounded retries: 429 after `retry_after`, 5xx and network errors with backoff. */
function callWithRetries<T>(method: string, fn: (signal: SdkSignal) => Promise<T>, options: OutboundOptions): Promise<T> {
  return sendWithRetries(() => fn(sdkSignal(options.signal)), (err) => failureOf(err, method), options);
}

function failureOf(err: unknown, method: string): SendFailure {
  const v = recover(err, method);
  return sendFailure(v, v.action === 'resume', { method, errorCode: v.errorCode });
}
