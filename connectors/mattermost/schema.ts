/**
 * Config block of the `mattermost` connector: a bot account whose posts arrive over Mattermost's
 * WebSocket (dialled out, authenticated with the bot token). Only when `callbacks` is set does it
 * open a listener — for button clicks, which Mattermost POSTs to us — and then only on loopback or a
 * private LAN address.
 */
import { z } from 'zod';
import { connectorBase, duration, hostPort, httpUrl, secretRef } from '../../src/config/fields.js';
import type { ConnectorPlan, ListenerInfo } from '../../src/connector.js';
import type { ConnectorConfig } from '../../src/registry-types.js';
import { canonicalBind, hostOf, isLocalHost, scopeOf } from './address.js';

/** How long a button stays pressable unless `button_ttl` says otherwise. */
export const DEFAULT_BUTTON_TTL = '24h';
/** Mattermost's longest post, in characters. */
export const MATTERMOST_TEXT_LIMIT = 16_383;
/** Streamed cap on a callback body: Mattermost's integration request is a few hundred bytes. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

const callbacks = z
  .strictObject({
    bind: hostPort.describe(
      'Where the button-callback listener binds: a loopback (127.0.0.1:8787, [::1]:8787; localhost:8787 binds 127.0.0.1) or private LAN address (10/8, 172.16/12, 192.168/16, fc00::/7, fe80::/10). A public address is refused. Port 0 = any free port.',
    ),
    public_url: httpUrl
      .optional()
      .describe('The base URL the Mattermost server reaches the listener at, when it is not the bind address (another name on your LAN, a reverse proxy). The route /hooks/<endpoint id> is appended.'),
  })
  .describe('Button clicks: Mattermost POSTs each click to this listener. Leave out to send no buttons (everything else works without it).');

/** The `platform: mattermost` block; `.strict()`, every key described. */
export const schema = z
  .strictObject({
    ...connectorBase('mattermost'),
    url: httpUrl.describe('The Mattermost server, scheme and host (and a path prefix if it has one), e.g. https://chat.example.lan. No trailing /api/v4.'),
    token: secretRef.describe('The bot account\'s access token (System Console > Integrations > Bot Accounts, or a personal access token). Sent as a Bearer token on every call and in the WebSocket authentication challenge.'),
    team: z
      .string()
      .min(1)
      .optional()
      .describe('Only posts of this team (by name or id) reach the agent, besides direct and group messages. Default: every team the bot is in.'),
    callbacks: callbacks.optional(),
    button_ttl: duration
      .default(DEFAULT_BUTTON_TTL)
      .describe('How long a button Switchboard posted can be pressed; a later click is refused as expired. Default 24h.'),
  })
  .describe('mattermost: a Mattermost bot. Posts over the WebSocket (outbound); button clicks, when callbacks is set, through a loopback/LAN listener verified by Switchboard\'s own signed token.');

/** The validated block (before secrets are resolved). */
export type MattermostConfig = z.infer<typeof schema>;

/** The listener `callbacks` would open, as config alone describes it. */
export function plannedListener(configured: string, publicUrl?: string): ListenerInfo {
  const bind = canonicalBind(configured);
  const scope = scopeOf(hostOf(bind));
  return {
    bind,
    exposure: scope === 'loopback' ? 'loopback' : scope === 'lan' ? 'lan' : 'public',
    ...(publicUrl ? { publicUrl } : {}),
    verification: 'token',
  };
}

/** Posts come over the authenticated WebSocket; a callback listener only when `callbacks` is set. */
export function describe(config: ConnectorConfig): ConnectorPlan {
  const cb = config.callbacks as MattermostConfig['callbacks'];
  return {
    transport: 'outbound-socket',
    verification: 'socket-auth',
    listeners: cb ? [plannedListener(cb.bind, cb.public_url)] : [],
    textLimit: MATTERMOST_TEXT_LIMIT,
    canEdit: true,
  };
}

/** What zod cannot say: the callback bind must not be public; the server URL must be usable. */
export function check(config: ConnectorConfig): string[] {
  const c = config as unknown as MattermostConfig;
  const problems: string[] = [];
  const server = URL.canParse(c.url) ? new URL(c.url) : undefined;
  if (!server) problems.push(`url ${c.url} is not a URL; write the server address, e.g. https://chat.example.lan`);
  else {
    if (/\/api\/v4\/?$/.test(server.pathname)) problems.push(`url: remove the /api/v4 suffix (write ${c.url.replace(/\/api\/v4\/?$/, '')})`);
    if (c.url.endsWith('/')) problems.push(`url: remove the trailing "/" (write ${c.url.replace(/\/+$/, '')})`);
    if (server.protocol === 'http:' && !isLocalHost(server.hostname)) {
      problems.push(`url ${c.url} is plain http to a host outside your network: the bot token is in every request and would cross the internet unencrypted; use https://`);
    }
  }
  if (c.callbacks) {
    const host = hostOf(c.callbacks.bind);
    const scope = scopeOf(host);
    if (scope === 'public') {
      problems.push(
        `callbacks.bind ${c.callbacks.bind} is a public address: Mattermost does not sign button callbacks, so this listener may only bind loopback (127.0.0.1) or a private LAN address (10.x, 172.16-31.x, 192.168.x, fc00::/7, fe80::/10) that your Mattermost server can reach`,
      );
    } else if (scope === 'name') {
      problems.push(`callbacks.bind ${c.callbacks.bind}: give an IP address (127.0.0.1:8787 or a LAN address such as 192.168.1.10:8787), not a host name, so what is exposed is exact`);
    }
    const pub = c.callbacks.public_url;
    if (pub !== undefined && URL.canParse(pub) && (new URL(pub).search || new URL(pub).hash)) {
      problems.push('callbacks.public_url: remove the query or fragment; the route /hooks/<endpoint id> is appended to it');
    }
  }
  return problems;
}

/** Warnings for `switchboard audit`: callbacks a remote public server could never reach. */
export function audit(config: ConnectorConfig): string[] {
  const c = config as unknown as MattermostConfig;
  const warnings: string[] = [];
  const server = URL.canParse(c.url) ? new URL(c.url) : undefined;
  if (c.callbacks && server && !isLocalHost(server.hostname)) {
    warnings.push(
      `callbacks: the Mattermost server ${server.host} looks public, but the callback listener binds ${c.callbacks.bind} (loopback/LAN): a remote server cannot reach it, so button clicks will not arrive. Run Switchboard on the server's network, or publish the listener through a tunnel with LINE's hardening (trusted proxy, public_url) — or leave callbacks out and send no buttons`,
    );
  }
  if (server?.protocol === 'http:' && scopeOf(server.hostname) !== 'loopback') {
    warnings.push(`url ${c.url} is plain http: the bot token crosses your network unencrypted; prefer https://`);
  }
  return warnings;
}
