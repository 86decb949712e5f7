/**
 * The listener end to end on 127.0.0.1: route, method, content type, body cap, signature, replay,
 * JSON guard, handle, counters, generic responses and close — with a LINE-style test handler.
 */
import { Agent } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { startListener, type Listener, type ListenerOptions } from '../../src/listener/index.js';
import { createLogger } from '../../src/log/logger.js';
import { until } from '../helpers/tmp.js';
import { lineBody, lineSignature, lineStyleHandler, rawExchange, send, sendSigned } from '../helpers/webhook.js';

const SECRET = 'line-channel-secret-for-tests';
const ID = 'whk_0123456789abcdef0123456789abcdef';

describe('listener', () => {
  let listener: Listener;
  let test: ReturnType<typeof lineStyleHandler>;
  let agent: Agent;

  async function start(extra: Partial<ListenerOptions> = {}): Promise<void> {
    test = lineStyleHandler(SECRET);
    listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: ID, handler: test.handler, log: silentLogger(), ...extra });
  }

  beforeEach(async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
    await start();
  });
  afterEach(async () => {
    agent.destroy();
    await listener.close();
  });

  it('binds, reports its url, and hands a signed body to the handler once', async () => {
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}/hooks/${ID}`);
    const body = lineBody('01HAAAAAAAAAAAAAAAAAAAAAAA');
    const reply = await sendSigned(listener.url, SECRET, body, { agent });
    expect(reply.status).toBe(200);
    expect(reply.headers.server).toBeUndefined();
    expect(reply.headers['x-powered-by']).toBeUndefined();
    expect(reply.headers.date).toBeUndefined();
    expect(test.accepted).toHaveLength(1);
    expect(test.accepted[0]!.body).toEqual(JSON.parse(body));
    expect(test.accepted[0]!.req.rawBody.toString()).toBe(body);
    expect(test.accepted[0]!.req.clientIp).toBe('127.0.0.1');
    expect(test.accepted[0]!.req.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(listener.counters()).toEqual({ accepted: 1, rejected: 0, rejectedBy: {} });
  });

  it('answers a replayed delivery 200 without handing it over again', async () => {
    const body = lineBody('01HBBBBBBBBBBBBBBBBBBBBBBB');
    expect((await sendSigned(listener.url, SECRET, body, { agent })).status).toBe(200);
    expect((await sendSigned(listener.url, SECRET, body, { agent })).status).toBe(200);
    expect(test.accepted).toHaveLength(1);
    expect(listener.counters().rejectedBy.replay).toBe(1);
    expect(listener.stats!().replayEntries).toBe(1);
  });

  it('refuses wrong method, media type and signature with generic bodies', async () => {
    const body = lineBody('01HCCCCCCCCCCCCCCCCCCCCCCC');
    const get = await send(listener.url, '', { agent, method: 'GET' });
    expect([get.status, get.headers.allow, get.body]).toEqual([405, 'POST', '{"error":"method not allowed"}']);
    const text = await send(listener.url, body, { agent, headers: { 'content-type': 'text/plain' } });
    expect([text.status, text.body]).toEqual([415, '{"error":"unsupported media type"}']);
    const charset = await send(listener.url, body, { agent, headers: { 'content-type': 'Application/JSON; charset=utf-8', 'x-line-signature': 'x' } });
    expect(charset.status).toBe(401); // the media type passed; the signature did not
    const bad = await send(listener.url, body, { agent, headers: { 'x-line-signature': 'A'.repeat(43) + '=' } });
    expect([bad.status, bad.body]).toEqual([401, '{"error":"unauthorized"}']);
    expect(test.accepted).toHaveLength(0);
    expect(listener.counters().rejectedBy).toEqual({ method: 1, 'content-type': 1, 'signature-malformed': 1, 'bad-signature': 1 });
  });

  it('answers unknown ids and other paths with the same generic 404', async () => {
    const body = lineBody('01HDDDDDDDDDDDDDDDDDDDDDDD');
    const base = `http://127.0.0.1:${listener.port}`;
    const replies = await Promise.all(
      [`${base}/hooks/whk_ffffffffffffffffffffffffffffffff`, `${base}/`, `${base}/hooks/${ID}x`, `${base}/admin`].map((u) => sendSigned(u, SECRET, body, { agent })),
    );
    for (const r of replies) expect([r.status, r.body]).toEqual([404, '{"error":"not found"}']);
    expect(test.accepted).toHaveLength(0);
    expect(listener.counters().rejectedBy['unknown-endpoint']).toBe(4);
  });

  it('refuses an oversized body (413) and a JSON bomb (400) and a handler failure (500)', async () => {
    await listener.close();
    let fail = false;
    test = lineStyleHandler(SECRET, {
      handle: async () => {
        if (fail) throw new Error('journal down: /secret/path');
      },
    });
    listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: ID, handler: test.handler, log: silentLogger(), limits: { bodyLimit: 1024 } });
    const big = JSON.stringify({ events: [], pad: 'x'.repeat(2000) });
    const tooBig = await sendSigned(listener.url, SECRET, big);
    expect([tooBig.status, tooBig.headers.connection]).toEqual([413, 'close']);
    const deep = '['.repeat(40) + ']'.repeat(40);
    expect((await sendSigned(listener.url, SECRET, deep)).status).toBe(400);
    const proto = '{"a":{"__proto__":{"admin":true}}}';
    expect((await sendSigned(listener.url, SECRET, proto)).body).toBe('{"error":"bad request"}');
    fail = true;
    const crashed = await sendSigned(listener.url, SECRET, lineBody('01HEEEEEEEEEEEEEEEEEEEEEEE'));
    expect([crashed.status, crashed.body]).toEqual([500, '{"error":"internal error"}']);
    // A 500 is not remembered as delivered: the platform's retry gets through.
    fail = false;
    expect((await sendSigned(listener.url, SECRET, lineBody('01HEEEEEEEEEEEEEEEEEEEEEEE'))).status).toBe(200);
    expect(test.accepted).toHaveLength(1);
    expect(listener.counters().rejectedBy).toEqual({ 'body-too-large': 1, 'json-too-deep': 1, 'json-forbidden-key': 1, 'handler-error': 1 });
  });

  it('logs each refusal with its reason, correlation id and client IP, never the body or signature', async () => {
    await listener.close();
    const lines: string[] = [];
    const { log } = createLogger({ level: 'debug', secrets: [SECRET], sink: { write: (l) => lines.push(l) } });
    await start({ log });
    const body = lineBody('01HGGGGGGGGGGGGGGGGGGGGGGG', 'BODY-MARKER-7f3a');
    const forged = lineSignature('wrong', body);
    await send(listener.url, body, { agent, headers: { 'x-line-signature': forged } });
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'webhook rejected');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ listener: 'line', reason: 'bad-signature', status: 401, clientIp: '127.0.0.1' });
    expect(entries[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const all = lines.join('');
    expect(all).not.toContain('BODY-MARKER-7f3a');
    expect(all).not.toContain(forged);
    expect(all).not.toContain(SECRET);
  });

  it('believes forwarded client IPs only from trusted proxies, and applies allowIps and the fail-ban to them', async () => {
    await listener.close();
    await start({ trustedProxies: ['127.0.0.1/32'], allowIps: ['198.51.100.0/24'], limits: { failBan: { threshold: 1 } } });
    const body = lineBody('01HHHHHHHHHHHHHHHHHHHHHHHH');
    const fwd = (ip: string, sig = lineSignature(SECRET, body)) => send(listener.url, body, { agent, headers: { 'x-line-signature': sig, 'x-forwarded-for': `6.6.6.6, ${ip}` } });
    expect((await fwd('198.51.100.7')).status).toBe(200);
    expect(test.accepted[0]!.req.clientIp).toBe('198.51.100.7');
    expect((await fwd('203.0.113.1')).status).toBe(403);
    // Two failures from one forwarded client ban it, not the proxy's other clients.
    expect((await fwd('198.51.100.8', 'A'.repeat(43) + '=')).status).toBe(401);
    expect((await fwd('198.51.100.8', 'A'.repeat(43) + '=')).status).toBe(401);
    expect((await fwd('198.51.100.8')).status).toBe(429);
    expect((await send(listener.url, lineBody('01HIIIIIIIIIIIIIIIIIIIIIII'), { agent, headers: { 'x-line-signature': lineSignature(SECRET, lineBody('01HIIIIIIIIIIIIIIIIIIIIIII')), 'x-forwarded-for': '198.51.100.9' } })).status).toBe(200);
    // An untrusted peer's forwarding headers are ignored: it is judged by its own address.
    const direct = await send(listener.url, body, { agent: new Agent(), localAddress: '127.0.0.7', headers: { 'x-line-signature': lineSignature(SECRET, body), 'x-forwarded-for': '198.51.100.7' } });
    expect(direct.status).toBe(403);
  });

  it('sheds past the endpoint ceiling with 429 + Retry-After, whoever sends', async () => {
    await listener.close();
    await start({ limits: { rate: { perSecond: 0.5, burst: 2 } } });
    const codes = [];
    for (const id of ['01HJ1', '01HJ2', '01HJ3']) codes.push(await sendSigned(listener.url, SECRET, lineBody(id), { agent }));
    expect(codes.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(codes[2]!.headers['retry-after']).toBe('2');
    expect(listener.counters().rejectedBy['rate-limited']).toBe(1);
  });

  it('close() ends keep-alive sockets, is idempotent, and frees the port', async () => {
    expect((await sendSigned(listener.url, SECRET, lineBody('01HFFFFFFFFFFFFFFFFFFFFFFF'), { agent })).status).toBe(200);
    const first = listener.close();
    const second = listener.close();
    expect(second).toBe(first);
    await first;
    await expect(send(listener.url, '{}', { agent: new Agent() })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('close() also cuts a connection stuck mid-request after the grace period', async () => {
    const head = `POST ${listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`;
    const stuck = rawExchange(listener.port, [head], { timeoutMs: 8_000 });
    await until(() => listener.stats!().ipConnections === 1, 'the stuck connection open');
    await listener.close();
    const r = await stuck;
    expect(r.closed).toBe(true);
    expect(test.accepted).toHaveLength(0);
  });
});
