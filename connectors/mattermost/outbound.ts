/**
 * Outbound commands → Mattermost: send / reply (`POST /api/v4/posts`, split to the 16,383-character
 * post limit, a reply threaded under its root), edit (`PUT /posts/{id}/patch`), react
 * (`POST /reactions`), typing (the WebSocket's `user_typing` action) and buttons (a post with
 * interactive attachments, see buttons.ts). Each REST call retries a bounded number of times on 429
 * (after the server's wait), 5xx and network errors; a refused request fails at once.
 */
import type { OutboundCommand, SendResult } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { sendFailure, sendWithRetries, type SendFailure } from '../../src/supervisor/send-retry.js';
import { splitText } from '../../src/text/split.js';
import { buttonProps, type IssueOptions } from './buttons.js';
import { parseConversation } from './normalize.js';
import { recover } from './recovery.js';
import { MATTERMOST_TEXT_LIMIT } from './schema.js';
import type { Client4 } from './sdk.js';


export interface OutboundDeps {
  rest: Client4;
  botUserId: string;
  typing(channelId: string, parentId?: string): void;
  /** Signing material for buttons; undefined when `callbacks` is not configured. */
  buttons: (() => Omit<IssueOptions, 'rootId'>) | undefined;
  signal: AbortSignal;
  retryInitialMs?: number;
}

/** Carry out one outbound command; rejects with `SB_E_SEND` naming what went wrong (never the token). */
export async function deliver(d: OutboundDeps, cmd: OutboundCommand): Promise<SendResult> {
  const target = parseConversation(cmd.conversation, cmd.thread);
  const call = <T>(what: string, fn: () => Promise<T>) =>
    sendWithRetries(fn, (err) => failureOf(err, what), { signal: d.signal, ...(d.retryInitialMs !== undefined ? { retryInitialMs: d.retryInitialMs } : {}) });
  const post = async (text: string, rootId: string | undefined, props?: Record<string, unknown>) => {
    const created = await call('POST /posts', () =>
      d.rest.createPost({ channel_id: target.channelId, message: text, ...(rootId ? { root_id: rootId } : {}), ...(props ? { props } : {}) }),
    );
    return created.id;
  };
  switch (cmd.type) {
    case 'send':
    case 'reply': {
      // A reply goes under the root of the thread the answered post is in (Mattermost threads are one level deep).
      const root = target.rootId ?? (cmd.type === 'reply' ? await rootOf(cmd.replyTo) : undefined);
      const ids: string[] = [];
      for (const text of splitText(cmd.text, MATTERMOST_TEXT_LIMIT)) ids.push(await post(text, root));
      return { messageIds: ids };
    }
    case 'buttons': {
      const issue = d.buttons?.();
      if (!issue) {
        throw new SbError('SB_E_SEND', 'this Mattermost connector has no callbacks listener, so nobody could press buttons; add callbacks: {bind: 127.0.0.1:8787} to its config');
      }
      const props = buttonProps('', cmd.buttons, cmd.allowedUsers ?? [], { ...issue, ...(target.rootId ? { rootId: target.rootId } : {}) });
      const chunks = splitText(cmd.text, MATTERMOST_TEXT_LIMIT);
      const ids: string[] = [];
      // The buttons go under the last chunk, where the reader ends up.
      for (const [i, text] of chunks.entries()) ids.push(await post(text, target.rootId, i === chunks.length - 1 ? props : undefined));
      return { messageIds: ids };
    }
    case 'edit': {
      const text = cmd.text.length > MATTERMOST_TEXT_LIMIT ? splitText(cmd.text, MATTERMOST_TEXT_LIMIT)[0]! : cmd.text;
      await call('PUT /posts/:id/patch', () => d.rest.patchPost({ id: cmd.messageId, message: text }));
      return { messageIds: [cmd.messageId] };
    }
    case 'react': {
      const name = cmd.emoji.replace(/^:|:$/g, '');
      await call('POST /reactions', () => d.rest.addReaction(d.botUserId, cmd.messageId, name));
      return { messageIds: [cmd.messageId] };
    }
    case 'typing':
      d.typing(target.channelId, target.rootId);
      return { messageIds: [] };
  }

  async function rootOf(postId: string): Promise<string> {
    const p = await call('GET /posts/:id', () => d.rest.getPost(postId));
    return p.root_id || p.id;
  }
}

function failureOf(err: unknown, what: string): SendFailure {
  const v = recover(err, what);
  return sendFailure(v, v.action === 'retry', { call: what, status: v.status });
}
