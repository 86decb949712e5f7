import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/log/redact.js';
import { createLogger } from '../../src/log/logger.js';

describe('createRedactor', () => {
  it('masks configured secret values, also JSON- and URL-escaped', () => {
    const r = createRedactor(['s3cr"et/value']);
    expect(r('token s3cr"et/value here')).toBe('token [REDACTED] here');
    expect(r(JSON.stringify({ t: 's3cr"et/value' }))).toBe('{"t":"[REDACTED]"}');
    expect(r(`u=${encodeURIComponent('s3cr"et/value')}`)).toBe('u=[REDACTED]');
  });

  it('masks token-shaped strings that are not configured', () => {
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
