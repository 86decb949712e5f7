/**
 * Stage 1 on a real listener: per-IP and total connection caps, keep-alive timeout, requests per
 * socket, and the generic answer for what Node's parser refuses (clientError).
 */
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { startListener, type Listener, type ListenerOptions } from '../../src/listener/index.js';
import { classifyClientError } from '../../src/listener/client-error.js';
import { until } from '../helpers/tmp.js';
import { lineBody, lineSignature, lineStyleHandler, rawExchange, send, statuses, type Reply } from '../helpers/webhook.js';

const SECRET = 'conn-secret';
const ID = 'whk_00000000000000000000000000000001';

function open(port: number, localAddress: string): Promise<Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const s: Socket & { closedAt?: number } = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.on('close', () => (s.closedAt = Date.now()));
    s.on('error', () => undefined);
    setTimeout(() => reject(new Error('connect timeout')), 2_000).unref();
  });
}

function signedRequest(body: string, extra = ''): string {
  return `POST /hooks/${ID} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Line-Signature: ${lineSignature(SECRET, body)}\r\n${extra}\r\n${body}`;
}

describe('connection limits', () => {
  let listener: Listener;
  const sockets: Socket[] = [];

  async function start(limits: ListenerOptions['limits']): Promise<void> {
    listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: ID, handler: lineStyleHandler(SECRET).handler, log: silentLogger(), limits });
  }

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await listener.close();
  });

  it('destroys sockets over the per-IP cap, and other sources still connect', async () => {
    await start({ maxConnectionsPerIp: 3 });
    for (let i = 0; i < 5; i++) sockets.push(await open(listener.port, '127.0.0.2'));
    await until(() => sockets.filter((s) => s.destroyed).length === 2, 'two sockets refused');
    expect(listener.counters().rejectedBy['too-many-connections']).toBe(2);
    expect(listener.stats!().ipConnections).toBe(1);
    const other = await rawExchange(listener.port, [signedRequest(lineBody('E1'), 'Connection: close\r\n')], { localAddress: '127.0.0.3' });
    expect(statuses(other.text)).toEqual([200]);
    // Freed slots are reusable, and the per-IP table forgets closed peers.
    for (const s of sockets.splice(0)) s.destroy();
    await until(() => listener.stats!().ipConnections === 0, 'per-IP table empty');
  });

  it('does not apply the per-IP cap to a trusted proxy (it carries every client), only the total cap', async () => {
    listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: ID, handler: lineStyleHandler(SECRET).handler, log: silentLogger(), trustedProxies: ['127.0.0.6'], limits: { maxConnectionsPerIp: 2, maxConnections: 5 } });
    for (let i = 0; i < 7; i++) sockets.push(await open(listener.port, '127.0.0.6'));
    await until(() => sockets.filter((s) => s.destroyed).length === 2, 'two sockets over the total cap dropped');
    expect(listener.counters().rejectedBy['too-many-connections']).toBeUndefined();
    expect(listener.stats!().ipConnections).toBe(0);
  });

  it('honours a configured maxHeaderSize (431 past it)', async () => {
    await start({ maxHeaderSize: 1024 });
    const fits = await rawExchange(listener.port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(600)}\r\nConnection: close\r\n\r\n`]);
    expect(statuses(fits.text)).toEqual([404]);
    const over = await rawExchange(listener.port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(1_200)}\r\n\r\n`]);
    expect(statuses(over.text)).toEqual([431]);
  });

  it('a client using its whole per-IP share keeps working while sockets rotate at maxRequestsPerSocket', async () => {
    await start({ maxConnectionsPerIp: 2, maxRequestsPerSocket: 3 });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const replies: Reply[] = [];
      let next = 0;
      const worker = async () => {
        while (next < 40) {
          const body = lineBody(`ROT${next++}`);
          replies.push(await send(listener.url, body, { agent, headers: { 'x-line-signature': lineSignature(SECRET, body) } }));
        }
      };
      await Promise.all([worker(), worker()]);
      expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200));
      expect(listener.counters().rejectedBy['too-many-connections']).toBeUndefined();
    } finally {
      agent.destroy();
    }
  });

  it('caps total connections at maxConnections', async () => {
    await start({ maxConnections: 4 });
    for (let i = 0; i < 6; i++) sockets.push(await open(listener.port, `127.0.1.${i + 1}`));
    await until(() => sockets.filter((s) => s.destroyed).length === 2, 'two sockets dropped');
    expect(sockets.slice(0, 4).every((s) => !s.destroyed)).toBe(true);
  });

  it('closes an idle keep-alive socket after keepAliveTimeoutMs', async () => {
    await start({ keepAliveTimeoutMs: 300 });
    const r = await rawExchange(listener.port, [signedRequest(lineBody('E2'))], { timeoutMs: 5_000 });
    expect(statuses(r.text)).toEqual([200]);
    expect(r.closed).toBe(true);
    expect(r.elapsedMs).toBeLessThan(4_000);
  });

  it('serves at most maxRequestsPerSocket requests on one socket, then closes it', async () => {
    await start({ maxRequestsPerSocket: 2 });
    const r = await rawExchange(listener.port, [signedRequest(lineBody('E3')), signedRequest(lineBody('E4')), signedRequest(lineBody('E5'))], { gapMs: 50 });
    expect(statuses(r.text)).toEqual([200, 200]);
    expect(r.text).toMatch(/Connection: close\r\n\r\n\{\}$/);
    expect(r.closed).toBe(true);
    expect(listener.counters().accepted).toBe(2);
  });

  it('cuts off a client that pipelines past maxRequestsPerSocket (no Node-written 503)', async () => {
    await start({ maxRequestsPerSocket: 2 });
    const r = await rawExchange(listener.port, [signedRequest(lineBody('E6')) + signedRequest(lineBody('E7')) + signedRequest(lineBody('E8'))]);
    // The third request is parsed at once and the connection cut then: answers still in flight are
    // lost with it (the platform retries; the journal's dedup key absorbs a repeat). Never a 503.
    const codes = statuses(r.text);
    expect(codes.length).toBeLessThanOrEqual(2);
    expect(codes.every((c) => c === 200)).toBe(true);
    expect(r.closed).toBe(true);
    expect(listener.counters().rejectedBy['too-many-requests']).toBe(1);
    expect(listener.counters().accepted).toBeLessThanOrEqual(2);
  });

  it('answers Expect: 100-continue only when the declared body fits', async () => {
    await start({ bodyLimit: 1_000 });
    const body = lineBody('E6');
    const head = (length: number) => `POST /hooks/${ID} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\nX-Line-Signature: ${lineSignature(SECRET, body)}\r\n\r\n`;
    const fits = await rawExchange(listener.port, [head(Buffer.byteLength(body)), body], { gapMs: 100, timeoutMs: 1_000 });
    expect(statuses(fits.text)).toEqual([100, 200]);
    const big = await rawExchange(listener.port, [head(5_000)], { timeoutMs: 3_000 });
    expect(statuses(big.text)).toEqual([413]);
    expect(big.closed).toBe(true);
  });
});

describe('clientError', () => {
  let listener: Listener;
  afterEach(async () => listener.close());

  it('answers malformed requests with a minimal generic 400 and closes', async () => {
    listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: ID, handler: lineStyleHandler(SECRET).handler, log: silentLogger() });
    const r = await rawExchange(listener.port, ['GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(r.text).toBe('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 23\r\nconnection: close\r\n\r\n{"error":"bad request"}');
    expect(r.closed).toBe(true);
    expect(listener.counters().rejectedBy.malformed).toBe(1);
  });

  it('maps parser codes to 431, 408 and 400', () => {
    expect(classifyClientError('HPE_HEADER_OVERFLOW').status).toBe(431);
    expect(classifyClientError('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
    expect(classifyClientError('HPE_INVALID_METHOD').status).toBe(400);
    expect(classifyClientError(undefined).reason).toBe('malformed');
  });
});
