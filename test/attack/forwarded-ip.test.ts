/**
 * Attack: forged forwarding headers through a tunnel daemon on loopback (the trusted proxy). The
 * sender controls every header the tunnel passes through, so it must not be able to frame the
 * platform's IP into a fail-ban nor pick its own address: 21 forgeries that name the genuine
 * sender's IP in CF-Connecting-IP (Tailscale Funnel passes it through) or left-most in
 * X-Forwarded-For leave the genuine sender unbanned. With `cf-connecting-ip` configured
 * (cloudflared), that header is what the fail-ban counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lineBody, lineSignature, send, startTarget, type Target } from '../helpers/webhook.js';

/** The platform's address, as the tunnel daemon would name it. */
const PLATFORM = '198.51.100.20';
const ATTACKER = '203.0.113.66';
const FORGERIES = 21; // one over the fail-ban threshold

describe('attack: forged forwarding headers behind a trusted tunnel daemon', () => {
  let t: Target | undefined;
  afterEach(async () => {
    await t?.listener.close();
    t = undefined;
  });

  /** `FORGERIES` badly signed requests from 127.0.0.1 (the tunnel) with `headers`; their statuses. */
  async function forge(target: Target, headers: Record<string, string>): Promise<number[]> {
    const body = lineBody('FORGED');
    const codes: number[] = [];
    for (let i = 0; i < FORGERIES; i++) {
      codes.push((await send(target.listener.url, body, { localAddress: '127.0.0.1', headers: { 'x-line-signature': lineSignature('guess', body), ...headers } })).status);
    }
    return codes;
  }

  /** A genuine delivery through the tunnel, the platform named as the tunnel daemon names it. */
  async function genuine(target: Target, id: string, headers: Record<string, string>): Promise<number> {
    const body = lineBody(id);
    return (await send(target.listener.url, body, { localAddress: '127.0.0.1', headers: { 'x-line-signature': lineSignature(target.secret, body), ...headers } })).status;
  }

  it('Funnel-style (X-Forwarded-For set by the tunnel): a forged CF-Connecting-IP naming the platform bans only the sender', async () => {
    t = await startTarget({ trustedProxies: ['127.0.0.1'] });
    expect(await forge(t, { 'cf-connecting-ip': PLATFORM, 'x-forwarded-for': ATTACKER })).toEqual(Array<number>(FORGERIES).fill(401));
    // The attacker, named by the tunnel, is the one banned…
    expect((await send(t.listener.url, '{}', { localAddress: '127.0.0.1', headers: { 'x-forwarded-for': ATTACKER } })).status).toBe(429);
    // …and the platform's genuine delivery still goes through.
    expect(await genuine(t, 'GENUINE1', { 'x-forwarded-for': PLATFORM })).toBe(200);
    expect(t.eventIds()).toEqual(['GENUINE1']);
  });

  it('a client-written left-most X-Forwarded-For entry cannot choose the IP the fail-ban counts', async () => {
    t = await startTarget({ trustedProxies: ['127.0.0.1'] });
    // The attacker writes "PLATFORM"; the tunnel appends the address it really saw.
    await forge(t, { 'x-forwarded-for': `${PLATFORM}, ${ATTACKER}` });
    expect(await genuine(t, 'GENUINE2', { 'x-forwarded-for': PLATFORM })).toBe(200);
    expect(await genuine(t, 'BLOCKED', { 'x-forwarded-for': `${PLATFORM}, ${ATTACKER}` })).toBe(429);
    expect(t.eventIds()).toEqual(['GENUINE2']);
  });

  it('cloudflared (clientIpHeader cf-connecting-ip): CF-Connecting-IP is the client, X-Forwarded-For is not read', async () => {
    t = await startTarget({ trustedProxies: ['127.0.0.1'], clientIpHeader: 'cf-connecting-ip' });
    await forge(t, { 'cf-connecting-ip': ATTACKER, 'x-forwarded-for': PLATFORM });
    expect(await genuine(t, 'GENUINE3', { 'cf-connecting-ip': PLATFORM, 'x-forwarded-for': ATTACKER })).toBe(200);
    expect(await genuine(t, 'BLOCKED', { 'cf-connecting-ip': ATTACKER, 'x-forwarded-for': PLATFORM })).toBe(429);
    expect(t.eventIds()).toEqual(['GENUINE3']);
  });
});
