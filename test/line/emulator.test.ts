/** The LINE emulator keeps LINE's rules, so the connector tests prove something: auth, reply tokens, retry keys, limits. */
import { afterEach, describe, expect, it } from 'vitest';
import { startLineEmulator, type LineEmulator } from '../../connectors/line/emulator.js';

describe('LINE emulator (Messaging API side)', () => {
  let emu: LineEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}, token = emu!.accessToken) =>
    fetch(`${emu!.apiBase}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body) });

  it('refuses a wrong access token with 401 and delivers nothing', async () => {
    emu = await startLineEmulator();
    const r = await post('/v2/bot/message/push', { to: 'U1', messages: [{ type: 'text', text: 'x' }] }, {}, 'wrong');
    expect(r.status).toBe(401);
    expect(emu.sent).toEqual([]);
  });

  it('a reply token works once, and not after a minute', async () => {
    let now = 1_000_000;
    emu = await startLineEmulator({ now: () => now });
    const a = emu.injectText('one');
    const b = emu.injectText('two');
    const reply = (token: string) => post('/v2/bot/message/reply', { replyToken: token, messages: [{ type: 'text', text: 'ok' }] });
    expect((await reply(a.event.replyToken!)).status).toBe(200);
    expect((await reply(a.event.replyToken!)).status).toBe(400);
    now += 60_001;
    const late = await reply(b.event.replyToken!);
    expect(late.status).toBe(400);
    expect(await late.json()).toEqual({ message: 'Invalid reply token' });
    expect(emu.sent.map((s) => [s.api, s.to])).toEqual([['reply', a.conversation]]);
  });

  it('a repeated X-Line-Retry-Key is 409 with the accepted request id and delivers nothing more', async () => {
    emu = await startLineEmulator();
    const key = '123e4567-e89b-12d3-a456-426614174000';
    const first = await post('/v2/bot/message/push', { to: 'U1', messages: [{ type: 'text', text: 'x' }] }, { 'x-line-retry-key': key });
    const again = await post('/v2/bot/message/push', { to: 'U1', messages: [{ type: 'text', text: 'x' }] }, { 'x-line-retry-key': key });
    expect(first.status).toBe(200);
    expect(again.status).toBe(409);
    expect(again.headers.get('x-line-accepted-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const sentMessages = async (r: Response) => ((await r.json()) as { sentMessages: unknown[] }).sentMessages;
    expect(await sentMessages(again)).toEqual(await sentMessages(first));
    expect(emu.sent).toHaveLength(1);
    expect((await post('/v2/bot/message/push', { to: 'U1', messages: [{ type: 'text', text: 'x' }] }, { 'x-line-retry-key': 'not-a-uuid' })).status).toBe(400);
  });

  it('refuses more than 5 messages and texts over 5000 characters', async () => {
    emu = await startLineEmulator();
    const six = Array.from({ length: 6 }, () => ({ type: 'text', text: 'x' }));
    expect((await post('/v2/bot/message/push', { to: 'U1', messages: six })).status).toBe(400);
    expect((await post('/v2/bot/message/push', { to: 'U1', messages: [{ type: 'text', text: 'x'.repeat(5001) }] })).status).toBe(400);
    expect((await post('/v2/bot/message/push', { to: 'U1', messages: [{ type: 'text', text: 'x'.repeat(5000) }] })).status).toBe(200);
  });

  it('a webhook delivery with no URL set is recorded as failed, not lost silently', async () => {
    emu = await startLineEmulator({ redelivery: false });
    const d = await emu.injectText('nobody listening').delivery;
    expect(d).toMatchObject({ error: 'no webhook URL set' });
  });
});
