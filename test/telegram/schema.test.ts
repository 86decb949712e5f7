/** The telegram config block: defaults, refusals, and the checks zod cannot express. */
import { describe, expect, it } from 'vitest';
import { check, describe as plan, schema } from '../../connectors/telegram/schema.js';
import type { ConnectorConfig } from '../../src/registry-types.js';

const block = (extra: object = {}) => ({ platform: 'telegram', token: { env: 'TELEGRAM_BOT_TOKEN' }, ...extra });

describe('telegram schema', () => {
  it('fills the defaults: long polling 30 s, 100 per call, webhook removed at start, DMs by pairing', () => {
    expect(schema.parse(block())).toEqual({
      platform: 'telegram', enabled: true, token: { env: 'TELEGRAM_BOT_TOKEN' }, polling: { timeout: 30, limit: 100 }, delete_webhook: true,
      access: { dm: 'pairing', groups: [], owners: [], allowed: [], rate_limit: 20 },
    });
  });

  it('refuses an inline token, unknown keys, out-of-range polling and unknown update types', () => {
    expect(schema.safeParse(block({ token: '123456:AAAA' })).success).toBe(false);
    expect(schema.safeParse(block({ webhook: true })).success).toBe(false);
    expect(schema.safeParse(block({ polling: { timeout: 90 } })).success).toBe(false);
    expect(schema.safeParse(block({ polling: { limit: 0 } })).success).toBe(false);
    expect(schema.safeParse(block({ allowed_updates: ['message', 'messages'] })).success).toBe(false);
    expect(schema.safeParse(block({ allowed_updates: ['message', 'callback_query', 'message_reaction'] })).success).toBe(true);
  });

  it('is outbound, verified by token, with no listener — from config alone', () => {
    expect(plan(schema.parse(block()) as unknown as ConnectorConfig)).toEqual({ transport: 'outbound-socket', verification: 'token', listeners: [], textLimit: 4096, canEdit: true, minEditIntervalMs: 3000 });
  });

  it('api_root: https anywhere, http only to this host, never a trailing slash', () => {
    const problems = (api_root: string) => check(schema.parse(block({ api_root })) as unknown as ConnectorConfig);
    expect(problems('https://tg-proxy.example.com')).toEqual([]);
    expect(problems('http://127.0.0.1:8081')).toEqual([]);
    expect(problems('http://localhost:8081')).toEqual([]);
    expect(problems('http://bot-api.lan:8081')).toEqual([expect.stringContaining('unencrypted')]);
    expect(problems('https://api.telegram.org/')).toEqual([expect.stringContaining('remove the trailing "/"')]);
  });
});
