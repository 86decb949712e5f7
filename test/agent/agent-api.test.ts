/**
 * The agent API on the runtime's socket: malformed lines answered and survived, several subscribers
 * with their own cursors and filters, and each command's result or typed error — through the typed
 * client against a real runtime with the Telegram connector on its emulator.
 */
import { createConnection } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentClient, AgentError } from '../../src/agent/client.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { readLines } from '../../src/control/ndjson.js';
import { toWireError } from '../../src/control/wire-error.js';
import { SbError } from '../../src/errors.js';
import { until } from '../helpers/tmp.js';
import { startTelegramRuntime, USER, type TelegramRuntime } from './runtime-harness.js';

let h: TelegramRuntime;
const clients: AgentClient[] = [];

beforeEach(async () => {
  h = await startTelegramRuntime();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h.close();
});

async function connect(): Promise<AgentClient> {
  const c = await AgentClient.connect(h.stateDir);
  clients.push(c);
  return c;
}

/** Collect events from `client.events(...)` into an array (in the background). */
function collect(client: AgentClient, options: Parameters<AgentClient['events']>[0]): InboundEvent[] {
  const got: InboundEvent[] = [];
  void (async () => {
    for await (const e of client.events(options)) got.push(e);
  })().catch(() => undefined);
  return got;
}

const target = { connector: 'tg', conversation: String(USER) };

describe('agent API wire', () => {
  it('answers malformed lines with one error line each (with the id when readable) and stays usable', async () => {
    const socket = createConnection(h.runtime.controlPath);
    const lines: Record<string, unknown>[] = [];
    readLines(socket, (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    await new Promise((r) => socket.once('connect', r));
    socket.write('this is not json\n');
    socket.write('{"id":7,"op":"launch"}\n');
    socket.write(`{"id":8,"op":"reply","connector":"tg","conversation":"${USER}","text":"hi"}\n`);
    socket.write('{"id":9,"op":"ack","event":"x"}\n');
    socket.write('[1,2]\n');
    socket.write('{"id":10,"op":"ping"}\n');
    await until(() => lines.length === 6, 'six answers');
    socket.destroy();
    // Answers come in completion order; each carries the request id (null when it could not be read).
    const byId = (id: number) => lines.find((l) => l.id === id);
    const unreadable = lines.filter((l) => l.id === null);
    expect(unreadable).toHaveLength(2);
    expect(unreadable[0]).toMatchObject({ ok: false, error: { code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('not JSON') } });
    expect(unreadable[1]).toMatchObject({ ok: false, error: { code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('unknown op') } });
    expect(byId(7)).toMatchObject({ ok: false, error: { code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('unknown op "launch"') } });
    expect(byId(8)).toMatchObject({ ok: false, error: { code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('replyTo') } });
    expect(byId(9)).toMatchObject({ ok: false, error: { code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('subscribe') } });
    expect(byId(10)).toEqual({ id: 10, ok: true, result: 'pong' });
  });

  it('drops a line past 1 MiB with one error line, and reads the next line normally', async () => {
    const socket = createConnection(h.runtime.controlPath);
    const lines: Record<string, unknown>[] = [];
    readLines(socket, (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    await new Promise((r) => socket.once('connect', r));
    socket.write(`{"id":1,"op":"send","connector":"tg","conversation":"1","text":"${'x'.repeat(1_100_000)}"}\n`);
    socket.write('{"id":2,"op":"ping"}\n');
    await until(() => lines.length === 2, 'two answers');
    socket.destroy();
    expect(lines[0]).toMatchObject({ id: null, ok: false, error: { code: 'SB_E_BAD_REQUEST', message: expect.stringContaining('line too long') } });
    expect(lines[1]).toEqual({ id: 2, ok: true, result: 'pong' });
    expect(h.emulator.sent).toEqual([]);
  });

  it('serves several subscribers at once, each with its own cursor, and a filter', async () => {
    const a = await connect();
    const b = await connect();
    const cmds = await connect();
    const gotA = collect(a, { subscriber: 'agent-a' });
    const gotB = collect(b, { subscriber: 'agent-b' });
    const gotCmd = collect(cmds, { subscriber: 'commands', filter: { kind: 'command', connector: ['tg'] } });
    await h.userSays('one');
    await h.userSays('/two');
    await h.userSays('three');
    await until(() => gotA.length === 3 && gotB.length === 3 && gotCmd.length === 1, 'every subscriber has its events');
    expect(gotCmd.map((e) => e.text)).toEqual(['/two']);
    for (const e of gotA) await a.ack(e.id);
    await b.ack(gotB[0]!.id);
    a.close();
    b.close();
    cmds.close();
    await h.userSays('four');

    const a2 = await connect();
    const b2 = await connect();
    const c2 = await connect();
    const againA = collect(a2, { subscriber: 'agent-a' });
    const againB = collect(b2, { subscriber: 'agent-b' });
    const againCmd = collect(c2, { subscriber: 'commands', filter: { kind: 'command' } });
    await until(() => againA.length === 1 && againB.length === 3, 'resumed at each cursor');
    expect(againA.map((e) => e.text)).toEqual(['four']);
    expect(againB.map((e) => e.text)).toEqual(['/two', 'three', 'four']);
    // The command subscriber never acked its one event: it comes again; filtered events do not.
    await until(() => againCmd.length === 1, 'the unacked command again');
    expect(againCmd.map((e) => e.text)).toEqual(['/two']);
  });
});

describe('agent API commands', () => {
  it('send, reply, edit, react, typing and buttons each return the platform result', async () => {
    const c = await connect();
    const incoming = await h.userSays('hello');
    const sent = await c.send({ ...target, text: 'first' });
    expect(sent.messageIds).toHaveLength(1);
    const replied = await c.reply({ ...target, replyTo: String(incoming), text: 'answer' });
    expect(replied.messageIds).toHaveLength(1);
    await c.edit({ ...target, messageId: sent.messageIds[0]!, text: 'first, edited' });
    await c.react({ ...target, messageId: String(incoming), emoji: '👍' });
    await c.typing(target);
    const buttons = await c.buttons({ ...target, text: 'pick', buttons: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }] });
    expect(buttons.messageIds).toHaveLength(1);
    expect(h.emulator.sent.map((s) => s.method)).toEqual(['sendMessage', 'sendMessage', 'editMessageText', 'setMessageReaction', 'sendChatAction', 'sendMessage']);
    expect(h.emulator.sent[1]).toMatchObject({ text: 'answer', reply_to: incoming });
    expect(h.emulator.sent[2]).toMatchObject({ text: 'first, edited', message_id: Number(sent.messageIds[0]) });
  });

  it('refusals are typed errors with stable codes', async () => {
    const c = await connect();
    const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof AgentError ? e.code : String(e)));
    expect(await code(c.send({ connector: 'nope', conversation: '1', text: 'x' }))).toBe('SB_E_UNKNOWN_CONNECTOR');
    expect(await code(c.command({ type: 'reply', ...target, text: 'x' } as never))).toBe('SB_E_BAD_REQUEST');
    expect(await code(c.edit({ ...target, messageId: '999999', text: 'x' }))).toBe('SB_E_PLATFORM');
    h.emulator.failNextCalls(1, 429, { retryAfter: 120, methods: ['sendMessage'] });
    const limited = await c.send({ ...target, text: 'too fast' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(AgentError);
    expect(limited).toMatchObject({ code: 'SB_E_RATE_LIMITED', retryAfterMs: 120_000 });
    // The connection is still good after every refusal.
    expect((await c.send({ ...target, text: 'still here' })).messageIds).toHaveLength(1);
  });

  it('maps internal errors to the wire codes', () => {
    expect(toWireError(new SbError('SB_E_UNSUPPORTED', 'no edit'))).toEqual({ code: 'SB_E_UNSUPPORTED', message: 'no edit' });
    expect(toWireError(new SbError('SB_E_SEND', 'slow down', { retryAfterMs: 5000 }))).toMatchObject({ code: 'SB_E_RATE_LIMITED', retryAfterMs: 5000 });
    expect(toWireError(new SbError('SB_E_SEND', 'chat not found'))).toMatchObject({ code: 'SB_E_PLATFORM' });
    expect(toWireError(new SbError('SB_E_PROTOCOL', 'unknown event id'))).toMatchObject({ code: 'SB_E_BAD_REQUEST' });
    expect(toWireError(new TypeError('boom'))).toMatchObject({ code: 'SB_E_INTERNAL' });
    // Only the documented codes reach an agent: a connector's timeout or lost connection is the platform's.
    expect(toWireError(new SbError('SB_E_TIMEOUT', 'no answer in 30 s'))).toEqual({ code: 'SB_E_PLATFORM', message: 'no answer in 30 s' });
    expect(toWireError(new SbError('SB_E_CONNECTOR', 'connection lost'))).toMatchObject({ code: 'SB_E_PLATFORM' });
    expect(toWireError(new SbError('SB_E_STATE_DIR', 'odd'))).toMatchObject({ code: 'SB_E_INTERNAL', message: 'odd' });
  });
});
