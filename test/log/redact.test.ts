import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registry } from '../../connectors/registry.js';
import { loadConnectorSchemas, loadRedactPatterns, type SchemaRegistry } from '../../src/config/connector-schemas.js';
import { createRedactor } from '../../src/log/redact.js';
import { createLogger } from '../../src/log/logger.js';

// The platforms' token shapes come from their schema modules, registered when the registry is loaded.
beforeAll(() => loadRedactPatterns());

describe('createRedactor', () => {
  it('masks configured secret values, also JSON- and URL-escaped', () => {
    const r = createRedactor(['s3cr"et/value']);
    expect(r('token s3cr"et/value here')).toBe('token [REDACTED] here');
    expect(r(JSON.stringify({ t: 's3cr"et/value' }))).toBe('{"t":"[REDACTED]"}');
    expect(r(`u=${encodeURIComponent('s3cr"et/value')}`)).toBe('u=[REDACTED]');
  });

  it('masks token-shaped strings that are not configured (the platforms\' shapes from their schema modules)', () => {
    const r = createRedactor([]);
    const samples = [
      '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1',
      'xoxb-1234567890-abcdefghijkl',
      'xapp-1-A0123-456-abcdef0123',
      'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123',
      'whk_0123456789abcdef0123456789abcdef',
      't-g1044abcdefghijklmnopqrstuvwxyz12',
    ];
    for (const s of samples) expect(r(`x ${s} y`)).toBe('x [REDACTED] y');
    expect(r('Authorization: Bearer abcdefghijklmnop1234')).toBe('Authorization: Bearer [REDACTED]');
  });

  it('leaves ordinary text alone and ignores very short values', () => {
    const r = createRedactor(['ab']);
    expect(r('a normal log line about ab and 42')).toBe('a normal log line about ab and 42');
  });
});

describe('createLogger', () => {
  it('scrubs every line it writes, including error messages and child bindings', () => {
    const lines: string[] = [];
    const { log } = createLogger({ level: 'info', secrets: ['supersecretvalue'], sink: { write: (l) => lines.push(l) } });
    const child = log.child({ connector: 'tg', url: 'http://x/botsupersecretvalue/getMe' });
    child.error({ err: new Error('auth failed for supersecretvalue') }, 'failed with supersecretvalue');
    const all = lines.join('');
    expect(all).not.toContain('supersecretvalue');
    expect(all).toContain('[REDACTED]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', connector: 'tg' });
  });
});

describe('token shapes from the registry', () => {
  it('a pattern a schema module exports is applied, also by a logger made before the schemas were loaded', async () => {
    const lines: string[] = [];
    const { log } = createLogger({ level: 'info', secrets: [], sink: { write: (l) => lines.push(l) } });
    const r = createRedactor([]);
    expect(r('key zz9-0123456789abcdef here')).toBe('key zz9-0123456789abcdef here');
    const fake: SchemaRegistry = {
      fake: {
        schema: async () => ({
          schema: z.strictObject({ platform: z.literal('fake') }),
          describe: () => { throw new Error('not used'); },
          redactPatterns: [/\bzz9-[0-9a-f]{16}\b/], // no `g`: every occurrence is masked anyway
        }),
      },
    };
    await loadConnectorSchemas(fake);
    expect(r('key zz9-0123456789abcdef and zz9-fedcba9876543210')).toBe('key [REDACTED] and [REDACTED]');
    log.warn({ err: new Error('refused zz9-0123456789abcdef') }, 'call failed');
    expect(lines.join('')).not.toContain('zz9-0123456789abcdef');
    expect(lines.join('')).toContain('[REDACTED]');
  });

  it('the platforms with a distinctive token shape export it from their schema module', async () => {
    for (const platform of ['telegram', 'discord', 'slack', 'feishu']) {
      const module = await registry[platform]!.schema();
      expect(module.redactPatterns?.length, platform).toBeGreaterThan(0);
    }
  });
});
