/**
 * Attack: hostile JSON in correctly signed bodies — 100,000 levels deep, very wide, huge strings,
 * and `__proto__`/`constructor`/`prototype` keys in plain and escaped spellings. Each is a generic
 * 400 before `JSON.parse` recurses or allocates; nothing is polluted; the listener keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSigned, startTarget, type Target } from '../helpers/webhook.js';

describe('attack: JSON bombs', () => {
  let t: Target;
  beforeAll(async () => (t = await startTarget({ limits: { bodyLimit: 1024 * 1024 } })));
  afterAll(async () => {
    await t.stillServes();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await t.listener.close();
  });

  const cases: Record<string, [string | Buffer, string]> = {
    '100,000 levels of arrays': ['['.repeat(100_000) + ']'.repeat(100_000), 'json-too-deep'],
    '100,000 levels of objects': ['{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), 'json-too-deep'],
    'an array of 100,000 items': ['[' + Array(100_000).fill('0').join(',') + ']', 'json-too-many-keys'],
    'an object of 20,000 keys': ['{' + Array.from({ length: 20_000 }, (_, i) => `"k${i}":0`).join(',') + '}', 'json-too-many-keys'],
    'a 70,000-character string': [`{"events":[],"x":"${'a'.repeat(70_000)}"}`, 'json-string-too-long'],
    'a 70,000-character key': [`{"${'k'.repeat(70_000)}":1}`, 'json-string-too-long'],
    'a __proto__ key': ['{"events":[{"__proto__":{"polluted":true}}]}', 'json-forbidden-key'],
    'an escaped __proto__ key': ['{"events":[{"\\u005f_proto__":{"polluted":true}}]}', 'json-forbidden-key'],
    'a fully escaped __proto__ key': ['{"\\u005F\\u005F\\u0070\\u0072\\u006F\\u0074\\u006F\\u005F\\u005F":{"polluted":true}}', 'json-forbidden-key'],
    'constructor.prototype': ['{"constructor":{"prototype":{"polluted":true}}}', 'json-forbidden-key'],
    'invalid UTF-8 (a lone surrogate, CESU-8)': [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xb0, 0x80, 0x22, 0x7d]), 'json-invalid'],
    'an overlong UTF-8 quote': [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xa2, 0x22, 0x7d]), 'json-invalid'],
    'not JSON at all': ['{"a":1,,}', 'json-invalid'],
  };

  for (const [name, [body, reason]] of Object.entries(cases)) {
    it(`${name}: generic 400 (${reason})`, async () => {
      const before = t.listener.counters().rejectedBy[reason] ?? 0;
      const reply = await sendSigned(t.listener.url, t.secret, body);
      expect([reply.status, reply.body]).toEqual([400, '{"error":"bad request"}']);
      expect(t.listener.counters().rejectedBy[reason]).toBe(before + 1);
      expect(t.accepted).toHaveLength(0);
    });
  }

  it('a __proto__ value (not a key) is ordinary data', async () => {
    const reply = await sendSigned(t.listener.url, t.secret, '{"events":[{"webhookEventId":"PROTOVALUE","text":"__proto__"}]}');
    expect(reply.status).toBe(200);
    expect(t.eventIds()).toEqual(['PROTOVALUE']);
  });
});
