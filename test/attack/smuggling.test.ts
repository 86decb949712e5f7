/**
 * Attack: request smuggling. Every ambiguous framing (CL+TE, duplicate or list Content-Length, TE
 * obfuscations, obs-fold, bare LF, chunk-size overflow) is refused with the generic 400 and the
 * connection closed; the signed request hidden behind it never reaches the handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineBody, lineSignature, rawExchange, startTarget, statuses, type Target } from '../helpers/webhook.js';

const GENERIC_400 = 'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 23\r\nconnection: close\r\n\r\n{"error":"bad request"}';

describe('attack: request smuggling', () => {
  let t: Target;
  beforeAll(async () => (t = await startTarget()));
  afterAll(async () => {
    await t.stillServes();
    await t.listener.close();
  });

  /** A correctly signed request: delivered if the parser is fooled into reading it as a second one. */
  function hidden(id: string): string {
    const body = lineBody(id);
    return `POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Line-Signature: ${lineSignature(t.secret, body)}\r\n\r\n${body}`;
  }
  const start = () => `POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`;

  const variants: Record<string, (h: string) => string> = {
    'CL then TE': (h) => `${start()}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${h}`,
    'TE then CL': (h) => `${start()}Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\n${h}`,
    'duplicate CL, different values': (h) => `${start()}Content-Length: 5\r\nContent-Length: 600\r\n\r\n{"a":${h}`,
    'duplicate CL, same value': (h) => `${start()}Content-Length: 5\r\nContent-Length: 5\r\n\r\n{"a":${h}`,
    'CL as a list': (h) => `${start()}Content-Length: 5, 600\r\n\r\n{"a":${h}`,
    'CL with a sign': (h) => `${start()}Content-Length: +5\r\n\r\n{"a":${h}`,
    'TE chunked not last': (h) => `${start()}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${h}`,
    'TE unknown coding': (h) => `${start()}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${h}`,
    'TE with a space before the colon': (h) => `${start()}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n${h}`,
    'TE split by obs-fold': (h) => `${start()}Transfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n${h}`,
    'TE twice': (h) => `${start()}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${h}`,
    'TE identity + chunked + CL': (h) => `${start()}Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\n${h}`,
    'bare LF line ends': (h) => `${start().replace(/\r\n/g, '\n')}Content-Length: 6\nTransfer-Encoding: chunked\n\n0\n\n${h}`,
    'chunk size overflow': (h) => `${start()}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n${h}`,
    'NUL in a header value': (h) => `${start()}X-A: a\0b\r\nContent-Length: 0\r\n\r\n${h}`,
    'HTTP/1.0 with chunked': (h) => `${start().replace('HTTP/1.1', 'HTTP/1.0')}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${h}`,
  };

  for (const [name, build] of Object.entries(variants)) {
    it(`${name}: generic 400, closed, the hidden request never handled`, async () => {
      const id = `SMUGGLED${name.replace(/[^A-Za-z]/g, '')}`;
      const r = await rawExchange(t.listener.port, [build(hidden(id))], { timeoutMs: 3_000 });
      expect(r.text).toBe(GENERIC_400);
      expect(r.closed).toBe(true);
      expect(t.eventIds()).not.toContain(id);
    });
  }

  it('well-framed pipelining is not smuggling: each request is judged on its own', async () => {
    // `Transfer-Encoding: CHUNKED` is valid HTTP: the empty first request fails its signature and
    // the second, framed correctly and signed, is delivered exactly once.
    const id = 'PIPELINED1';
    const r = await rawExchange(t.listener.port, [`${start()}Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n${hidden(id)}`], { timeoutMs: 500 });
    expect(statuses(r.text)).toEqual([401, 200]);
    expect(t.eventIds().filter((e) => e === id)).toHaveLength(1);
  });
});
