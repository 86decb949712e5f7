/**
 * Outbound commands → OpenAPI calls through the SDK's `Client`: send (create in a chat), reply,
 * edit (text messages the bot sent), react, buttons (an interactive card whose buttons carry
 * `{sb: id, v: value}`). Feishu has no typing indicator: `typing` is accepted and does nothing.
 * Each call retries a bounded number of times on 429 / 5xx / network errors; a refusal is not retried.
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import type { ButtonSpec, OutboundCommand, SendResult } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { sendFailure, sendWithRetries, type SendFailure } from '../../src/supervisor/send-retry.js';
import { splitText } from '../../src/text/split.js';
import { recover, type Verdict } from './recovery.js';

import { FEISHU_TEXT_LIMIT } from './schema.js';

/** Re-exported from schema.ts, where `describe()` (read without the SDK) needs it too. */
export { FEISHU_TEXT_LIMIT };

export interface OutboundOptions {
  signal: AbortSignal;
  /** Attempts per call, including the first. Default 4. */
  maxAttempts?: number;
  retryInitialMs?: number;
  /** Told when the app's credentials were refused (the connector then fails). */
  onAuthFailure?: (v: Verdict) => void;
}

interface ApiAnswer {
  code?: number;
  msg?: string;
  data?: { message_id?: string };
}

/** Carry out one outbound command; rejects with `SB_E_SEND` naming what went wrong (never a secret). */
export async function deliver(client: lark.Client, cmd: OutboundCommand, options: OutboundOptions): Promise<SendResult> {
  const call = (what: string, fn: () => Promise<ApiAnswer>) => callWithRetries(what, fn, options);
  switch (cmd.type) {
    case 'send':
    case 'reply': {
      const ids: string[] = [];
      for (const [i, text] of splitText(cmd.text, FEISHU_TEXT_LIMIT).entries()) {
        const content = JSON.stringify({ text });
        // Only the first chunk is the reply; the rest follow it in the chat, in order.
        const r =
          cmd.type === 'reply' && i === 0
            ? await call('im.v1.message.reply', () => client.im.v1.message.reply({ path: { message_id: cmd.replyTo }, data: { msg_type: 'text', content } }) as Promise<ApiAnswer>)
            : await call('im.v1.message.create', () => client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: cmd.conversation, msg_type: 'text', content } }) as Promise<ApiAnswer>);
        ids.push(messageIdOf(r));
      }
      return { messageIds: ids };
    }
    case 'buttons': {
      const content = JSON.stringify(cardOf(cmd.text, cmd.buttons));
      const r = await call('im.v1.message.create', () => client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: cmd.conversation, msg_type: 'interactive', content } }) as Promise<ApiAnswer>);
      return { messageIds: [messageIdOf(r)] };
    }
    case 'edit': {
      // Feishu edits text and post messages only, and cannot split an edit: keep the first chunk.
      const text = splitText(cmd.text, FEISHU_TEXT_LIMIT)[0] ?? '';
      await call('im.v1.message.update', () => client.im.v1.message.update({ path: { message_id: cmd.messageId }, data: { msg_type: 'text', content: JSON.stringify({ text }) } }) as Promise<ApiAnswer>);
      return { messageIds: [cmd.messageId] };
    }
    case 'react':
      // `emoji` is a Feishu emoji_type such as THUMBSUP, SMILE, DONE.
      await call('im.v1.messageReaction.create', () => client.im.v1.messageReaction.create({ path: { message_id: cmd.messageId }, data: { reaction_type: { emoji_type: cmd.emoji } } }) as Promise<ApiAnswer>);
      return { messageIds: [cmd.messageId] };
    case 'typing':
      return { messageIds: [] };
  }
}

/** An interactive card: the text, then the buttons in one action row. */
export function cardOf(text: string, buttons: readonly ButtonSpec[]): Record<string, unknown> {
  if (buttons.length === 0) throw new SbError('SB_E_SEND', 'a buttons command needs at least one button');
  return {
    config: { wide_screen_mode: true },
    elements: [
      { tag: 'div', text: { tag: 'plain_text', content: splitText(text, FEISHU_TEXT_LIMIT)[0] ?? '' } },
      {
        tag: 'action',
        actions: buttons.map((b) => ({
          tag: 'button',
          text: { tag: 'plain_text', content: b.label },
          type: b.style === 'primary' ? 'primary' : b.style === 'danger' ? 'danger' : 'default',
          value: { sb: b.id, ...(b.value !== undefined ? { v: b.value } : {}) },
        })),
      },
    ],
  };
}

function messageIdOf(r: ApiAnswer): string {
  const id = r.data?.message_id;
  if (!id) throw new SbError('SB_E_SEND', 'the open platform answered without a message_id');
  return id;
}

function callWithRetries(what: string, fn: () => Promise<ApiAnswer>, options: OutboundOptions): Promise<ApiAnswer> {
  const call = async () => {
    const answer = await fn();
    // An HTTP 200 can still carry a refusal in `code`.
    if (answer.code !== undefined && answer.code !== 0) throw { response: { status: 400, data: answer } };
    return answer;
  };
  return sendWithRetries(call, (err) => failureOf(recover(err, what), what, options), options);
}

function failureOf(v: Verdict, what: string, options: OutboundOptions): SendFailure {
  if (v.auth) options.onAuthFailure?.(v);
  return sendFailure(v, v.action === 'retry', { call: what, status: v.status, errorCode: v.code });
}
