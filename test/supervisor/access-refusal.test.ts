/**
 * The runner's ingest path with the access gate: a refused draft is not journaled, is counted under its
 * reason, and `ingest` resolves `refused`; the pairing code goes out through the connector's own send;
 * a `buttons` command sent through the supervisor restricts who may press.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/bus/journal.js';
import type { EventDraft, OutboundCommand, SendResult } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { StateTracker, type Connector, type ConnectorContext, type ConnectorDeps } from '../../src/connector.js';
import { silentLogger } from '../../src/log/logger.js';
import { openAccessStore } from '../../src/security/access-store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { makeTempDir, until } from '../helpers/tmp.js';

/** A connector that only records what it is asked to send and exposes its context. */
class RecordingConnector implements Connector {
  readonly platform = 'rec';
  readonly transport = 'outbound-socket' as const;
  ctx: ConnectorContext | undefined;
  readonly sent: OutboundCommand[] = [];
  constructor(readonly name: string, private readonly state: StateTracker) {}
  listeners() {
    return [];
  }
  async start(ctx: ConnectorContext) {
    this.ctx = ctx;
    this.state.set('online');
  }
  async stop() {
    this.state.set('offline');
  }
  async send(cmd: OutboundCommand): Promise<SendResult> {
    this.sent.push(cmd);
    return { messageIds: [`m${this.sent.length}`] };
  }
  status() {
    return this.state.snapshot();
  }
}

let n = 0;
const draft = (sender: string, conversation: EventDraft['conversation'], extra: Partial<EventDraft> = {}): EventDraft => ({
  dedupKey: `rec:${++n}`, connector: 'rec', platform: 'rec', kind: 'message', conversation, sender: { id: sender, isBot: false }, text: 'hi',
  provenance: { transport: 'outbound-socket', verified: 'token', sender: 'unknown' }, ...extra,
});

describe('access refusals in the runner', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    const tmp = makeTempDir();
    const bus = openJournal({ dir: tmp.dir, retention: { maxAgeMs: Infinity, maxEvents: Infinity } });
    const access = openAccessStore(tmp.dir, systemClock);
    let connector!: RecordingConnector;
    const supervisor = new Supervisor({
      connectors: { rec: { platform: 'rec', enabled: true, access: { dm: 'pairing', groups: ['g'], owners: ['me'] } } },
      loadModule: async () => ({ create: (_c, deps: ConnectorDeps) => (connector = new RecordingConnector(deps.name, deps.state)) }),
      plan: () => ({ transport: 'outbound-socket', verification: 'token', listeners: [] }), bus, log: silentLogger(), clock: systemClock, stateDir: tmp.dir, access,
    });
    cleanups.push(tmp.cleanup, () => access.close(), () => bus.close(), () => supervisor.stop());
    await supervisor.start();
    return { supervisor, bus, access, connector, ctx: connector.ctx! };
  }

  it('a stranger\'s DM is refused before the journal, counted, and answered once with a code', async () => {
    const { supervisor, bus, access, connector, ctx } = await setup();
    expect(await ctx.ingest(draft('stranger', { id: 'd1', kind: 'dm' }))).toEqual({ status: 'refused', reason: 'dm-not-paired' });
    await until(() => connector.sent.length === 1, 'the pairing reply');
    const code = access.pairing.pending()[0]!.code;
    expect(connector.sent[0]).toEqual({ type: 'send', connector: 'rec', conversation: 'd1', text: expect.stringContaining(code) });
    expect(bus.stats().appended).toBe(0);
    expect(supervisor.report()[0]).toMatchObject({ eventsIn: 0, rejected: 1, rejectedBy: { 'dm-not-paired': 1 } });
    const owner = await ctx.ingest(draft('me', { id: 'd2', kind: 'dm' }));
    expect(owner).toMatchObject({ status: 'appended', event: { provenance: { sender: 'owner' } } });
  });

  it('a buttons command sent through the supervisor binds the presses to its allowed users', async () => {
    const { supervisor, ctx } = await setup();
    const sent = await supervisor.send({ type: 'buttons', connector: 'rec', conversation: 'g', text: 'ok?', buttons: [{ id: 'y', label: 'Yes' }], allowedUsers: ['alice'] });
    const press = (who: string) => ctx.ingest(draft(who, { id: 'g', kind: 'group' }, { kind: 'action', messageId: sent.messageIds[0]!, action: { id: 'y' } }));
    expect(await press('mallory')).toEqual({ status: 'refused', reason: 'button-not-issued-to-sender' });
    expect(await press('alice')).toMatchObject({ status: 'appended', event: { sender: { id: 'alice' }, provenance: { sender: 'unknown' } } });
    expect(supervisor.report()[0]!.rejectedBy).toEqual({ 'button-not-issued-to-sender': 1 });
  });
});
