/**
 * Buttons on Mattermost: a `buttons` command becomes a post whose `props.attachments` carry one
 * interactive action per button, each with Switchboard's signed intent token in its integration
 * context. A click makes the Mattermost server POST `{user_id, channel_id, post_id, trigger_id,
 * context}` to the callback listener; Mattermost does not sign that request, so the token is the
 * proof: issued by us, for this button, for these users, not expired.
 *
 * Dedup: Mattermost does not redeliver an integration request (a failed one is shown to the person,
 * who may click again), and every click has its own `trigger_id`. So each click is one event — a
 * double click is two presses, as on any platform — and only a replay of the very same request (same
 * `trigger_id`) is absorbed by the dedup key.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ButtonSpec, EventDraft } from '../../src/bus/types.js';
import type { Clock } from '../../src/clock.js';
import type { WebhookHandler, WebhookRequest, WebhookResponse } from '../../src/listener/types.js';
import { SbError } from '../../src/errors.js';
import { signIntent, verifyIntent } from '../../src/security/intent-token.js';
import { conversationId, kindOf } from './normalize.js';

/** Mattermost shows at most this many actions on one attachment row comfortably; we cap at 25 like Slack. */
const MAX_BUTTONS = 25;

export interface IssueOptions {
  key: Buffer;
  /** The listener URL Mattermost POSTs clicks to. */
  callbackUrl: string;
  ttlMs: number;
  now: number;
  /** The thread the buttons are posted in, to report clicks there. */
  rootId?: string;
}

/** The `props` of a post carrying `buttons` under `text`. Throws SB_E_SEND on an unusable set. */
export function buttonProps(text: string, buttons: readonly ButtonSpec[], allowedUsers: readonly string[], o: IssueOptions): Record<string, unknown> {
  if (buttons.length === 0) throw new SbError('SB_E_SEND', 'a buttons command needs at least one button');
  if (buttons.length > MAX_BUTTONS) throw new SbError('SB_E_SEND', `at most ${MAX_BUTTONS} buttons in one post; got ${buttons.length}`);
  const intentId = randomBytes(9).toString('base64url');
  const used = new Set<string>();
  const actions = buttons.map((b, i) => {
    // Mattermost routes a click by action id, which must be alphanumeric; ours travels in the token.
    let id = b.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || `button${i}`;
    if (used.has(id)) id = `${id}${i}`;
    used.add(id);
    const token = signIntent(o.key, {
      intentId, actionId: b.id, issuedAt: o.now, expiresAt: o.now + o.ttlMs, allowedUsers: [...allowedUsers],
      ...(b.value !== undefined ? { value: b.value } : {}),
    });
    return {
      id,
      name: b.label.slice(0, 64),
      type: 'button',
      style: b.style === 'primary' ? 'primary' : b.style === 'danger' ? 'danger' : 'default',
      integration: { url: o.callbackUrl, context: { token, ...(o.rootId ? { root_id: o.rootId } : {}) } },
    };
  });
  return { attachments: [{ text: '', actions }] };
}

const clickSchema = z.looseObject({
  user_id: z.string().min(1).max(64),
  user_name: z.string().max(64).optional(),
  channel_id: z.string().min(1).max(64),
  post_id: z.string().min(1).max(64),
  trigger_id: z.string().max(512).optional(),
  context: z.looseObject({ token: z.string().max(4096), root_id: z.string().max(64).optional() }),
});

export interface CallbackOptions {
  connector: string;
  key: Buffer;
  clock: Clock;
  channelType(channelId: string): string | undefined;
  /** Journal the press; resolves once durable. */
  ingest(draft: EventDraft, correlationId: string): Promise<void>;
  /** Count a refused click. */
  reject(reason: string): void;
}

/** The listener's handler for button clicks: unsigned by Mattermost, so `verify` passes and `handle` checks the token. */
export function callbackHandler(o: CallbackOptions): WebhookHandler {
  return {
    contentTypes: ['application/json'],
    verify: () => ({ ok: true }),
    async handle(body: unknown, req: WebhookRequest): Promise<WebhookResponse> {
      const click = clickSchema.safeParse(body);
      if (!click.success) {
        o.reject('malformed-click');
        return { status: 400, failure: 'malformed-click' };
      }
      const c = click.data;
      const verdict = verifyIntent(o.key, c.context.token, { now: o.clock.now(), userId: c.user_id });
      if (!verdict.ok) {
        const reason = verdict.reason === 'malformed' ? 'bad-token' : verdict.reason;
        o.reject(reason);
        return { status: 403, failure: reason };
      }
      const { claims } = verdict;
      const root = c.context.root_id;
      await o.ingest(
        {
          dedupKey: `${o.connector}:action:${claims.intentId}:${claims.actionId}:${c.user_id}:${c.trigger_id || c.post_id}`,
          connector: o.connector,
          platform: 'mattermost',
          kind: 'action',
          conversation: root ? { id: conversationId(c.channel_id, root), kind: 'thread', parentId: c.channel_id } : { id: c.channel_id, kind: kindOf(o.channelType(c.channel_id)) },
          sender: { id: c.user_id, ...(c.user_name ? { username: c.user_name } : {}), isBot: false },
          messageId: c.post_id,
          action: { id: claims.actionId, ...(claims.value !== undefined ? { value: claims.value } : {}) },
          platformTime: new Date(req.receivedAt).toISOString(),
          provenance: { transport: 'webhook', verified: 'token', sender: 'unknown' },
        },
        req.correlationId,
      );
      return { status: 200, body: {} };
    },
  };
}
