/** The node:http transport grammY runs on: bodies, keep-alive, cut answers and aborts. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTransport, type Transport, type TransportResponse } from '../../connectors/telegram/http-transport.js';

let server: Server;
let base: string;
let transport: Transport;
const seen: { body: string; port: number }[] = [];

beforeEach(async () => {
  seen.length = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ body, port: req.socket.remotePort! });
      if (req.url === '/cut') {
        const text = JSON.stringify({ ok: true, result: [1, 2, 3, 4, 5, 6, 7, 8] });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
        res.write(text.slice(0, 10), () => res.socket!.destroy());
      } else if (req.url === '/hold') {
        // never answers
      } else {
        res.writeHead(req.url === '/teapot' ? 418 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, echo: body }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transport = createTransport();
});
afterEach(async () => {
  transport.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const call = (path: string, init: object = {}) => (transport.fetch as unknown as (u: string, i: object) => Promise<TransportResponse>)(`${base}${path}`, init);

describe('telegram http transport', () => {
  it('posts the body, parses JSON, reports the status, and reuses the connection', async () => {
    const a = await call('/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({ ok: true, echo: '{"a":1}' });
    const b = await call('/teapot', { method: 'POST', body: 'x' });
    expect(b.ok).toBe(false);
    expect(b.status).toBe(418);
    await b.text();
    expect(seen[0]!.port).toBe(seen[1]!.port);
  });

  it('a body cut mid-answer rejects at once with ECONNRESET (node-fetch v2 would hang here)', async () => {
    const t0 = Date.now();
    const res = await call('/cut', { method: 'POST', body: '{}' });
    await expect(res.json()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('an abort ends a waiting request at once, as an AbortError', async () => {
    const abort = new AbortController();
    const pending = call('/hold', { method: 'POST', body: '{}', signal: abort.signal });
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(call('/x', { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a refused connection rejects with its errno code and no URL in the message', async () => {
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    const err = await (transport.fetch as unknown as (u: string) => Promise<unknown>)(`http://127.0.0.1:${port}/bot123456:AAsecret/getMe`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
    expect(String((err as Error).message)).not.toContain('AAsecret');
  });
});
