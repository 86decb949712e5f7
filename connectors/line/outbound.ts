/**
 * Outbound commands → Messaging API calls through @line/bot-sdk. Text is split to LINE's 5000
 * characters, at most 5 messages per request. `reply` spends the message's reply token when it is
 * fresh and unused (free) and pushes otherwise; every push carries an `X-Line-Retry-Key` made once per
 * request and reused by its retries, so a retry after a lost answer is answered 409 instead of
 * delivering twice. `buttons` is a Flex bubble with postback buttons; `typing` is the loading
 * animation (DMs only). LINE cannot edit or react: those fail with `SB_E_UNSUPPORTED`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HTTPFetchError, type messagingApi } from '@line/bot-sdk';
import type { ButtonSpec, OutboundCommand, SendResult } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { sendFailure, sendWithRetries, type SendFailure } from '../../src/supervisor/send-retry.js';
import { splitText } from '../../src/text/split.js';
import { buttonSetMessageId, encodePostbackData, isUserId } from './normalize.js';
import { recover } from './recovery.js';
import type { ReplyTokens } from './reply-tokens.js';
import { LINE_TEXT_LIMIT } from './schema.js';

/** Most messages in one reply or push request. */
export const LINE_MESSAGES_PER_REQUEST = 5;
/** LINE's limits on a postback button. */
export const POSTBACK_DATA_LIMIT = 300;
export const BUTTON_LABEL_LIMIT = 40;
const ALT_TEXT_LIMIT = 400;

type Message = messagingApi.Message;
type Client = Pick<messagingApi.MessagingApiClient, 'pushMessage' | 'replyMessage' | 'showLoadingAnimation'>;

/** What outbound needs from the connector. */
export interface OutboundContext {
  client: Client;
  tokens: ReplyTokens;
  /** Aborts retries (the connector stopping). */
  signal: AbortSignal;
  /** First retry delay. Default 300 ms. */
  retryInitialMs?: number;
  /** Attempts per request, the first included. Default 4. */
  maxAttempts?: number;
  /** Told when a reply token could not be used and the answer went out as a push. */
  onReplyFallback?: (reason: string) => void;
}

/** Carry out one outbound command; rejects with `SB_E_SEND` (or `SB_E_UNSUPPORTED`) naming what went wrong. */
export async function deliver(ctx: OutboundContext, cmd: OutboundCommand): Promise<SendResult> {
  switch (cmd.type) {
    case 'send':
      return { messageIds: await pushAll(ctx, cmd.conversation, textMessages(cmd.text)) };
    case 'reply': {
      const messages = textMessages(cmd.text, ctx.tokens.quoteToken(cmd.replyTo));
      const token = ctx.tokens.takeReplyToken(cmd.replyTo);
      if (!token) return { messageIds: await pushAll(ctx, cmd.conversation, messages) };
      const first = messages.slice(0, LINE_MESSAGES_PER_REQUEST);
      const replied = await replyOnce(ctx, token, first);
      if (!replied) return { messageIds: await pushAll(ctx, cmd.conversation, messages) };
      return { messageIds: [...replied, ...(await pushAll(ctx, cmd.conversation, messages.slice(first.length)))] };
    }
    case 'buttons': {
      const set = randomBytes(9).toString('base64url');
      const chunks = splitText(cmd.text, LINE_TEXT_LIMIT);
      const messages: Message[] = chunks.slice(0, -1).map((text) => ({ type: 'text', text }));
      messages.push(buttonsMessage(chunks.at(-1)!, cmd.buttons, set));
      const ids = await pushAll(ctx, cmd.conversation, messages);
      return { messageIds: [...ids, buttonSetMessageId(set)] };
    }
    case 'typing':
      // LINE shows a loading animation only in one-on-one chats; elsewhere there is nothing to show.
      if (isUserId(cmd.conversation)) {
        await call(ctx, 'showLoadingAnimation', () => ctx.client.showLoadingAnimation({ chatId: cmd.conversation, loadingSeconds: 20 }));
      }
      return { messageIds: [] };
    case 'edit':
      throw new SbError('SB_E_UNSUPPORTED', 'LINE cannot edit a message once sent; send a new message instead', { fields: { command: 'edit' } });
    case 'react':
      throw new SbError('SB_E_UNSUPPORTED', 'LINE bots cannot react to messages; answer with a message instead', { fields: { command: 'react' } });
  }
}

/** Text messages of at most 5000 characters; the first quotes the message being answered, when known. */
export function textMessages(text: string, quoteToken?: string): Message[] {
  return splitText(text, LINE_TEXT_LIMIT).map((chunk, i) => (i === 0 && quoteToken ? { type: 'text', text: chunk, quoteToken } : { type: 'text', text: chunk }));
}

/**
 * A Flex bubble: the text, and one postback button per spec. The data carries the button id, its
 * value and the set id, checked against LINE's 300 characters here so the agent learns which button
 * is too long rather than a bare 400.
 */
export function buttonsMessage(text: string, buttons: readonly ButtonSpec[], set: string): Message {
  if (buttons.length === 0) throw new SbError('SB_E_SEND', 'a buttons command needs at least one button');
  const contents = buttons.map((b) => {
    const data = encodePostbackData({ id: b.id, value: b.value, set });
    if (data.length > POSTBACK_DATA_LIMIT) {
      throw new SbError('SB_E_SEND', `button "${b.id}": id and value take ${data.length} characters encoded, LINE allows ${POSTBACK_DATA_LIMIT}; shorten them (keep long data on the agent side, keyed by a short value)`);
    }
    if (b.label.length === 0 || b.label.length > BUTTON_LABEL_LIMIT) {
      throw new SbError('SB_E_SEND', `button "${b.id}": a label must be 1-${BUTTON_LABEL_LIMIT} characters on LINE (this one has ${b.label.length})`);
    }
    return {
      type: 'button' as const,
      style: b.style === 'secondary' ? ('secondary' as const) : ('primary' as const),
      ...(b.style === 'danger' ? { color: '#D93025' } : {}),
      height: 'sm' as const,
      // displayText: the chat shows the press as the user's own message, as a reply keyboard would.
      action: { type: 'postback' as const, label: b.label, data, displayText: b.label },
    };
  });
  return {
    type: 'flex',
    altText: text.length > ALT_TEXT_LIMIT ? `${text.slice(0, ALT_TEXT_LIMIT - 1)}…` : text,
    contents: {
      type: 'bubble',
      body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text, wrap: true }] },
      footer: { type: 'box', layout: 'vertical', spacing: 'sm', contents },
    },
  };
}

/** Reply once (a reply is never retried: the token is single-use); `undefined` = fall back to push. */
async function replyOnce(ctx: OutboundContext, replyToken: string, messages: Message[]): Promise<string[] | undefined> {
  try {
    const r = await ctx.client.replyMessage({ replyToken, messages });
    return r.sentMessages.map((m) => m.id);
  } catch (err) {
    ctx.onReplyFallback?.(recover(err, 'replyMessage').reason);
    return undefined;
  }
}

/** Push `messages` in requests of at most 5, in order; each request has its own retry key. */
async function pushAll(ctx: OutboundContext, to: string, messages: Message[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < messages.length; i += LINE_MESSAGES_PER_REQUEST) {
    const batch = messages.slice(i, i + LINE_MESSAGES_PER_REQUEST);
    // One key per logical request, made before the first attempt and reused by every retry.
    const retryKey = randomUUID();
    ids.push(...(await call(ctx, 'pushMessage', () => pushOnce(ctx.client, to, batch, retryKey))));
  }
  return ids;
}

async function pushOnce(client: Client, to: string, messages: Message[], retryKey: string): Promise<string[]> {
  try {
    const r = await client.pushMessage({ to, messages }, retryKey);
    return r.sentMessages.map((m) => m.id);
  } catch (err) {
    // 409 on a retry key: an earlier attempt was accepted (its answer was lost). Delivered once; done.
    if (err instanceof HTTPFetchError && err.status === 409) return acceptedIds(err.body);
    throw err;
  }
}

function acceptedIds(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { sentMessages?: { id?: unknown }[] };
    return (parsed.sentMessages ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

function call<T>(ctx: OutboundContext, method: string, fn: () => Promise<T>): Promise<T> {
  return sendWithRetries(fn, (err) => failureOf(err, method), {
    signal: ctx.signal,
    ...(ctx.retryInitialMs !== undefined ? { retryInitialMs: ctx.retryInitialMs } : {}),
    ...(ctx.maxAttempts !== undefined ? { maxAttempts: ctx.maxAttempts } : {}),
  });
}

function failureOf(err: unknown, method: string): SendFailure {
  const v = recover(err, method);
  return sendFailure(v, v.action === 'retry', { method, status: v.status });
}
