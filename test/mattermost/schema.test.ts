/** The mattermost config block: the plan status shows, the public-bind refusal, and audit warnings. */
import { describe, expect, it } from 'vitest';
import { audit, check, describe as plan, schema } from '../../connectors/mattermost/schema.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

const block = (extra: Record<string, unknown> = {}) =>
  schema.parse({ platform: 'mattermost', url: 'https://chat.example.lan', token: { env: 'MM_TOKEN' }, ...extra }) as unknown as ConnectorConfig;

describe('mattermost schema', () => {
  it('is an outbound socket with no listener unless callbacks is set; then one, loopback or lan', () => {
    expect(plan(block())).toEqual({ transport: 'outbound-socket', verification: 'socket-auth', listeners: [], textLimit: 16_383, canEdit: true });
    expect(plan(block({ callbacks: { bind: '127.0.0.1:8787' } })).listeners).toEqual([{ bind: '127.0.0.1:8787', exposure: 'loopback', verification: 'token' }]);
    expect(plan(block({ callbacks: { bind: '192.168.1.20:8787', public_url: 'http://sb.example.lan:8787' } })).listeners).toEqual([
      { bind: '192.168.1.20:8787', exposure: 'lan', publicUrl: 'http://sb.example.lan:8787', verification: 'token' },
    ]);
    expect(block().button_ttl).toBe('24h');
  });

  it('accepts loopback and private binds, refuses a public one (and a host name) with the reason', () => {
    for (const bind of ['127.0.0.1:8787', '[::1]:8787', '10.1.2.3:1', '172.20.0.1:1', '192.168.0.9:1', '[fd00::1]:1', '[fe80::1]:1']) {
      expect(check(block({ callbacks: { bind } })), bind).toEqual([]);
    }
    const [problem] = check(block({ callbacks: { bind: '0.0.0.0:8787' } }));
    expect(problem).toMatch(/public address: Mattermost does not sign button callbacks/);
    expect(check(block({ callbacks: { bind: '8.8.8.8:80' } }))).toHaveLength(1);
    expect(check(block({ callbacks: { bind: '[2001:db8::1]:80' } }))).toHaveLength(1);
    expect(check(block({ callbacks: { bind: 'switchboard.lan:80' } }))[0]).toMatch(/give an IP address/);
  });

  it('makes the declared bind exact: localhost is the 127.0.0.1 it binds, IPv6 is canonical lower case', () => {
    for (const bind of ['localhost:8787', 'LocalHost:8787']) {
      expect(check(block({ callbacks: { bind } })), bind).toEqual([]);
      expect(plan(block({ callbacks: { bind } })).listeners).toEqual([{ bind: '127.0.0.1:8787', exposure: 'loopback', verification: 'token' }]);
    }
    expect(plan(block({ callbacks: { bind: '[FE80:0::A:0001]:8787' } })).listeners).toEqual([{ bind: '[fe80::a:1]:8787', exposure: 'lan', verification: 'token' }]);
    expect(plan(block({ callbacks: { bind: '[::1]:0' } })).listeners[0]!.bind).toBe('[::1]:0');
  });

  it('refuses a server URL with /api/v4, a trailing slash, or plain http across the internet', () => {
    expect(check(block({ url: 'https://chat.example.com/api/v4' }))[0]).toMatch(/remove the \/api\/v4/);
    expect(check(block({ url: 'https://chat.example.com/' }))[0]).toMatch(/trailing/);
    expect(check(block({ url: 'http://chat.example.com' }))[0]).toMatch(/unencrypted/);
    expect(check(block({ url: 'http://127.0.0.1:8065' }))).toEqual([]);
  });

  it('audit warns when a public server could not reach a loopback/LAN callback listener', () => {
    expect(audit(block({ callbacks: { bind: '127.0.0.1:8787' } }))).toEqual([]);
    const [warning] = audit(block({ url: 'https://mattermost.example.com', callbacks: { bind: '127.0.0.1:8787' } }));
    expect(warning).toMatch(/cannot reach it.*tunnel/);
    expect(audit(block({ url: 'https://mattermost.example.com' }))).toEqual([]);
  });

  it('refuses unknown keys and inline secrets', () => {
    expect(schema.safeParse({ platform: 'mattermost', url: 'https://x.lan', token: 'inline' }).success).toBe(false);
    expect(schema.safeParse({ platform: 'mattermost', url: 'https://x.lan', token: { env: 'T' }, nope: 1 }).success).toBe(false);
  });
});
