/**
 * The Mattermost button-callback listener's own cap: 64 KiB of body (CALLBACK_BODY_LIMIT), not the
 * listener's 256 KiB default. One byte over is answered 413 and the socket closed, before the click
 * handler; just under it reaches the handler, which refuses the malformed click.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackServer } from '../../connectors/mattermost/callback-server.js';
import { silentLogger } from '../../src/log/logger.js';
import { send } from '../helpers/webhook.js';
import { makeTempDir } from '../helpers/tmp.js';

/** A JSON body of exactly `size` bytes: a click with a long, useless field. */
function bodyOf(size: number): string {
  const head = '{"user_id":"u","pad":"';
  const tail = '"}';
  return head + 'x'.repeat(size - head.length - tail.length) + tail;
}

describe('mattermost callback listener: body cap', () => {
  let server: CallbackServer | undefined;
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  const refused: string[] = [];
  afterEach(async () => {
    await server?.close();
    tmp?.cleanup();
    server = undefined;
    refused.length = 0;
  });

  async function start(): Promise<CallbackServer> {
    tmp = makeTempDir('sb-mm-cb-');
    server = await CallbackServer.start({
      connector: 'mm',
      stateDir: tmp.dir,
      bind: '127.0.0.1:0',
      log: silentLogger(),
      clock: { now: () => Date.now() },
      channelType: () => 'D',
      ingest: async () => undefined,
      reject: (reason) => void refused.push(reason),
    });
    return server;
  }

  it('64 KiB + 1 is a 413 with connection: close, and never reaches the click handler', async () => {
    const s = await start();
    const reply = await send(s.url, bodyOf(64 * 1024 + 1));
    expect([reply.status, reply.headers.connection]).toEqual([413, 'close']);
    expect(s.info().counters!.rejectedBy).toEqual({ 'body-too-large': 1 });
    expect(refused).toEqual([]);
  });

  it('~60 KiB reaches the click handler (refused there as a malformed click, not as too large)', async () => {
    const s = await start();
    const reply = await send(s.url, bodyOf(60 * 1024));
    expect(reply.status).toBe(400);
    expect(refused).toEqual(['malformed-click']);
    expect(s.info().counters!.rejectedBy).toEqual({ 'malformed-click': 1 });
  });
});
