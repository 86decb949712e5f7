/** Config block of the `slack` connector: a Slack app on Socket Mode — outbound only, never an HTTP endpoint. */
import { z } from 'zod';
import { connectorBase, httpUrl, secretRef } from '../../src/config/fields.js';
import type { ConnectorPlan } from '../../src/connector.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

/** The `platform: slack` block; `.strict()`, every key described (the JSON schema and example.yaml show them). */
export const schema = z
  .strictObject({
    ...connectorBase('slack'),
    app_token: secretRef.describe('The app-level token (xapp-1-...) with the connections:write scope: it opens the Socket Mode connection.'),
    bot_token: secretRef.describe('The bot token (xoxb-...) the app was installed with: it sends, edits and reacts.'),
    api_url: httpUrl
      .optional()
      .describe('Web API base URL, ending in /api/: a proxy or the emulator. Default https://slack.com/api/.'),
  })
  .describe('slack: a Slack app through Socket Mode. Outbound only: it dials Slack\'s WebSocket and opens no listener.');

/** The validated block (before secrets are resolved). */
export type SlackConfig = z.infer<typeof schema>;

/** Slack truncates `text` past 40,000 characters and advises 4,000; we split there. */
export const SLACK_TEXT_LIMIT = 4000;

/** Socket Mode is dialled out and authenticated by the app token; nothing listens. */
export function describe(_config: ConnectorConfig): ConnectorPlan {
  return { transport: 'outbound-socket', verification: 'socket-auth', listeners: [], textLimit: SLACK_TEXT_LIMIT, canEdit: true };
}

const LOOPBACK_HOST = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * What zod cannot say: both tokens from one reference is a mistake (they are different tokens), and
 * plain http to another host would carry both tokens (in the Authorization header) unencrypted.
 */
export function check(config: ConnectorConfig): string[] {
  const problems: string[] = [];
  if (JSON.stringify(config.app_token) === JSON.stringify(config.bot_token)) {
    problems.push('app_token and bot_token name the same secret: the app token is xapp-..., the bot token xoxb-...; give each its own reference');
  }
  const root = config.api_url;
  if (typeof root === 'string') {
    if (!root.endsWith('/')) problems.push(`api_url: end it with "/" (write ${root}/), as Slack method names are appended to it`);
    const url = URL.canParse(root) ? new URL(root) : undefined;
    if (url?.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
      problems.push(`api_url ${root} is plain http to a host other than this one: both tokens would cross the network unencrypted; use https://, or an emulator on http://127.0.0.1:PORT/api/`);
    }
  }
  return problems;
}

const APP_TOKEN = /^xapp-\d+-[A-Za-z0-9]+-\d+-[A-Za-z0-9]+$/;
const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]+$/;

/**
 * Shape problems of the resolved tokens (never their values): the app token must be `xapp-…`, the
 * bot token `xoxb-…`. Swapped tokens are the common mistake, so it is named.
 */
export function tokenShapeProblems(appToken: string, botToken: string): string[] {
  const problems: string[] = [];
  if (!APP_TOKEN.test(appToken)) {
    problems.push(
      appToken.startsWith('xoxb-')
        ? 'app_token holds a bot token (xoxb-...); it needs the app-level token (xapp-1-...) from Basic Information → App-Level Tokens'
        : 'app_token is not an app-level token (xapp-1-A...-...-...); create one with the connections:write scope under Basic Information → App-Level Tokens',
    );
  }
  if (!BOT_TOKEN.test(botToken)) {
    problems.push(
      botToken.startsWith('xapp-')
        ? 'bot_token holds an app-level token (xapp-...); it needs the Bot User OAuth Token (xoxb-...) from OAuth & Permissions'
        : 'bot_token is not a bot token (xoxb-...); copy the Bot User OAuth Token from OAuth & Permissions',
    );
  }
  return problems;
}

/** `config check` on the resolved tokens: their shapes (see {@link tokenShapeProblems}). */
export function checkSecrets(config: ConnectorConfig): string[] {
  const reveal = (s: unknown) => (s as { reveal(): string }).reveal();
  return tokenShapeProblems(reveal(config.app_token), reveal(config.bot_token));
}

/** Slack bot/user tokens (`xox?-…`) and app-level tokens (`xapp-…`), masked in logs even when not configured. */
export const redactPatterns: readonly RegExp[] = [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, /\bxapp-[A-Za-z0-9-]{8,}/g];
