/** Config block of the `telegram` connector: a bot that long-polls `getUpdates` — outbound only, never a webhook. */
import { z } from 'zod';
import { connectorBase, httpUrl, secretRef } from '../../src/config/fields.js';
import type { ConnectorPlan } from '../../src/connector.js';
import type { ConnectorConfig } from '../../src/registry-types.js';
import { POLLING_DEFAULTS } from './defaults.js';

/** Update types a bot can ask `getUpdates` for (the ones this connector normalizes, plus the rest Telegram has). */
export const UPDATE_TYPES = [
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query', 'message_reaction',
  'message_reaction_count', 'inline_query', 'chosen_inline_result', 'my_chat_member', 'chat_member', 'chat_join_request',
  'poll', 'poll_answer', 'shipping_query', 'pre_checkout_query', 'chat_boost', 'removed_chat_boost',
  'business_connection', 'business_message', 'edited_business_message', 'deleted_business_messages', 'purchased_paid_media',
] as const;

const polling = z
  .strictObject({
    timeout: z
      .int()
      .min(0)
      .max(50)
      .default(POLLING_DEFAULTS.timeout)
      .describe('Seconds a getUpdates call waits for an update before answering empty (long polling). 0 = short polling. Default 30.'),
    limit: z
      .int()
      .min(1)
      .max(100)
      .default(POLLING_DEFAULTS.limit)
      .describe('Most updates fetched (and journaled together) per getUpdates call, 1-100. Default 100.'),
  })
  .describe('How getUpdates is called.');

/** The `platform: telegram` block; `.strict()`, every key described (the JSON schema and example.yaml show them). */
export const schema = z
  .strictObject({
    ...connectorBase('telegram'),
    token: secretRef.describe('The bot token @BotFather gave you (123456789:AA...). Anyone holding it controls the bot.'),
    api_root: httpUrl
      .optional()
      .describe('Bot API server base URL without a trailing slash: a self-hosted telegram-bot-api server, a proxy, or the emulator. Default https://api.telegram.org.'),
    polling: polling.default({ ...POLLING_DEFAULTS }),
    allowed_updates: z
      .array(z.enum(UPDATE_TYPES))
      .optional()
      .describe('Update types to receive. Default: what Telegram sends by default (everything except message_reaction, message_reaction_count and chat_member).'),
    delete_webhook: z
      .boolean()
      .default(true)
      .describe('At start, remove a webhook set on this bot (pending updates are kept), as getUpdates is refused while one is set. false: leave it, and fail with that reason instead.'),
  })
  .describe('telegram: a Telegram bot through long polling (getUpdates). Outbound only: it never sets a webhook and opens no listener.');

/** The validated block (before secrets are resolved). */
export type TelegramConfig = z.infer<typeof schema>;

/** Longest text of one Telegram message (after entity parsing; we send plain text). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/**
 * Least time between two edits of one streamed answer. Telegram allows a bot about 20 messages a
 * minute in one group (Bots FAQ, "My bot is hitting limits"), so one every 3 s.
 */
export const TELEGRAM_MIN_EDIT_INTERVAL_MS = 3_000;

/** Telegram is reached by dialling out; the bot token authenticates every call; nothing listens. */
export function describe(_config: ConnectorConfig): ConnectorPlan {
  return {
    transport: 'outbound-socket',
    verification: 'token',
    listeners: [],
    textLimit: TELEGRAM_TEXT_LIMIT,
    canEdit: true,
    minEditIntervalMs: TELEGRAM_MIN_EDIT_INTERVAL_MS,
  };
}

const LOOPBACK_HOST = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * What zod cannot say about `api_root`: a trailing slash breaks grammY's URLs, and plain http to
 * another host would carry the token (it is in every request path) across the network unencrypted.
 */
export function check(config: ConnectorConfig): string[] {
  const root = config.api_root;
  if (typeof root !== 'string') return [];
  const problems: string[] = [];
  if (root.endsWith('/')) problems.push(`api_root: remove the trailing "/" (write ${root.replace(/\/+$/, '')})`);
  const url = URL.canParse(root) ? new URL(root) : undefined;
  if (url?.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    problems.push(
      `api_root ${root} is plain http to a host other than this one: the bot token is part of every request path and would cross the network unencrypted; use https://, or run the Bot API server on this host (http://127.0.0.1:PORT)`,
    );
  }
  return problems;
}

/** Telegram bot tokens (`<bot id>:<35 characters>`), masked in logs even when not configured. */
export const redactPatterns: readonly RegExp[] = [/\b\d{5,12}:[A-Za-z0-9_-]{30,}/g];
