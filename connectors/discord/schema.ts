/** Config block of the `discord` connector: a bot on the Discord Gateway (outbound WebSocket) + REST. */
import { z } from 'zod';
import { connectorBase, httpUrl, secretRef } from '../../src/config/fields.js';
import type { ConnectorPlan } from '../../src/connector.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

/** Discord's own API base; the Gateway URL is asked from `GET {api_base}/v10/gateway/bot`. */
export const DEFAULT_API_BASE = 'https://discord.com/api';

/** The zod schema of a `platform: discord` block: the single source of its config type. */
export const schema = z
  .strictObject({
    ...connectorBase('discord'),
    token: secretRef.describe('The bot token (Developer Portal → your application → Bot → Reset Token).'),
    api_base: httpUrl
      .default(DEFAULT_API_BASE)
      .describe('REST base URL without the version; the Gateway URL is fetched from it. Point it at a proxy or at the local emulator.'),
  })
  .describe('discord: a bot on the Gateway WebSocket (discord.js). Outbound only; it opens no listener.');

/** A `platform: discord` block as written (secrets still references). */
export type DiscordConfig = z.infer<typeof schema>;

/** Longest message content Discord accepts. */
export const DISCORD_TEXT_LIMIT = 2000;

/** Outbound socket, authenticated by the bot token on the socket; never a listener. */
export function describe(_config: ConnectorConfig): ConnectorPlan {
  return { transport: 'outbound-socket', verification: 'socket-auth', listeners: [], textLimit: DISCORD_TEXT_LIMIT, canEdit: true };
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])$/i;

/** `api_base` over plain http would send the bot token in clear: allowed only to a loopback emulator. */
export function check(config: ConnectorConfig): string[] {
  const base = typeof config.api_base === 'string' ? config.api_base : DEFAULT_API_BASE;
  const url = new URL(base);
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    return [`api_base ${base} is plain http to a non-loopback host: the bot token would cross the network unencrypted; use https:// (http:// is only for an emulator on 127.0.0.1)`];
  }
  return [];
}

/** Discord bot tokens (`<base64 id>.<timestamp>.<hmac>`), masked in logs even when not configured. */
export const redactPatterns: readonly RegExp[] = [/\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g];
