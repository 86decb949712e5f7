/**
 * Config block of the `line` connector: a LINE Messaging API channel whose webhook reaches a loopback
 * listener through a tunnel daemon on this machine (cloudflared, Tailscale Funnel). The listener never
 * binds anything but loopback; `public_url` is the tunnel's address, required so that `status` and
 * `audit` can say where the listener is exposed.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { connectorBase, hostPort, httpUrl, secretRef } from '../../src/config/fields.js';
import type { ConnectorPlan } from '../../src/connector.js';
import { isLoopbackAddress, splitHostPort } from '../../src/net/host-port.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

/** The Messaging API's own address. */
export const LINE_API_BASE = 'https://api.line.me';
/** Default streamed cap on a webhook body: LINE batches events, but 256 KiB is far above any real one. */
export const LINE_BODY_LIMIT = 256 * 1024;
/** The tunnel daemon runs on this machine: only its loopback addresses may forward a client IP. */
export const LINE_TRUSTED_PROXIES: readonly string[] = ['127.0.0.1', '::1'];

const webhook = z
  .strictObject({
    bind: hostPort.describe('Where the webhook listener binds: a loopback address and port (127.0.0.1:8788 or [::1]:8788). Anything else is refused: LINE reaches it only through the tunnel daemon on this machine.'),
    public_url: httpUrl.describe(
      'The public https URL your tunnel publishes the listener at (e.g. https://line-hooks.example.com). The hook URL to enter in the LINE console is this plus /hooks/<endpoint id>, shown by `switchboard status` and logged at start. http:// only for a loopback host (the sandbox and tests).',
    ),
    trusted_proxies: z
      .array(z.string().min(1))
      .default([...LINE_TRUSTED_PROXIES])
      .describe('Addresses or CIDRs of the tunnel daemon, whose client_ip_header is believed for the client IP (fail-ban, logs). Default [127.0.0.1, ::1].'),
    client_ip_header: z
      .enum(['x-forwarded-for', 'cf-connecting-ip'])
      .default('x-forwarded-for')
      .describe(
        'The header the tunnel daemon names the caller in: x-forwarded-for (Tailscale Funnel and most proxies; the right-most address that is not a trusted proxy) or cf-connecting-ip (cloudflared only: Cloudflare overwrites it, while other tunnels pass a sender\'s own value through). Default x-forwarded-for.',
      ),
    body_limit: z
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(LINE_BODY_LIMIT)
      .describe('Largest webhook body in bytes; a larger one is answered 413 and its socket closed. Default 262144 (256 KiB).'),
  })
  .describe('The webhook listener LINE delivers to, through your tunnel.');

/** The `platform: line` block; `.strict()`, every key described. */
export const schema = z
  .strictObject({
    ...connectorBase('line'),
    channel_secret: secretRef.describe('The channel secret (LINE Developers console, Basic settings). Every webhook body is signed with it (X-Line-Signature).'),
    previous_secret: z
      .strictObject({
        secret: secretRef.describe('The channel secret before you reissued it.'),
        until: z.iso.datetime({ offset: true }).describe('ISO time (e.g. 2026-12-01T00:00:00Z) after which signatures by the previous secret are refused.'),
      })
      .optional()
      .describe('While rotating the channel secret: signatures by the old one are still accepted until `until`.'),
    access_token: secretRef.describe('A channel access token (Messaging API tab; long-lived or v2.1). Sent as a Bearer token on every API call.'),
    api_base: httpUrl
      .optional()
      .describe('Messaging API base URL, scheme and host only (no path): a proxy, or the emulator. Default https://api.line.me.'),
    webhook,
  })
  .describe('line: a LINE Official Account through the Messaging API. Webhook: a loopback listener reached through a tunnel; replies by reply token, push as fallback.');

/** The validated block (before secrets are resolved). */
export type LineConfig = z.infer<typeof schema>;

/** Longest text message LINE takes. */
export const LINE_TEXT_LIMIT = 5000;

/**
 * LINE pushes to a webhook: one loopback listener, public through the tunnel, verified by signature.
 * Messages cannot be edited once sent.
 */
export function describe(config: ConnectorConfig): ConnectorPlan {
  const hook = config.webhook as LineConfig['webhook'];
  return {
    transport: 'webhook',
    verification: 'signature',
    listeners: [{ bind: hook.bind, exposure: 'public', publicUrl: hook.public_url, verification: 'signature' }],
    textLimit: LINE_TEXT_LIMIT,
    canEdit: false,
  };
}

const LOOPBACK_NAME = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** What zod cannot say: the bind must be loopback, URLs must be usable, proxies must parse. */
export function check(config: ConnectorConfig): string[] {
  const c = config as unknown as LineConfig;
  const problems: string[] = [];
  if (!isLoopbackAddress(splitHostPort(c.webhook.bind).host)) {
    problems.push(
      `webhook.bind ${c.webhook.bind} is not a loopback address: LINE reaches this listener through a tunnel daemon on this machine (cloudflared, Tailscale Funnel), so it must bind 127.0.0.1 (or another 127.x address, or [::1]); write e.g. 127.0.0.1:8788 and point the tunnel at it`,
    );
  }
  const pub = URL.canParse(c.webhook.public_url) ? new URL(c.webhook.public_url) : undefined;
  if (!pub) problems.push(`webhook.public_url ${c.webhook.public_url} is not a URL; write the tunnel's https address, e.g. https://line-hooks.example.com`);
  else {
    if (pub.protocol === 'http:' && !LOOPBACK_NAME.test(pub.hostname)) {
      problems.push(`webhook.public_url must be https:// (LINE only delivers to https); plain http is allowed only for a loopback host (the sandbox and tests)`);
    }
    if (pub.search || pub.hash) problems.push('webhook.public_url: remove the query or fragment; the hook path /hooks/<endpoint id> is appended to it');
  }
  for (const proxy of c.webhook.trusted_proxies ?? []) {
    if (!isAddressOrCidr(proxy)) problems.push(`webhook.trusted_proxies: "${proxy}" is not an IP address or CIDR (e.g. 127.0.0.1 or 10.0.0.0/8)`);
  }
  if (c.api_base !== undefined) {
    const api = URL.canParse(c.api_base) ? new URL(c.api_base) : undefined;
    if (api && api.pathname !== '/') problems.push(`api_base ${c.api_base}: give the scheme and host only (the SDK drops any path); write ${api.origin}`);
    if (api?.protocol === 'http:' && !LOOPBACK_NAME.test(api.hostname)) {
      problems.push(`api_base ${c.api_base} is plain http to a host other than this one: the access token is in every request's Authorization header and would cross the network unencrypted; use https://`);
    }
  }
  return problems;
}

/** Warnings for `switchboard audit`: a public URL without TLS, a rotation deadline already past. */
export function audit(config: ConnectorConfig, now: number = Date.now()): string[] {
  const c = config as unknown as LineConfig;
  const warnings: string[] = [];
  if (!c.webhook.public_url.startsWith('https://')) {
    warnings.push(`webhook.public_url ${c.webhook.public_url} is not https: LINE delivers only to https URLs, so this works only with the local emulator`);
  }
  if (c.previous_secret && Date.parse(c.previous_secret.until) <= now) {
    warnings.push(`previous_secret expired at ${c.previous_secret.until} and is no longer accepted; remove it from the config`);
  }
  return warnings;
}

/** The URL to enter in the LINE console: `public_url` (any trailing "/" dropped) + the listener's path. */
export function hookUrl(publicUrl: string, path: string): string {
  return publicUrl.replace(/\/+$/, '') + path;
}

function isAddressOrCidr(text: string): boolean {
  const [addr, bits, extra] = text.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}
