/**
 * Attack: forged, missing, truncated, leniently encoded and replayed signatures. Each forgery is a
 * generic 401 counted under its reason and toward the fail-ban; a replay of a genuine delivery is
 * answered 200 and not handed over twice; a source that keeps failing is refused before any HMAC.
 */
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineBody, lineSignature, rawExchange, send, sendSigned, startTarget, statuses, type Target } from '../helpers/webhook.js';

describe('attack: signatures', () => {
  let t: Target;
  beforeAll(async () => (t = await startTarget({ limits: { failBan: { threshold: 1_000 } } })));
  afterAll(async () => {
    await t.stillServes();
    await t.listener.close();
  });

  const body = lineBody('SIGTEST1');
  const good = () => lineSignature(t.secret, body);
  const forgeries: Record<string, [() => Record<string, string>, string]> = {
    'no signature header': [() => ({}), 'signature-missing'],
    'an empty signature': [() => ({ 'x-line-signature': '' }), 'signature-malformed'],
    'another secret': [() => ({ 'x-line-signature': lineSignature('guessed-secret', body) }), 'bad-signature'],
    'the signature of another body': [() => ({ 'x-line-signature': lineSignature(t.secret, lineBody('OTHER')) }), 'bad-signature'],
    'a truncated signature': [() => ({ 'x-line-signature': good().slice(0, 20) }), 'signature-malformed'],
    'padding dropped (lenient base64)': [() => ({ 'x-line-signature': good().replace(/=+$/, '') }), 'signature-malformed'],
    'URL-safe alphabet (lenient base64)': [() => ({ 'x-line-signature': good().replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '') }), 'signature-malformed'],
    'non-zero trailing bits in the last character (lenient base64)': [() => ({ 'x-line-signature': withTrailingBits(good()) }), 'signature-malformed'],
    'trailing garbage after the padding': [() => ({ 'x-line-signature': `${good()}AAAA` }), 'signature-malformed'],
    'embedded whitespace': [() => ({ 'x-line-signature': `${good().slice(0, 10)} ${good().slice(10)}` }), 'signature-malformed'],
    'the digest in hex': [() => ({ 'x-line-signature': Buffer.from(good(), 'base64').toString('hex') }), 'signature-malformed'],
    'every bit flipped in the last byte': [() => ({ 'x-line-signature': flipLast(good()) }), 'bad-signature'],
  };

  for (const [name, [headers, reason]] of Object.entries(forgeries)) {
    it(`${name}: generic 401 (${reason}), nothing delivered`, async () => {
      const before = t.listener.counters().rejectedBy[reason] ?? 0;
      const reply = await send(t.listener.url, body, { headers: headers() });
      expect([reply.status, reply.body]).toEqual([401, '{"error":"unauthorized"}']);
      expect(t.listener.counters().rejectedBy[reason]).toBe(before + 1);
      expect(t.accepted).toHaveLength(0);
    });
  }

  it('a duplicated signature header is refused (Node joins the values)', async () => {
    const head = `POST ${t.listener.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    const sig = `X-Line-Signature: ${good()}\r\n`;
    const r = await rawExchange(t.listener.port, [`${head}${sig}${sig}Connection: close\r\n\r\n${body}`]);
    expect(statuses(r.text)).toEqual([401]);
    expect(t.accepted).toHaveLength(0);
  });

  it('replays of a genuine delivery: 200 each time, handed over once, counted as replay', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const replies = await Promise.all(Array.from({ length: 1 }, () => sendSigned(t.listener.url, t.secret, body, { agent })));
    const replays = await Promise.all(Array.from({ length: 10 }, () => sendSigned(t.listener.url, t.secret, body, { agent })));
    agent.destroy();
    expect([...replies, ...replays].map((r) => r.status)).toEqual(Array(11).fill(200));
    expect(t.eventIds().filter((id) => id === 'SIGTEST1')).toHaveLength(1);
    expect(t.listener.counters().rejectedBy.replay).toBe(10);
  });
});

describe('attack: repeated forgeries from one source', () => {
  it('bans the source after 20 failures (429 + Retry-After, before any HMAC) and no one else', async () => {
    const t = await startTarget();
    try {
      const body = lineBody('BANNED1');
      const bad = { 'x-line-signature': lineSignature('wrong', body) };
      const codes: number[] = [];
      for (let i = 0; i < 25; i++) codes.push((await send(t.listener.url, body, { headers: bad, localAddress: '127.0.0.4' })).status);
      expect(codes).toEqual([...Array(21).fill(401), ...Array(4).fill(429)]);
      const banned = await sendSigned(t.listener.url, t.secret, body, { localAddress: '127.0.0.4' });
      expect([banned.status, banned.headers['retry-after'], banned.body]).toEqual([429, '300', '{"error":"too many requests"}']);
      expect(t.accepted).toHaveLength(0);
      expect(t.listener.counters().rejectedBy).toMatchObject({ 'bad-signature': 21, banned: 5 });
      await t.stillServes('127.0.0.5');
    } finally {
      await t.listener.close();
    }
  });
});

function flipLast(signature: string): string {
  const bytes = Buffer.from(signature, 'base64');
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  return bytes.toString('base64');
}

/** The same digest spelled with the unused low bits of the last base64 character set (decoders ignore them). */
function withTrailingBits(signature: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = signature[42]!;
  const spelled = signature.slice(0, 42) + alphabet[alphabet.indexOf(last) ^ 1] + '=';
  if (!Buffer.from(spelled, 'base64').equals(Buffer.from(signature, 'base64'))) throw new Error('not the same digest');
  return spelled;
}
