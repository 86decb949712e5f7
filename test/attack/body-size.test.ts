/**
 * Attack: oversized bodies, declared and undeclared. The cap holds without reading past it, the
 * socket is closed, and the listener keeps serving with every valid event delivered once.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineSignature, rawExchange, startTarget, statuses, type Target } from '../helpers/webhook.js';

const CAP = 64 * 1024;

describe('attack: oversized bodies', () => {
  let t: Target;
  beforeEach(async () => (t = await startTarget({ limits: { bodyLimit: CAP } })));
  afterEach(async () => {
    await t.stillServes();
    expect(t.eventIds()).toEqual([...new Set(t.eventIds())]);
    await t.listener.close();
  });

  function head(extra: string): string {
    return `POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Line-Signature: ${lineSignature(t.secret, '{}')}\r\n${extra}\r\n`;
  }

  it('a declared Content-Length over the cap: 413 before any body is sent, then closed', async () => {
    const r = await rawExchange(t.listener.port, [head('Content-Length: 1073741824\r\n')], { timeoutMs: 5_000 });
    expect(statuses(r.text)).toEqual([413]);
    expect(r.text).toMatch(/connection: close/i);
    expect(r.text.endsWith('{"error":"payload too large"}')).toBe(true);
    expect(r.closed).toBe(true);
    expect(t.listener.counters().rejectedBy['body-too-large']).toBe(1);
  });

  it('a chunked body past the cap: 413 and closed, though the client keeps sending', async () => {
    const chunk = `${(16 * 1024).toString(16)}\r\n${'x'.repeat(16 * 1024)}\r\n`;
    const chunks = [head('Transfer-Encoding: chunked\r\n'), ...Array<string>(64).fill(chunk)]; // 1 MiB offered
    const r = await rawExchange(t.listener.port, chunks, { gapMs: 5, timeoutMs: 8_000 });
    expect(statuses(r.text)).toEqual([413]);
    expect(r.closed).toBe(true);
    expect(t.listener.counters().rejectedBy['body-too-large']).toBe(1);
    expect(t.accepted).toHaveLength(0);
  });

  it('a Content-Length that understates a larger body: the rest is not a second request', async () => {
    const smuggled = `POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
    const r = await rawExchange(t.listener.port, [head('Content-Length: 70000\r\n'), 'y'.repeat(70_000), smuggled], { timeoutMs: 5_000 });
    expect(statuses(r.text)).toEqual([413]);
    expect(r.closed).toBe(true);
  });

  it('an HTTP client streaming an endless body without Content-Length is cut off', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = request(t.listener.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': lineSignature(t.secret, '{}') } }, (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code}`));
      const block = Buffer.alloc(32 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 8 * 1024 * 1024 && !req.destroyed) {
          sent += block.length;
          if (!req.write(block)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    // Either the 413 arrives or the closed socket is seen first; the body was never taken whole.
    expect(outcome).toMatch(/^(status 413|error (ECONNRESET|EPIPE))$/);
    expect(t.listener.counters().rejectedBy['body-too-large']).toBe(1);
  });
});
