/** The JSON guard's scanner and guarded parse: depth, size, string length, forbidden keys. */
import { describe, expect, it } from 'vitest';
import { parseGuarded, scanJson } from '../../src/listener/json-guard.js';
import { DEFAULT_LIMITS } from '../../src/listener/index.js';

const L = DEFAULT_LIMITS.json;
const small = { maxDepth: 3, maxKeys: 5, maxStringLength: 8 };

describe('scanJson', () => {
  it('passes ordinary documents, including strings that look like structure', () => {
    expect(scanJson('{"a":[1,2,{"b":"x"}],"c":null,"d":true,"e":-1.5e3}', L)).toBeUndefined();
    expect(scanJson('"[[[[{{{{"', small)).toBeUndefined();
    expect(scanJson('{"k":"a\\"b"}', L)).toBeUndefined();
    expect(scanJson('  []  ', L)).toBeUndefined();
  });

  it('limits depth at exactly maxDepth', () => {
    expect(scanJson('[[[1]]]', small)).toBeUndefined();
    expect(scanJson('[[[[1]]]]', small)).toBe('json-too-deep');
    expect(scanJson('{"a":{"b":{"c":{}}}}', small)).toBe('json-too-deep');
    expect(scanJson('['.repeat(100_000) + ']'.repeat(100_000), L)).toBe('json-too-deep');
  });

  it('counts keys and array items together', () => {
    expect(scanJson('{"a":1,"b":[1,2],"c":3}', small)).toBeUndefined(); // 3 keys + 2 items
    expect(scanJson('{"a":1,"b":[1,2,3],"c":3}', small)).toBe('json-too-many-keys');
    expect(scanJson('[' + Array(10_001).fill('0').join(',') + ']', L)).toBe('json-too-many-keys');
    expect(scanJson('[' + Array(10_000).fill('0').join(',') + ']', L)).toBeUndefined();
  });

  it('measures strings after unescaping', () => {
    expect(scanJson('"12345678"', small)).toBeUndefined();
    expect(scanJson('"123456789"', small)).toBe('json-string-too-long');
    expect(scanJson('"\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041\\u0041"', small)).toBeUndefined(); // 8 units
    expect(scanJson('{"123456789":1}', small)).toBe('json-string-too-long');
  });

  it('refuses __proto__, constructor and prototype keys in any spelling, but not as values', () => {
    expect(scanJson('{"__proto__":{"x":1}}', L)).toBe('json-forbidden-key');
    expect(scanJson('{"a":[{"constructor":{"prototype":1}}]}', L)).toBe('json-forbidden-key');
    expect(scanJson('{"ok":1,"prototype":2}', L)).toBe('json-forbidden-key');
    expect(scanJson('{"\\u005f_proto__":1}', L)).toBe('json-forbidden-key');
    expect(scanJson('{"\\u005F\\u005Fproto\\u005F\\u005F":1}', L)).toBe('json-forbidden-key');
    expect(scanJson('{"__pro\\u0074o__":1}', L)).toBe('json-forbidden-key');
    expect(scanJson('{"text":"__proto__"}', L)).toBeUndefined();
    expect(scanJson('["constructor"]', L)).toBeUndefined();
    expect(scanJson('{"__proto":1,"proto__":2}', L)).toBeUndefined();
  });

  it('flags broken structure it can see; leaves the rest to JSON.parse', () => {
    expect(scanJson(']', L)).toBe('json-invalid');
    expect(scanJson('"unterminated', L)).toBe('json-invalid');
    expect(scanJson('{"\\u00zz":1}', L)).toBe('json-invalid');
  });
});

describe('parseGuarded', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');

  it('parses a guarded document', () => {
    expect(parseGuarded(bytes('{"events":[{"text":"héllo"}]}'), L)).toEqual({ ok: true, value: { events: [{ text: 'héllo' }] } });
  });

  it('refuses invalid UTF-8, invalid JSON, and what the scanner refuses', () => {
    expect(parseGuarded(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), L)).toEqual({ ok: false, reason: 'json-invalid' });
    expect(parseGuarded(bytes('{"a":}'), L)).toEqual({ ok: false, reason: 'json-invalid' });
    expect(parseGuarded(bytes(''), L)).toEqual({ ok: false, reason: 'json-invalid' });
    expect(parseGuarded(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('{}')]), L)).toEqual({ ok: false, reason: 'json-invalid' });
    expect(parseGuarded(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), L)).toEqual({ ok: false, reason: 'json-invalid' }); // a UTF-8-encoded surrogate
    expect(parseGuarded(bytes('{"__proto__":{"polluted":true}}'), L)).toEqual({ ok: false, reason: 'json-forbidden-key' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
