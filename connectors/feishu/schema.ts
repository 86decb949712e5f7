/** Config block of the `feishu` connector: a Feishu / Lark app on the SDK's long connection — outbound only. */
import { z } from 'zod';
import { connectorBase, secretRef } from '../../src/config/fields.js';
import type { ConnectorPlan } from '../../src/connector.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

/** What `WSClient.start()` accepts; any other app id makes it log one line and return, connecting nothing. */
export const APP_ID = /^cli_[0-9a-fA-F]{16}$/;

/** The `platform: feishu` block; `.strict()`, every key described. */
export const schema = z
  .strictObject({
    ...connectorBase('feishu'),
    app_id: z
      .string()
      .regex(
        APP_ID,
        'an app id of the form cli_ followed by 16 hex digits (Developer Console → Credentials); the Lark SDK silently does nothing with any other value: no connection, no error',
      )
      .describe('The app id (cli_ + 16 hex digits) from the developer console. Not secret.'),
    app_secret: secretRef.describe('The app secret from the developer console. Anyone holding it with the app id acts as the bot.'),
    domain: z
      .union([z.literal('feishu'), z.literal('lark'), z.string().regex(/^https?:\/\/[^\s/]+$/, 'feishu, lark, or an http(s) base URL without a path')])
      .default('feishu')
      .describe('Which open platform to dial: feishu (open.feishu.cn), lark (open.larksuite.com), or a base URL such as a proxy or the local emulator (http://127.0.0.1:PORT).'),
  })
  .describe('feishu: a Feishu / Lark app through the SDK long connection (WSClient). Outbound only: it opens no listener; enable "receive events through persistent connection" in the developer console.');

/** The validated block (before secrets are resolved). */
export type FeishuConfig = z.infer<typeof schema>;

/**
 * Characters per text message. Feishu caps a text message's request body at 150 KB; 30,000 characters
 * of 3-byte UTF-8 plus JSON escaping stays well below it.
 */
export const FEISHU_TEXT_LIMIT = 30_000;

/**
 * Edits the runner makes to one message. Feishu takes at most 20 per message ("一条消息最多可编辑 20
 * 次", im.v1.message.update); 18 leaves a margin for an edit that succeeded but whose answer was lost.
 */
export const FEISHU_MAX_EDITS_PER_MESSAGE = 18;

/** Dialled out; the app id and secret authenticate the socket; nothing listens. */
export function describe(_config: ConnectorConfig): ConnectorPlan {
  return {
    transport: 'outbound-socket',
    verification: 'socket-auth',
    listeners: [],
    textLimit: FEISHU_TEXT_LIMIT,
    canEdit: true,
    maxEditsPerMessage: FEISHU_MAX_EDITS_PER_MESSAGE,
  };
}

const LOOPBACK_HOST = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** Plain http to another host would carry the app secret (sent to fetch the endpoint and tokens) unencrypted. */
export function check(config: ConnectorConfig): string[] {
  const domain = config.domain;
  if (typeof domain !== 'string' || !URL.canParse(domain)) return [];
  const url = new URL(domain);
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    return [`domain ${domain} is plain http to a host other than this one: the app secret would cross the network unencrypted; use https://, or http://127.0.0.1:PORT for a local emulator`];
  }
  return [];
}

/** Lark/Feishu tenant and user access tokens (`t-…`, `u-…`), masked in logs even when not configured. */
export const redactPatterns: readonly RegExp[] = [/\b[tu]-[A-Za-z0-9_]{24,}/g];
