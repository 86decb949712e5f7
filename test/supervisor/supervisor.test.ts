import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentBus, AppendResult } from '../../src/bus/bus.js';
import type { EventDraft, OutboundCommand, SendResult } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import type { Connector, ConnectorContext, ConnectorDeps, ConnectorStatus, ListenerInfo } from '../../src/connector.js';
import { FatalConnectorError, RetryableConnectorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ConnectorConfig, ConnectorModule } from '../../src/registry-types.js';
import { openAccessStore } from '../../src/security/access-store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { until } from '../helpers/tmp.js';

/** A scripted connector: each start() takes the next behaviour from `script`. */
class ScriptedConnector implements Connector {
  readonly platform = 'scripted';
  starts = 0;
  ctx: ConnectorContext | undefined;
  readonly transitions: string[] = [];
  constructor(
    readonly name: string,
    readonly transport: 'outbound-socket' | 'webhook',
    private readonly deps: ConnectorDeps,
    private readonly script: ('ok' | 'retry' | 'fatal' | 'retry-after')[],
    private readonly listenerList: ListenerInfo[] = [],
    /** Like Mattermost's callbacks: the listener exists only once start() has opened it. */
    private readonly listenOnStart = false,
  ) {
    deps.state.on('change', (c) => this.transitions.push(c.state));
  }
  listeners(): ListenerInfo[] {
    return this.listenOnStart && this.deps.state.state !== 'online' ? [] : this.listenerList;
  }
  async start(ctx: ConnectorContext): Promise<void> {
    this.ctx = ctx;
    const step = this.script[Math.min(this.starts++, this.script.length - 1)];
    this.deps.state.set('connecting');
    if (step === 'fatal') throw new FatalConnectorError('401 Unauthorized: bad token');
    if (step === 'retry') throw new RetryableConnectorError('503');
    if (step === 'retry-after') throw new RetryableConnectorError('429', { retryAfterMs: 300 });
    this.deps.state.set('online');
  }
  async stop(): Promise<void> {
    if (this.deps.state.state !== 'failed') this.deps.state.set('offline');
  }
  async send(cmd: OutboundCommand): Promise<SendResult> {
    return { messageIds: [`sent:${cmd.type}`] };
  }
  status(): ConnectorStatus {
    return this.deps.state.snapshot();
  }
}

const memoryBus = (): AgentBus & { drafts: EventDraft[] } => {
  const drafts: EventDraft[] = [];
  return {
    drafts,
    append: async (d): Promise<AppendResult> => {
      if (drafts.some((x) => x.dedupKey === d.dedupKey)) return { status: 'duplicate', dedupKey: d.dedupKey };
      drafts.push(d);
      return { status: 'appended', event: { ...d, id: `ev${drafts.length}`, receivedAt: new Date().toISOString(), correlationId: 'c' } };
    },
    subscribe: () => ({ subscriber: 'x', close: async () => undefined }),
    ack: async () => undefined,
    stats: () => ({ appended: drafts.length, duplicates: 0, perConnector: {}, stored: drafts.length }),
    prune: () => 0,
    close: async () => undefined,
  };
};

describe('Supervisor', () => {
  let made: ScriptedConnector[];
  let supervisor: Supervisor | undefined;
  beforeEach(() => {
    made = [];
  });
  afterEach(async () => {
    await supervisor?.stop();
  });

  function setup(blocks: Record<string, { script: ('ok' | 'retry' | 'fatal' | 'retry-after')[]; transport?: 'outbound-socket' | 'webhook'; listeners?: ListenerInfo[]; declared?: ListenerInfo[]; enabled?: boolean; listenOnStart?: boolean }>, bus = memoryBus()) {
    const configs: Record<string, ConnectorConfig> = {};
    // 'u', the sender of the drafts below, owns them: these tests are about lifecycle, not access.
    for (const [name, b] of Object.entries(blocks)) configs[name] = { platform: 'scripted', enabled: b.enabled ?? true, access: { owners: ['u'] } };
    const module: ConnectorModule = {
      create: (_config, deps) => {
        const b = blocks[deps.name]!;
        const c = new ScriptedConnector(deps.name, b.transport ?? 'outbound-socket', deps, b.script, b.listeners, b.listenOnStart);
        made.push(c);
        return c;
      },
    };
    const loaded: string[] = [];
    supervisor = new Supervisor({
      connectors: configs,
      loadModule: async (p) => {
        loaded.push(p);
        return module;
      },
      plan: (name) => ({ transport: blocks[name]?.transport ?? 'outbound-socket', verification: 'socket-auth', listeners: blocks[name]?.declared ?? [] }),
      bus,
      log: silentLogger(),
      clock: systemClock,
      stateDir: '/nonexistent',
      access: openAccessStore(':memory:', systemClock),
      backoff: { initialMs: 10, maxMs: 50, jitter: 0 },
    });
    return { supervisor, bus, loaded };
  }

  it('starts connectors to online and reports them', async () => {
    const { supervisor } = setup({ a: { script: ['ok'] }, off: { script: ['ok'], enabled: false, transport: 'webhook' } });
    await supervisor.start();
    const report = supervisor.report();
    expect(report.map((r) => [r.name, r.state])).toEqual([['a', 'online'], ['off', 'disabled']]);
    // A disabled connector is reported with its plan's transport (a disabled webhook is not "outbound").
    expect(report.map((r) => [r.name, r.transport])).toEqual([['a', 'outbound-socket'], ['off', 'webhook']]);
    expect(made).toHaveLength(1);
  });

  it('restarts a failing connector with backoff until it is online', async () => {
    const { supervisor } = setup({ a: { script: ['retry', 'retry', 'ok'] } });
    await supervisor.start();
    await until(() => supervisor.report()[0]!.state === 'online', 'online after retries');
    expect(made[0]!.starts).toBe(3);
    expect(supervisor.report()[0]!.restarts).toBe(2);
  });

  it("honours the platform's retry-after before restarting", async () => {
    const { supervisor } = setup({ a: { script: ['retry-after', 'ok'] } });
    const t0 = Date.now();
    await supervisor.start();
    expect(supervisor.report()[0]!.state).toBe('reconnecting');
    await until(() => supervisor.report()[0]!.state === 'online', 'online');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('stops on a fatal error without a restart loop', async () => {
    const { supervisor } = setup({ a: { script: ['fatal', 'ok'] } });
    await supervisor.start();
    await new Promise((r) => setTimeout(r, 200));
    const row = supervisor.report()[0]!;
    expect(row.state).toBe('failed');
    expect(row.reason).toContain('bad token');
    expect(made[0]!.starts).toBe(1);
    expect(made[0]!.transitions).toEqual(['connecting', 'failed']);
  });

  it('restarts a connector that reports a failure after it was online', async () => {
    const { supervisor } = setup({ a: { script: ['ok', 'ok'] } });
    await supervisor.start();
    made[0]!.ctx!.fail(new RetryableConnectorError('socket closed'));
    await until(() => made[0]!.starts === 2 && supervisor.report()[0]!.state === 'online', 'restarted');
  });

  it('refuses an outbound connector that reports a listener', async () => {
    const { supervisor } = setup({ a: { script: ['ok'], listeners: [{ bind: '0.0.0.0:80', exposure: 'public', verification: 'token' }] } });
    await supervisor.start();
    const row = supervisor.report()[0]!;
    expect(row.state).toBe('failed');
    expect(row.reason).toMatch(/outbound connector reported a listener/);
    expect(made[0]!.starts).toBe(0);
  });

  it('runs an outbound connector whose listener its config plan declares, and refuses one it does not', async () => {
    const callbacks: ListenerInfo = { bind: '127.0.0.1:0', exposure: 'loopback', verification: 'token' };
    const { supervisor } = setup({
      declared: { script: ['ok'], listeners: [{ ...callbacks, bind: '127.0.0.1:41234' }], declared: [callbacks] },
      elsewhere: { script: ['ok'], listeners: [{ ...callbacks, bind: '192.168.1.5:41234' }], declared: [callbacks] },
    });
    await supervisor.start();
    const [declared, elsewhere] = supervisor.report();
    expect(declared!.state).toBe('online');
    expect(declared!.listeners.map((l) => l.bind)).toEqual(['127.0.0.1:41234']);
    expect(elsewhere!.state).toBe('failed');
    expect(elsewhere!.reason).toMatch(/outbound connector reported a listener on 192\.168\.1\.5:41234 that its config does not declare/);
  });

  it('fails a connector that opens an undeclared listener during start, and the runtime keeps serving the others', async () => {
    const { supervisor, bus } = setup({
      opens: { script: ['ok'], listeners: [{ bind: '192.168.1.5:41234', exposure: 'lan', verification: 'token' }], listenOnStart: true },
      other: { script: ['ok'] },
    });
    await supervisor.start();
    await until(() => supervisor.report()[0]!.state === 'failed', 'the connector with the undeclared listener failed');
    const [opens, other] = supervisor.report();
    expect(opens!.reason).toMatch(/outbound connector reported a listener on 192\.168\.1\.5:41234 that its config does not declare/);
    expect(made[0]!.starts).toBe(1);
    expect(made[0]!.transitions.at(-1)).toBe('failed');
    expect(other!.state).toBe('online');
    const draft = { dedupKey: 'other:1', connector: 'other', platform: 'scripted', kind: 'message', conversation: { id: 'c', kind: 'dm' }, sender: { id: 'u', isBot: false }, provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' } } satisfies EventDraft;
    await expect(made[1]!.ctx!.ingest(draft)).resolves.toMatchObject({ status: 'appended' });
    expect(bus.drafts).toHaveLength(1);
  });

  it('matches a declared bind of localhost or upper-case IPv6 to the address actually bound', async () => {
    const token = { exposure: 'loopback', verification: 'token' } as const;
    const { supervisor } = setup({
      v4: { script: ['ok'], listeners: [{ ...token, bind: '127.0.0.1:41234' }], declared: [{ ...token, bind: 'localhost:41234' }], listenOnStart: true },
      v6: { script: ['ok'], listeners: [{ ...token, bind: '[::1]:41235' }], declared: [{ ...token, bind: 'LOCALHOST:41235' }], listenOnStart: true },
      lan: { script: ['ok'], listeners: [{ ...token, exposure: 'lan', bind: '[fe80::a:1]:41236' }], declared: [{ ...token, exposure: 'lan', bind: '[FE80:0::A:0001]:41236' }], listenOnStart: true },
      notLoopback: { script: ['ok'], listeners: [{ ...token, bind: '10.0.0.1:41237' }], declared: [{ ...token, bind: 'localhost:41237' }], listenOnStart: true },
    });
    await supervisor.start();
    await until(() => supervisor.report()[3]!.state === 'failed', 'a non-loopback bind for localhost is refused');
    expect(supervisor.report().map((r) => [r.name, r.state])).toEqual([['v4', 'online'], ['v6', 'online'], ['lan', 'online'], ['notLoopback', 'failed']]);
  });

  it('counts events in and duplicates through the context', async () => {
    const { supervisor, bus } = setup({ a: { script: ['ok'] } });
    await supervisor.start();
    const draft = { dedupKey: 'a:1', connector: 'a', platform: 'scripted', kind: 'message', conversation: { id: 'c', kind: 'dm' }, sender: { id: 'u', isBot: false }, provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' } } satisfies EventDraft;
    await made[0]!.ctx!.ingest(draft);
    expect((await made[0]!.ctx!.ingest(draft)).status).toBe('duplicate');
    made[0]!.ctx!.reject('bad-signature');
    const row = supervisor.report()[0]!;
    expect([row.eventsIn, row.duplicates, row.rejected, row.rejectedBy]).toEqual([1, 1, 1, { 'bad-signature': 1 }]);
    expect(row.lastEventAt).toBeDefined();
    expect(bus.drafts).toHaveLength(1);
  });

  it('routes send to the named connector and names the running ones for an unknown name', async () => {
    const { supervisor } = setup({ a: { script: ['ok'] } });
    await supervisor.start();
    await expect(supervisor.send({ type: 'typing', connector: 'a', conversation: 'c' })).resolves.toEqual({ messageIds: ['sent:typing'] });
    await expect(supervisor.send({ type: 'typing', connector: 'zz', conversation: 'c' })).rejects.toThrow(/running: a/);
  });

  it('stop drains and leaves connectors offline; intake is refused after stopIntake', async () => {
    const { supervisor } = setup({ a: { script: ['ok'] } });
    await supervisor.start();
    supervisor.stopIntake();
    const draft = { dedupKey: 'a:2', connector: 'a', platform: 'scripted', kind: 'message', conversation: { id: 'c', kind: 'dm' }, sender: { id: 'u', isBot: false }, provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' } } satisfies EventDraft;
    await expect(made[0]!.ctx!.ingest(draft)).rejects.toThrow(/shutting down/);
    await supervisor.stop();
    expect(supervisor.report()[0]!.state).toBe('offline');
  });
});
