/** Stage 5: the streamed body cap. */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bodyLimit, readBody } from '../../src/listener/body-limit.js';
import type { Exchange } from '../../src/listener/exchange.js';

function stream(headers: Record<string, string>): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers }) as unknown as PassThrough & IncomingMessage;
}

describe('readBody', () => {
  it('collects a body up to and including the cap', async () => {
    const req = stream({ 'transfer-encoding': 'chunked' });
    const done = readBody(req, 10);
    req.write('01234');
    req.end('56789');
    expect(await done).toEqual({ ok: true, body: Buffer.from('0123456789') });
  });

  it('refuses a declared Content-Length over the cap without reading a byte', async () => {
    const req = stream({ 'content-length': '11' });
    let read = false;
    req.on('data', () => (read = true));
    expect(await readBody(req, 10)).toEqual({ ok: false, reason: 'body-too-large' });
    expect(read).toBe(false);
  });

  it('stops reading the moment a chunked body passes the cap, holding nothing past it', async () => {
    const req = stream({ 'transfer-encoding': 'chunked' });
    const done = readBody(req, 10);
    req.write('0123456');
    req.write('7890');
    expect(await done).toEqual({ ok: false, reason: 'body-too-large' });
    expect(req.isPaused()).toBe(true);
    expect(req.listenerCount('data')).toBe(0);
  });

  it('reports a client that went away', async () => {
    const req = stream({ 'content-length': '5' });
    const done = readBody(req, 10);
    req.write('01');
    req.destroy();
    expect(await done).toEqual({ ok: false, reason: 'aborted' });
  });
});

describe('bodyLimit stage', () => {
  it('sets the body, or answers 413 that closes the socket and counts toward the fail-ban', async () => {
    const stage = bodyLimit(4);
    const ok = { req: stream({}) } as unknown as Exchange;
    const pending = stage(ok);
    (ok.req as unknown as PassThrough).end('abcd');
    expect(await pending).toBeUndefined();
    expect(ok.body?.toString()).toBe('abcd');
    const big = { req: stream({ 'content-length': '5' }) } as unknown as Exchange;
    expect(await stage(big)).toEqual({ status: 413, reason: 'body-too-large', close: true, failure: true });
  });
});
