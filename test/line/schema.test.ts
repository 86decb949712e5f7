/** The line config block: defaults, the loopback-only bind, the tunnel URL, rotation, and audit warnings. */
import { describe, expect, it } from 'vitest';
import { audit, check, describe as plan, hookUrl, schema } from '../../connectors/line/schema.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

const block = (webhook: object = {}, extra: object = {}) => ({
  platform: 'line',
  channel_secret: { env: 'LINE_CHANNEL_SECRET' },
  access_token: { env: 'LINE_ACCESS_TOKEN' },
  webhook: { bind: '127.0.0.1:8788', public_url: 'https://line-hooks.example.com', ...webhook },
  ...extra,
});
const parsed = (webhook: object = {}, extra: object = {}) => schema.parse(block(webhook, extra)) as unknown as ConnectorConfig;

describe('line schema', () => {
  it('fills the defaults: the tunnel daemon on loopback is the trusted proxy, 256 KiB bodies', () => {
    expect(schema.parse(block()).webhook).toEqual({ bind: '127.0.0.1:8788', public_url: 'https://line-hooks.example.com', trusted_proxies: ['127.0.0.1', '::1'], client_ip_header: 'x-forwarded-for', body_limit: 262_144 });
    expect(schema.parse(block({ client_ip_header: 'cf-connecting-ip' })).webhook.client_ip_header).toBe('cf-connecting-ip');
    expect(schema.safeParse(block({ client_ip_header: 'x-real-ip' })).success).toBe(false);
  });

  it('refuses inline secrets, unknown keys, a missing public_url, a malformed rotation deadline', () => {
    expect(schema.safeParse(block({}, { channel_secret: 'abc' })).success).toBe(false);
    expect(schema.safeParse(block({}, { webhook_url: 'x' })).success).toBe(false);
    expect(schema.safeParse({ ...block(), webhook: { bind: '127.0.0.1:8788' } }).success).toBe(false);
    expect(schema.safeParse(block({}, { previous_secret: { secret: { env: 'OLD' }, until: 'next week' } })).success).toBe(false);
    expect(schema.safeParse(block({}, { previous_secret: { secret: { env: 'OLD' }, until: '2026-12-01T00:00:00Z' } })).success).toBe(true);
  });

  it('is a webhook verified by signature, one listener public through the tunnel — from config alone', () => {
    expect(plan(parsed())).toEqual({
      transport: 'webhook',
      verification: 'signature',
      listeners: [{ bind: '127.0.0.1:8788', exposure: 'public', publicUrl: 'https://line-hooks.example.com', verification: 'signature' }],
      textLimit: 5000,
      canEdit: false,
    });
  });

  it('bind: loopback only (127.0.0.0/8, ::1), anything else refused with why', () => {
    expect(check(parsed())).toEqual([]);
    expect(check(parsed({ bind: '127.0.0.2:8788' }))).toEqual([]);
    expect(check(parsed({ bind: '[::1]:8788' }))).toEqual([]);
    for (const bind of ['0.0.0.0:8788', '192.168.1.5:8788', '[::]:8788', 'localhost:8788', 'example.com:443']) {
      expect(check(parsed({ bind })), bind).toEqual([expect.stringContaining('tunnel daemon on this machine')]);
    }
  });

  it('public_url: https, or http to a loopback host only; no query', () => {
    expect(check(parsed({ public_url: 'http://127.0.0.1:9000' }))).toEqual([]);
    expect(check(parsed({ public_url: 'http://hooks.example.com' }))).toEqual([expect.stringContaining('must be https://')]);
    expect(check(parsed({ public_url: 'https://hooks.example.com/?x=1' }))).toEqual([expect.stringContaining('query')]);
  });

  it('api_base: no path, no plain http off this host; trusted_proxies must be addresses or CIDRs', () => {
    expect(check(parsed({}, { api_base: 'http://127.0.0.1:9001' }))).toEqual([]);
    expect(check(parsed({}, { api_base: 'https://proxy.example.com/line' }))).toEqual([expect.stringContaining('scheme and host only')]);
    expect(check(parsed({}, { api_base: 'http://proxy.lan' }))).toEqual([expect.stringContaining('unencrypted')]);
    expect(check(parsed({ trusted_proxies: ['10.0.0.0/8', '::1', 'fd00::/8'] }))).toEqual([]);
    expect(check(parsed({ trusted_proxies: ['10.0.0.0/33'] }))).toEqual([expect.stringContaining('10.0.0.0/33')]);
  });

  it('audit warns about a non-https public URL and an expired previous secret', () => {
    expect(audit(parsed())).toEqual([]);
    expect(audit(parsed({ public_url: 'http://127.0.0.1:9000' }))).toEqual([expect.stringContaining('not https')]);
    const rotating = parsed({}, { previous_secret: { secret: { env: 'OLD' }, until: '2026-12-01T00:00:00Z' } });
    expect(audit(rotating, Date.parse('2026-11-30T00:00:00Z'))).toEqual([]);
    expect(audit(rotating, Date.parse('2026-12-02T00:00:00Z'))).toEqual([expect.stringContaining('remove it')]);
  });

  it('the hook URL joins the public URL and the listener path without a double slash', () => {
    expect(hookUrl('https://h.example.com/', '/hooks/whk_0123')).toBe('https://h.example.com/hooks/whk_0123');
    expect(hookUrl('https://h.example.com/line', '/hooks/whk_0123')).toBe('https://h.example.com/line/hooks/whk_0123');
  });
});
