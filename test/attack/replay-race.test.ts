/**
 * Attack: the same signed delivery sent many times at once (a platform retry racing its original, or
 * a replay fired in parallel). The first copy holds the delivery id while the handler journals it;
 * the others wait and are answered 200 as replays: the handler runs once. If the first fails (500),
 * a waiting copy takes its turn, so the event is still delivered once; a copy refused by a stage
 * after the replay check (the JSON guard) releases the id too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newEndpointId } from '../../src/listener/endpoint-id.js';
import { startListener, type Listener } from '../../src/listener/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { until } from '../helpers/tmp.js';
import { lineBody, lineStyleHandler, sendSigned } from '../helpers/webhook.js';

const SECRET = 'replay-race-secret';
const COPIES = 12;

describe('attack: concurrent copies of one delivery', () => {
  let listener: Listener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  /** A listener whose handler waits for `gate` and counts its calls; `failFirst` makes the first call throw. */
  async function start(options: { failFirst?: boolean } = {}) {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let calls = 0;
    const test = lineStyleHandler(SECRET, {
      handle: async () => {
        const call = ++calls;
        await gate;
        if (options.failFirst && call === 1) throw new Error('journal refused');
      },
    });
    // Count the copies that passed the signature check: the next stage is the replay check.
    let verified = 0;
    const verify = test.handler.verify.bind(test.handler);
    const handler = { ...test.handler, verify: (req: Parameters<typeof verify>[0]) => (verified++, verify(req)) };
    listener = await startListener({ connector: 'line', host: '127.0.0.1', port: 0, endpointId: newEndpointId(), handler, log: silentLogger() });
    return { l: listener, test, open, calls: () => calls, verified: () => verified };
  }

  it(`${COPIES} identical first deliveries at once: the handler runs once, every copy is answered 200`, async () => {
    const { l, test, open, calls, verified } = await start();
    const body = lineBody('01RACEAAAAAAAAAAAAAAAAAAAA');
    const replies = Array.from({ length: COPIES }, () => sendSigned(l.url, SECRET, body));
    // Every copy is past the signature check while the first is still in the handler.
    await until(() => verified() === COPIES, 'every copy verified');
    await new Promise((r) => setTimeout(r, 20));
    expect(calls()).toBe(1);
    open();
    expect((await Promise.all(replies)).map((r) => r.status)).toEqual(Array<number>(COPIES).fill(200));
    expect(calls()).toBe(1);
    expect(test.accepted).toHaveLength(1);
    expect(l.counters()).toMatchObject({ accepted: 1, rejectedBy: { replay: COPIES - 1 } });
  });

  it('the first copy fails (500): one waiting copy is handled instead, the rest are replays', async () => {
    const { l, test, open, calls, verified } = await start({ failFirst: true });
    const body = lineBody('01RACEBBBBBBBBBBBBBBBBBBBB');
    const replies = Array.from({ length: COPIES }, () => sendSigned(l.url, SECRET, body));
    await until(() => verified() === COPIES, 'every copy verified');
    await new Promise((r) => setTimeout(r, 20));
    open();
    const statuses = (await Promise.all(replies)).map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(COPIES - 1).fill(200), 500]);
    expect(calls()).toBe(2);
    expect(test.accepted).toHaveLength(1);
    expect(l.counters()).toMatchObject({ accepted: 1, rejectedBy: { 'handler-error': 1, replay: COPIES - 2 } });
  });

  it('a copy refused after the replay check (JSON guard) releases the id for the next', async () => {
    const { l, test, open } = await start();
    open();
    const deep = `{"webhookEventId":"01RACECCCCCCCCCCCCCCCCCCCC","x":${'['.repeat(40)}${']'.repeat(40)}}`;
    expect((await sendSigned(l.url, SECRET, deep)).status).toBe(400);
    expect((await sendSigned(l.url, SECRET, lineBody('01RACECCCCCCCCCCCCCCCCCCCC'))).status).toBe(200);
    expect(test.accepted).toHaveLength(1);
  });
});
