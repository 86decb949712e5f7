/**
 * A Discord connector wired as the runtime wires it — registry factory, real SQLite journal, an acking
 * subscriber — against the emulator, for the connector and recovery tests.
 */
import { registry } from '../../connectors/registry.js';
import { startDiscordEmulator, type DiscordEmulator, type DiscordEmulatorOptions } from '../../connectors/discord/emulator.js';
import { openJournal } from '../../src/bus/journal.js';
import type { AgentBus } from '../../src/bus/bus.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type Connector, type ConnectorContext, type ConnectorState } from '../../src/connector.js';
import { silentLogger } from '../../src/log/logger.js';
import { makeTempDir } from '../helpers/tmp.js';

export interface Harness {
  emulator: DiscordEmulator;
  bus: AgentBus;
  stateDir: string;
  /** Every delivery to the subscriber, in order. */
  received: InboundEvent[];
  failures: unknown[];
  rejections: string[];
  transitions: ConnectorState[];
  /** A new connector instance (as after a process restart), sharing the state dir and journal. */
  connector(token?: string): Connector;
  ctx(): ConnectorContext;
  /** Start `c` (default: the first connector made). */
  start(c?: Connector): Promise<void>;
  texts(): string[];
  close(): Promise<void>;
}

export async function startHarness(options: DiscordEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startDiscordEmulator({ heartbeatIntervalMs: 100, ...options });
  const tmp = makeTempDir('sb-discord-');
  const bus = openJournal({ dir: tmp.dir });
  const received: InboundEvent[] = [];
  const failures: unknown[] = [];
  const rejections: string[] = [];
  const transitions: ConnectorState[] = [];
  bus.subscribe('agent', (e) => {
    received.push(e);
    void bus.ack('agent', e.id);
  });
  const made: { connector: Connector; abort: AbortController }[] = [];
  const module = await registry.discord!.load();
  const h: Harness = {
    emulator,
    bus,
    stateDir: tmp.dir,
    received,
    failures,
    rejections,
    transitions,
    connector(token = emulator.token) {
      const state = new StateTracker(systemClock);
      state.on('change', (c) => transitions.push(c.state));
      const block = { platform: 'discord', enabled: true, token: new Secret(token, 'test'), api_base: emulator.apiBase };
      const connector = module.create(block, { name: 'dc', log: silentLogger(), clock: systemClock, stateDir: tmp.dir, state });
      made.push({ connector, abort: new AbortController() });
      return connector;
    },
    ctx: () => ({
      log: silentLogger(),
      clock: systemClock,
      ingest: async (draft) => {
        const r = await bus.append(draft);
        return r.status === 'appended' ? r : { status: 'duplicate' };
      },
      reject: (reason) => void rejections.push(reason),
      fail: (err) => void failures.push(err),
    }),
    async start(c) {
      const entry = c ? made.find((m) => m.connector === c)! : made[0]!;
      await entry.connector.start(h.ctx(), entry.abort.signal);
    },
    texts: () => received.map((e) => e.text ?? ''),
    async close() {
      for (const m of made) {
        m.abort.abort();
        await m.connector.stop();
      }
      await emulator.close();
      await bus.close();
      tmp.cleanup();
    },
  };
  return h;
}
