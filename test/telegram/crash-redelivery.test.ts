/**
 * A crash after the journal write, before Telegram hears the new offset: Telegram delivers the update
 * again to the next process, and the real journal's dedup key absorbs it — the agent sees it once.
 */
import { afterEach, expect, it } from 'vitest';
import { TelegramConnector } from '../../connectors/telegram/connector.js';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import { openJournal, type SqliteJournal } from '../../src/bus/journal.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext, type IngestResult } from '../../src/connector.js';
import { silentLogger } from '../../src/log/logger.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
const failures: unknown[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  failures.length = 0;
});

/** One "process": a connector on the shared state dir, ingesting into `bus` like the runtime does. */
function processOn(emulator: TelegramEmulator, token: string, dir: string, bus: SqliteJournal, onAppended: (draft: EventDraft, r: IngestResult) => void) {
  const connector = new TelegramConnector(
    { token: new Secret(token, 'test'), api_root: emulator.apiRoot, polling: { timeout: 1, limit: 100 } },
    { name: 'tg', log: silentLogger(), clock: systemClock, stateDir: dir, state: new StateTracker(systemClock) },
    { retryInitialMs: 50, retryMaxMs: 200 },
  );
  const ctx: ConnectorContext = {
    log: silentLogger(),
    clock: systemClock,
    ingest: async (draft) => {
      const appended = await bus.append(draft);
      const r: IngestResult = appended.status === 'appended' ? appended : { status: 'duplicate' };
      onAppended(draft, r);
      return r;
    },
    reject: () => undefined,
    fail: (err) => void failures.push(err),
  };
  const abort = new AbortController();
  return { connector, start: () => connector.start(ctx, abort.signal), stop: () => (abort.abort(), connector.stop()) };
}

it('a crash after the journal write: Telegram redelivers the update, the dedup key absorbs it, the agent sees it once', async () => {
  const token = fakeBotToken();
  const emulator = await startTelegramEmulator({ token });
  const tmp = makeTempDir('sb-telegram-crash-');
  cleanups.push(() => tmp.cleanup(), () => emulator.close());
  const outcomes: { key: string; status: string }[] = [];
  const received: InboundEvent[] = [];
  const acks: Promise<void>[] = [];

  // First process: journal the update, then die before any getUpdates carries the new offset. The
  // emulator refuses every later getUpdates (500 confirms nothing), the stop-time confirmation included.
  const bus1 = openJournal({ dir: tmp.dir });
  bus1.subscribe('agent', (e) => {
    received.push(e);
    acks.push(bus1.ack('agent', e.id));
  });
  const first = processOn(emulator, token, tmp.dir, bus1, (draft, r) => {
    emulator.failNextCalls(1_000, 500, { methods: ['getUpdates'] });
    outcomes.push({ key: draft.dedupKey, status: r.status });
  });
  await first.start();
  const update = emulator.injectMessage('journaled, never confirmed');
  await until(() => received.length === 1, 'the update journaled and delivered to the agent');
  const servedAt = emulator.count('getUpdates');
  await until(() => emulator.count('getUpdates') > servedAt, 'the connector to try to confirm');
  await first.stop();
  await Promise.all(acks);
  await bus1.close();
  // Telegram was never told: the update is still queued for the next poller.
  expect(outcomes).toEqual([{ key: expect.stringMatching(/^tg:u\d+$/), status: 'appended' }]);
  const updateId = Number(outcomes[0]!.key.slice('tg:u'.length));
  expect(emulator.calls.some((c) => c.method === 'getUpdates' && c.params.offset === updateId + 1)).toBe(true);
  expect(emulator.confirmedOffset()).toBeLessThanOrEqual(updateId);
  expect(emulator.pending()).toBe(1);

  // Second process on the same state dir: the emulator serves the update again; the journal absorbs it.
  emulator.failNextCalls(0, 500);
  const bus2 = openJournal({ dir: tmp.dir });
  cleanups.push(() => bus2.close());
  bus2.subscribe('agent', (e) => void received.push(e));
  const second = processOn(emulator, token, tmp.dir, bus2, (draft, r) => void outcomes.push({ key: draft.dedupKey, status: r.status }));
  cleanups.push(() => second.stop());
  await second.start();
  await until(() => outcomes.length === 2 && emulator.pending() === 0, 'the redelivery, absorbed and confirmed');
  expect(outcomes.map((o) => o.status)).toEqual(['appended', 'duplicate']);
  expect(outcomes[1]!.key).toBe(outcomes[0]!.key);
  expect(bus2.stats()).toMatchObject({ stored: 1, duplicates: 1, appended: 0 });
  await new Promise((r) => setTimeout(r, 200));
  expect(received.map((e) => e.text)).toEqual(['journaled, never confirmed']);
  expect(received[0]!.messageId).toBe(String(update.message_id));
  expect(failures).toEqual([]);
});
