/**
 * The LINE connector against its emulator, through the real hardened listener and the real SDK:
 * listener info and exposure, strict signatures with rotation, redelivery journaled once, a journal
 * failure answered 500 and redelivered, malformed events skipped and an unusable body refused without
 * any fail-ban charge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER } from '../../connectors/line/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { FatalConnectorError } from '../../src/errors.js';
import { signHmacBase64 } from '../../src/security/hmac-base64.js';
import { startHarness, PUBLIC_URL, type Harness } from './harness.js';

describe('LINE connector: inbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('listens on loopback only after start, reports public exposure through the tunnel with the hook URL and counters', async () => {
    h = await startHarness();
    expect(h.connector.listeners()).toEqual([]);
    expect(h.connector.transport).toBe('webhook');
    await h.start();
    expect(h.transitions).toEqual(['connecting', 'online']);
    const [info] = h.connector.listeners();
    expect(info).toMatchObject({ exposure: 'public', verification: 'signature', counters: { accepted: 0, rejected: 0 } });
    expect(info!.bind).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info!.publicUrl).toMatch(new RegExp(`^${PUBLIC_URL}/hooks/whk_[0-9a-f]{32}$`));
    // The hook URL is logged once, at info, for the person setting up the console.
    const hookLogs = h.logs.filter((l) => l.hookUrl === info!.publicUrl);
    expect(hookLogs).toHaveLength(1);
    expect(hookLogs[0]!.level).toBe('info');
    await (await h.emulator.injectText('hi')).delivery;
    expect(h.connector.listeners()[0]!.counters).toMatchObject({ accepted: 1 });
    await h.connector.stop();
    expect(h.connector.listeners()).toEqual([]);
    expect(h.state.state).toBe('offline');
  });

  it('a rejected access token is fatal at start, and nothing listens', async () => {
    h = await startHarness({ accessToken: 'not-the-token' });
    await expect(h.connector.start(h.ctx, h.abort.signal)).rejects.toBeInstanceOf(FatalConnectorError);
    await expect(h.connector.start(h.ctx, h.abort.signal)).rejects.toThrow(/LINE rejected the channel access token \(getBotInfo: 401\)/);
    expect(h.connector.listeners()).toEqual([]);
  });

  it('journals a text and answers 200 only after the append', async () => {
    h = await startHarness();
    await h.start();
    const { event, delivery } = h.emulator.injectText('hello LINE');
    expect((await delivery).status).toBe(200);
    expect(h.drafts).toHaveLength(1);
    expect(h.drafts[0]).toMatchObject({ kind: 'message', text: 'hello LINE', dedupKey: `line-test:${event.webhookEventId}`, conversation: { id: DEFAULT_USER, kind: 'dm' }, messageId: event.message!.id });
  });

  it('refuses wrong, missing and lenient signatures with a generic 401, journaling nothing', async () => {
    h = await startHarness({ emulator: { redelivery: false } });
    await h.start();
    const bad = await h.emulator.injectText('forged', { sign: { secret: 'someone-else' } }).delivery;
    const none = await h.emulator.injectText('unsigned', { sign: { signature: null } }).delivery;
    const urlSafe = await h.emulator.injectText('url-safe', { sign: { signature: 'A-_'.padEnd(43, 'A') + '=' } }).delivery;
    for (const d of [bad, none, urlSafe]) {
      expect(d.status).toBe(401);
      expect(d.body).not.toMatch(/signature/i);
    }
    expect(h.drafts).toEqual([]);
    expect(h.connector.listeners()[0]!.counters!.rejectedBy).toMatchObject({ 'bad-signature': 2, 'missing-signature': 1 });
  });

  it('accepts the previous channel secret until its deadline, then only the current one', async () => {
    let now = Date.parse('2026-11-30T23:59:58Z');
    const clock = { now: () => now };
    h = await startHarness({ clock, config: { previous_secret: { secret: new Secret('old-channel-secret', 'test'), until: '2026-12-01T00:00:00Z' } } });
    await h.start();
    expect((await h.emulator.injectText('old ok', { sign: { secret: 'old-channel-secret' } }).delivery).status).toBe(200);
    now = Date.parse('2026-12-01T00:00:00Z');
    expect((await h.emulator.injectText('old too late', { sign: { secret: 'old-channel-secret' } }).delivery).status).toBe(401);
    expect((await h.emulator.injectText('current ok').delivery).status).toBe(200);
    expect(h.drafts.map((d) => d.text)).toEqual(['old ok', 'current ok']);
  });

  it('a redelivery (isRedelivery, same webhookEventId) is answered 200 and journaled once', async () => {
    h = await startHarness();
    await h.start();
    const { event, delivery } = h.emulator.injectText('once only');
    await delivery;
    const again = await h.emulator.redeliver(event);
    expect(again).toMatchObject({ status: 200, redelivery: true });
    expect(h.ingested).toHaveLength(2);
    expect(h.drafts).toHaveLength(1);
  });

  it('a journal failure is a 500; LINE redelivers and the event is journaled then', async () => {
    h = await startHarness();
    await h.start();
    h.refuseNext(1);
    const last = await h.emulator.injectText('retry me').delivery;
    expect(last).toMatchObject({ status: 200, redelivery: true });
    expect(h.emulator.deliveries.map((d) => d.status)).toEqual([500, 200]);
    expect(h.drafts.map((d) => d.text)).toEqual(['retry me']);
  });

  it('a delivery cut halfway (the tunnel dropping) is redelivered and journaled once', async () => {
    h = await startHarness();
    await h.start();
    h.emulator.dropConnection();
    const last = await h.emulator.injectText('through the drop').delivery;
    expect(last).toMatchObject({ status: 200, redelivery: true });
    expect(h.emulator.deliveries[0]!.error).toMatch(/dropped/);
    expect(h.drafts.map((d) => d.text)).toEqual(['through the drop']);
  });

  /** POST `body` to the listener signed with the channel secret, from 127.0.0.1 (where LINE's deliveries come from here). */
  const postSigned = async (body: string): Promise<number> =>
    (await fetch(h!.url(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signHmacBase64(h!.emulator.channelSecret, body) }, body })).status;

  it('a verified delivery with an event of an unexpected shape: that event skipped and counted, the others journaled, 200', async () => {
    h = await startHarness();
    await h.start();
    const good = { type: 'follow', timestamp: 1_700_000_000_000, webhookEventId: '01GOODEVENT', deliveryContext: { isRedelivery: false }, source: { type: 'user', userId: DEFAULT_USER }, replyToken: 'r1' };
    const body = JSON.stringify({ destination: h.emulator.botUserId, events: [{ type: 'message', timestamp: 1 }, good, { ...good, webhookEventId: '01HUGETIME', timestamp: 1e300 }] });
    expect(await postSigned(body)).toBe(200);
    expect(h.drafts.map((d) => d.dedupKey)).toEqual(['line-test:01GOODEVENT']);
    expect(h.rejected).toEqual(['bad-event', 'bad-event']);
    expect(h.logs.filter((l) => /unexpected shape/.test(String(l.msg)))).toHaveLength(2);
  });

  it('a verified body with no events array is a 400 counted as bad-payload; LINE\'s "Verify" (no events) is a 200', async () => {
    h = await startHarness();
    await h.start();
    expect(await postSigned(JSON.stringify({ destination: h.emulator.botUserId, events: 'none' }))).toBe(400);
    expect(h.connector.listeners()[0]!.counters!.rejectedBy).toEqual({ 'bad-payload': 1 });
    expect(await postSigned(JSON.stringify({ destination: h.emulator.botUserId, events: [] }))).toBe(200);
  });

  it('signed but odd deliveries never count toward the fail-ban: after 50 of them from LINE\'s address, a genuine one is accepted', async () => {
    h = await startHarness();
    await h.start();
    const odd = JSON.stringify({ destination: h.emulator.botUserId, events: [{ type: 'message', timestamp: 1 }] });
    const unusable = JSON.stringify({ destination: h.emulator.botUserId });
    const codes: number[] = [];
    for (let i = 0; i < 25; i++) codes.push(await postSigned(odd), await postSigned(unusable));
    expect(new Set(codes)).toEqual(new Set([200, 400]));
    const { delivery } = h.emulator.injectText('still heard');
    expect((await delivery).status).toBe(200);
    expect(h.drafts.map((d) => d.text)).toEqual(['still heard']);
    expect(h.connector.listeners()[0]!.counters!.rejectedBy).toEqual({ 'bad-payload': 25 });
  });

  it('webhook.client_ip_header cf-connecting-ip (cloudflared) reaches the listener: the fail-ban counts that header', async () => {
    h = await startHarness({ config: { webhook: { bind: '127.0.0.1:0', public_url: PUBLIC_URL, client_ip_header: 'cf-connecting-ip' } } });
    await h.start();
    const body = JSON.stringify({ destination: h.emulator.botUserId, events: [] });
    const as = (ip: string, signature: string) => fetch(h!.url(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signature, 'cf-connecting-ip': ip }, body });
    for (let i = 0; i < 21; i++) expect((await as('203.0.113.66', signHmacBase64('guess', body))).status).toBe(401);
    expect((await as('203.0.113.66', signHmacBase64(h.emulator.channelSecret, body))).status).toBe(429);
    expect((await as('198.51.100.20', signHmacBase64(h.emulator.channelSecret, body))).status).toBe(200);
  });

  it('a delivery with several events journals each, sticker and image as attachments, follow and join as lifecycle', async () => {
    h = await startHarness();
    await h.start();
    await h.emulator.injectSticker().delivery;
    await h.emulator.injectImage().delivery;
    await h.emulator.injectFollow().delivery;
    await h.emulator.injectJoin('Cgroup0000000000000000000000000001').delivery;
    expect(h.drafts.map((d) => [d.kind, d.text, d.attachments?.[0]?.kind])).toEqual([
      ['message', '[sticker]', 'sticker'],
      ['message', undefined, 'image'],
      ['lifecycle', '[follow]', undefined],
      ['lifecycle', '[join]', undefined],
    ]);
    expect(h.drafts[1]!.attachments![0]!.ref).toBe(`line:content:${h.drafts[1]!.messageId}`);
  });
});
