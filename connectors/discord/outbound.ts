/**
 * Outbound commands → Discord REST calls. Pure: plans the requests (routes, bodies, the 2000-character
 * split, button rows); the connector runs them through discord.js's REST client, which queues per
 * route bucket and honours 429 `retry_after` up to `MAX_SEND_WAIT_MS` (rest-limits.ts).
 */
import type { ButtonSpec, OutboundCommand } from '../../src/bus/types.js';
import { SbError } from '../../src/errors.js';
import { splitText, truncateText } from '../../src/text/split.js';

import { DISCORD_TEXT_LIMIT } from './schema.js';

/** Re-exported from schema.ts, where `describe()` (read without the SDK) needs it too. */
export { DISCORD_TEXT_LIMIT };
const CUSTOM_ID_LIMIT = 100;
const LABEL_LIMIT = 80;
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const SNOWFLAKE = /^\d{1,20}$/;
const BUTTON_STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

/** One REST request to make for an outbound command. */
export interface RestCall {
  method: 'post' | 'patch' | 'put';
  route: `/${string}`;
  body?: Record<string, unknown>;
  /** The response is a message whose id goes into `SendResult.messageIds`. */
  yieldsMessage: boolean;
}

/**
 * Mentions the agent's text may trigger: users only. An agent echoing "@everyone" or a role mention
 * must not ping a whole server.
 */
const ALLOWED_MENTIONS = { parse: ['users'] };

/** Plan the REST calls of one command. Throws `SB_E_SEND` with the fix for a command Discord would refuse. */
export function planOutbound(cmd: OutboundCommand): RestCall[] {
  // A thread is a channel of its own on Discord: messages go to the thread's id.
  const channel = id(cmd.thread ?? cmd.conversation, cmd.thread ? 'thread' : 'conversation');
  const messages = `/channels/${channel}/messages` as const;
  if ((cmd.type === 'send' || cmd.type === 'reply' || cmd.type === 'buttons' || cmd.type === 'edit') && cmd.text.trim() === '') {
    throw new SbError('SB_E_SEND', `a ${cmd.type} needs non-empty text (Discord refuses empty messages)`);
  }
  switch (cmd.type) {
    case 'send':
    case 'reply':
      return splitText(cmd.text, DISCORD_TEXT_LIMIT).map((content, i) => ({
        method: 'post',
        route: messages,
        body: {
          content,
          allowed_mentions: ALLOWED_MENTIONS,
          // Only the first part is the reply; the rest follow it.
          ...(cmd.type === 'reply' && i === 0 ? { message_reference: { message_id: id(cmd.replyTo, 'replyTo'), fail_if_not_exists: false } } : {}),
        },
        yieldsMessage: true,
      }));
    case 'buttons': {
      const components = buttonRows(cmd.buttons);
      const parts = splitText(cmd.text, DISCORD_TEXT_LIMIT);
      // The buttons ride on the last part, under the text they answer.
      return parts.map((content, i) => ({
        method: 'post',
        route: messages,
        body: { content, allowed_mentions: ALLOWED_MENTIONS, ...(i === parts.length - 1 ? { components } : {}) },
        yieldsMessage: true,
      }));
    }
    case 'edit': {
      // An edit cannot be split: keep what fits, and say it was cut.
      const content = truncateText(cmd.text, DISCORD_TEXT_LIMIT);
      return [{ method: 'patch', route: `${messages}/${id(cmd.messageId, 'messageId')}`, body: { content, allowed_mentions: ALLOWED_MENTIONS }, yieldsMessage: true }];
    }
    case 'react':
      return [{ method: 'put', route: `${messages}/${id(cmd.messageId, 'messageId')}/reactions/${emojiPath(cmd.emoji)}/@me`, yieldsMessage: false }];
    case 'typing':
      return [{ method: 'post', route: `/channels/${channel}/typing`, yieldsMessage: false }];
  }
}

/** Buttons → action rows of up to 5; `custom_id` is `id` or `id:value` (what normalize parses back). */
export function buttonRows(buttons: ButtonSpec[]): Record<string, unknown>[] {
  if (buttons.length === 0) throw new SbError('SB_E_SEND', 'a buttons command needs at least one button');
  if (buttons.length > BUTTONS_PER_ROW * MAX_ROWS) {
    throw new SbError('SB_E_SEND', `Discord shows at most ${BUTTONS_PER_ROW * MAX_ROWS} buttons on a message (got ${buttons.length}); send fewer`);
  }
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
    rows.push({ type: 1, components: buttons.slice(i, i + BUTTONS_PER_ROW).map(button) });
  }
  return rows;
}

function button(b: ButtonSpec): Record<string, unknown> {
  if (b.id.includes(':')) throw new SbError('SB_E_SEND', `button id "${b.id}" contains ":", which separates id and value; choose another id`);
  const customId = b.value === undefined ? b.id : `${b.id}:${b.value}`;
  if (customId.length === 0 || customId.length > CUSTOM_ID_LIMIT) {
    throw new SbError('SB_E_SEND', `button "${b.id}": id and value together must be 1–${CUSTOM_ID_LIMIT} characters on Discord (got ${customId.length}); shorten the value`);
  }
  return { type: 2, style: BUTTON_STYLE[b.style ?? 'secondary'], label: b.label.slice(0, LABEL_LIMIT), custom_id: customId };
}

/** Ids end up in REST paths: only snowflakes, so no input can reshape the route. */
function id(value: string, field: string): string {
  if (!SNOWFLAKE.test(value)) throw new SbError('SB_E_SEND', `${field} "${value.slice(0, 40)}" is not a Discord id (a number such as 1234567890123456789)`);
  return value;
}

/** A unicode emoji, or a custom one as `name:id`, URL-encoded for the reactions route. */
function emojiPath(emoji: string): string {
  const custom = /^<?a?:?([\w~-]{2,32}):(\d{1,20})>?$/.exec(emoji);
  if (custom) return encodeURIComponent(`${custom[1]}:${custom[2]}`);
  if (emoji.length === 0 || emoji.length > 32) throw new SbError('SB_E_SEND', 'emoji must be a unicode emoji or a custom one as name:id');
  return encodeURIComponent(emoji);
}
