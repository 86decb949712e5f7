import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PausableBus, PausableSubscription } from '../../src/bus/bus.js';
import { openJournal, type SqliteJournal } from '../../src/bus/journal.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { ControlClient } from '../../src/control/client.js';
import { DEFAULT_ACK_WINDOW } from '../../src/control/delivery-flow.js';
import { startControlServer, type ControlServer } from '../../src/control/server.js';
import type { RuntimeStatus } from '../../src/control/protocol.js';
import { silentLogger } from '../../src/log/logger.js';
import { appendRange } from '../bus/journal-helpers.js';
import { makeTempDir, until } from '../helpers/tmp.js';

/** A control server over a real journal; the bus is wrapped only to count what it hands the server. */
interface Rig {
  journal: SqliteJournal;
  server: ControlServer;
  subs: PausableSubscription[];
  /** Events the bus delivered to the control server (written to, or queued for, the socket). */
  delivered: () => number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(): Promise<Rig> {
  const tmp = makeTempDir('sb-flow-');
  const journal = openJournal({ dir: tmp.dir });
  const subs: PausableSubscription[] = [];
  let delivered = 0;
  const bus: PausableBus = {
    append: (d) => journal.append(d),
    ack: (s, id) => journal.ack(s, id),
    stats: () => journal.stats(),
    prune: () => journal.prune(),
    close: () => journal.close(),
    subscribe: (name, onEvent, options) => {
      const sub = journal.subscribe(name, (e) => {
        delivered += 1;
        onEvent(e);
      }, options);
      subs.push(sub);
      return sub;
    },
  };
  const server = await startControlServer(join(tmp.dir, 'c.sock'), { status: () => ({}) as RuntimeStatus, send: () => Promise.reject(new Error('no send here')), bus }, silentLogger());
  cleanups.push(tmp.cleanup, () => journal.close(), () => server.close());
  return { journal, server, subs, delivered: () => delivered };
}

/** A raw NDJSON connection: lines arrive in `lines` while the socket is read. */
async function rawClient(path: string): Promise<{ socket: Socket; lines: Record<string, unknown>[] }> {
  const socket = createConnection(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  cleanups.push(() => void socket.destroy());
  const lines: Record<string, unknown>[] = [];
  let rest = '';
  socket.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop()!;
    for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  return { socket, lines };
}

const eventsOf = (lines: Record<string, unknown>[]) => lines.filter((l) => 'event' in l).map((l) => l.event as InboundEvent);

function expectAllInOrder(events: InboundEvent[], n: number): void {
  expect(events).toHaveLength(n);
  expect(new Set(events.map((e) => e.id)).size).toBe(n);
  events.forEach((e, i) => expect(e.text).toBe(`message ${i + 1}`));
}

describe('control socket flow control', () => {
  it('a subscriber that stops reading pauses its subscription: the runtime buffers a bounded amount, then it gets every event once, in order', async () => {
    const { journal, server, subs, delivered } = await rig();
    const { socket, lines } = await rawClient(server.path);
    // A window larger than the whole flood: only the socket's back-pressure can stop delivery.
    socket.write(JSON.stringify({ id: 1, op: 'subscribe', subscriber: 'sleepy', window: 100_000 }) + '\n');
    await until(() => lines.length === 1, 'subscribe answer');
    socket.pause(); // stop reading, like an agent blocked on a long task or `tail` after Ctrl-Z

    await appendRange(journal, 1, 15_000);
    await until(() => subs[0]!.paused, 'the subscription to pause');
    const whenPaused = delivered();
    expect(whenPaused).toBeLessThan(15_000);
    // More events while the reader sleeps: none of them reach the socket's buffer.
    await appendRange(journal, 15_001, 20_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(subs[0]!.paused).toBe(true);
    expect(delivered()).toBe(whenPaused);

    // The reader wakes up and acks as it goes.
    const received: InboundEvent[] = [];
    const takeAndAck = () => {
      for (const e of eventsOf(lines.splice(1))) {
        received.push(e);
        socket.write(JSON.stringify({ id: 2, op: 'ack', event: e.id }) + '\n');
      }
    };
    socket.on('data', takeAndAck);
    takeAndAck();
    socket.resume();
    await until(() => received.length >= 20_000, 'all 20,000 events', 60_000);
    expectAllInOrder(received, 20_000);
    expect(delivered()).toBe(20_000);
  }, 120_000);

  it(`stops at ${DEFAULT_ACK_WINDOW} delivered-but-unacked events per connection, and goes on as acks come`, async () => {
    const { journal, server, subs } = await rig();
    const { socket, lines } = await rawClient(server.path);
    socket.write(JSON.stringify({ id: 1, op: 'subscribe', subscriber: 'no-acks' }) + '\n');
    await until(() => lines.length === 1, 'subscribe answer');
    await appendRange(journal, 1, 2_500);
    await until(() => subs[0]!.paused && eventsOf(lines).length === DEFAULT_ACK_WINDOW, 'the window to fill');
    await new Promise((r) => setTimeout(r, 50));
    expect(eventsOf(lines)).toHaveLength(DEFAULT_ACK_WINDOW);
    // Acking one frees one slot.
    socket.write(JSON.stringify({ id: 2, op: 'ack', event: eventsOf(lines)[0]!.id }) + '\n');
    await until(() => eventsOf(lines).length === DEFAULT_ACK_WINDOW + 1, 'one more event');
    await new Promise((r) => setTimeout(r, 50));
    expect(eventsOf(lines)).toHaveLength(DEFAULT_ACK_WINDOW + 1);
    // Ack everything as it comes: the rest follows, in order, once.
    let acked = 1;
    const ackNew = () => {
      const events = eventsOf(lines);
      for (; acked < events.length; acked++) socket.write(JSON.stringify({ id: 3, op: 'ack', event: events[acked]!.id }) + '\n');
    };
    socket.on('data', ackNew);
    ackNew();
    await until(() => eventsOf(lines).length === 2_500, 'all 2,500 events', 30_000);
    expectAllInOrder(eventsOf(lines), 2_500);
  }, 60_000);

  it('the control client acking as it goes gets a backlog far beyond the window', async () => {
    const { journal, server } = await rig();
    await appendRange(journal, 1, 3_000);
    const client = await ControlClient.connectSocket(server.path);
    cleanups.push(() => client.close());
    const got: InboundEvent[] = [];
    const acks: Promise<unknown>[] = [];
    await client.subscribe('acker', (e) => {
      got.push(e);
      acks.push(client.ack(e.id));
    });
    await until(() => got.length === 3_000, 'the backlog', 30_000);
    await Promise.all(acks);
    expectAllInOrder(got, 3_000);
  }, 60_000);

  it('the control client passes its window: delivery stops at it until acks come', async () => {
    const { journal, server, subs } = await rig();
    await appendRange(journal, 1, 50);
    const client = await ControlClient.connectSocket(server.path);
    cleanups.push(() => client.close());
    const got: InboundEvent[] = [];
    await client.subscribe('small', (e) => got.push(e), { window: 10 });
    await until(() => subs[0]!.paused && got.length === 10, 'a full window');
    await Promise.all(got.map((e) => client.ack(e.id)));
    await until(() => got.length === 20, 'the next window');
    expectAllInOrder(got, 20);
  });

  it('refuses a window out of range, naming the field', async () => {
    const { server } = await rig();
    const client = await ControlClient.connectSocket(server.path);
    cleanups.push(() => client.close());
    await expect(client.request('subscribe', { subscriber: 'x', window: 0 })).rejects.toMatchObject({ code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('window') });
  });
});
