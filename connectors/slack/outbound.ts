/**
 * Outbound commands → Slack Web API calls: send / reply in thread (split to 4000 characters on line
 * boundaries), edit (`chat.update`), react (`reactions.add`), Block Kit buttons. Each call retries a
 * bounded number of times, waiting exactly `Retry-After` on 429; a refused request is not retried.
 */
import type { webApi } from '@slack/bolt';
import type { ButtonSpec, OutboundCommand, SendResult } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { sendFailure, sendWithRetries, type SendFailure } from '../../src/supervisor/send-retry.js';
import { splitText } from '../../src/text/split.js';
import { parseConversation } from './normalize.js';
import { recover } from './recovery.js';

import { SLACK_TEXT_LIMIT } from './schema.js';

/** Re-exported from schema.ts, where `describe()` (read without the SDK) needs it too. */
export { SLACK_TEXT_LIMIT };
/** A button's `value` may hold 2,000 characters; its `action_id` 255. */
const VALUE_LIMIT = 2000;
const ACTION_ID_LIMIT = 255;

export interface OutboundOptions {
  signal: AbortSignal;
  /** Attempts per call, including the first. Default 4. */
  maxAttempts?: number;
  /** First retry delay for 5xx / network errors. Default 300 ms. */
  retryInitialMs?: number;
}

type Client = webApi.WebClient;

/** Carry out one outbound command; rejects with `SB_E_SEND` naming what went wrong (never a token). */
export async function deliver(client: Client, cmd: OutboundCommand, options: OutboundOptions): Promise<SendResult> {
  const target = parseConversation(cmd.conversation, cmd.thread);
  const call = <T>(method: string, fn: () => Promise<T>) => callWithRetries(method, fn, options);
  switch (cmd.type) {
    case 'send':
    case 'reply': {
      // A reply goes into the thread of the message it answers (or the thread it is already in).
      const thread_ts = target.thread_ts ?? (cmd.type === 'reply' ? cmd.replyTo : undefined);
      const ids: string[] = [];
      for (const text of splitText(cmd.text, SLACK_TEXT_LIMIT)) {
        const r = await call('chat.postMessage', () => client.chat.postMessage({ channel: target.channel, text, ...(thread_ts ? { thread_ts } : {}) }));
        ids.push(String(r.ts));
      }
      return { messageIds: ids };
    }
    case 'buttons': {
      const chunks = splitText(cmd.text, SLACK_TEXT_LIMIT);
      const ids: string[] = [];
      for (const [i, text] of chunks.entries()) {
        // The buttons go under the last chunk, where the reader ends up.
        const blocks = i === chunks.length - 1 ? blocksOf(text, cmd.buttons) : undefined;
        const r = await call('chat.postMessage', () =>
          client.chat.postMessage({ channel: target.channel, text, ...(target.thread_ts ? { thread_ts: target.thread_ts } : {}), ...(blocks ? { blocks } : {}) }),
        );
        ids.push(String(r.ts));
      }
      return { messageIds: ids };
    }
    case 'edit': {
      const text = cmd.text.length > SLACK_TEXT_LIMIT ? splitText(cmd.text, SLACK_TEXT_LIMIT)[0]! : cmd.text;
      await call('chat.update', () => client.chat.update({ channel: target.channel, ts: cmd.messageId, text }));
      return { messageIds: [cmd.messageId] };
    }
    case 'react': {
      const name = cmd.emoji.replace(/^:|:$/g, '');
      try {
        await call('reactions.add', () => client.reactions.add({ channel: target.channel, timestamp: cmd.messageId, name }));
      } catch (err) {
        // Reacting twice is a no-op for us, an error for Slack.
        if (!(err instanceof SbError && err.fields.errorCode === 'already_reacted')) throw err;
      }
      return { messageIds: [cmd.messageId] };
    }
    case 'typing':
      // Slack has no typing indicator for bots outside the assistant surface; nothing to do.
      return { messageIds: [] };
  }
}

/** Block Kit for a button set: a section with the text, an actions block with one button per spec. */
export function blocksOf(text: string, buttons: readonly ButtonSpec[]): Record<string, unknown>[] {
  if (buttons.length === 0) throw new SbError('SB_E_SEND', 'a buttons command needs at least one button');
  if (buttons.length > 25) throw new SbError('SB_E_SEND', `Slack shows at most 25 buttons in one actions block; got ${buttons.length}`);
  const elements = buttons.map((b) => {
    if (b.id.length > ACTION_ID_LIMIT) throw new SbError('SB_E_SEND', `button id "${b.id.slice(0, 20)}…" is longer than Slack's ${ACTION_ID_LIMIT} characters`);
    if (b.value !== undefined && b.value.length > VALUE_LIMIT) throw new SbError('SB_E_SEND', `button "${b.id}": value is longer than Slack's ${VALUE_LIMIT} characters`);
    return {
      type: 'button',
      action_id: b.id,
      text: { type: 'plain_text', text: b.label.slice(0, 75) },
      ...(b.value !== undefined ? { value: b.value } : {}),
      ...(b.style === 'primary' || b.style === 'danger' ? { style: b.style } : {}),
    };
  });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) || ' ' } },
    { type: 'actions', elements },
  ];
}

function callWithRetries<T>(method: string, fn: () => Promise<T>, options: OutboundOptions): Promise<T> {
  return sendWithRetries(fn, (err) => failureOf(err, method), options);
}

function failureOf(err: unknown, method: string): SendFailure {
  const v = recover(err, method);
  return sendFailure(v, v.action === 'retry', { method, errorCode: v.errorCode });
}
