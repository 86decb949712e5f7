/**
 * A loopback connector started against its emulator, with what it journals, rejects, fails and logs
 * recorded — shared by the loopback tests.
 */
import { startLoopbackEmulator, type LoopbackEmulator } from '../../connectors/loopback/emulator.js';
import { LoopbackConnector } from '../../connectors/loopback/connector.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext } from '../../src/connector.js';
import { MemoryJournal, captureLogs, recordTransitions, type LogLine, type Transition } from '../helpers/connector-harness.js';

/** One running emulator + connector pair and everything the connector reported. */
export interface LoopbackHarness {
  emulator: LoopbackEmulator;
  connector: LoopbackConnector;
  journal: MemoryJournal;
  rejects: string[];
  failures: unknown[];
  logs: LogLine[];
  transitions: Transition[];
  /** Stop the connector and close the emulator. */
  close(): Promise<void>;
}

/** Start an emulator on 127.0.0.1:0 and a connector dialled to it, online when this resolves. */
export async function startLoopbackHarness(token: string, options: { callTimeoutMs?: number } = {}): Promise<LoopbackHarness> {
  const emulator = await startLoopbackEmulator({ token });
  const { log, logs } = captureLogs();
  const state = new StateTracker(systemClock);
  const transitions = recordTransitions(state);
  const connector = new LoopbackConnector(
    { endpoint: emulator.endpoint, token: new Secret(token, 'test'), ...options },
    { name: 'lb', log, clock: systemClock, stateDir: '/nonexistent', state },
  );
  const journal = new MemoryJournal();
  const rejects: string[] = [];
  const failures: unknown[] = [];
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => journal.append(draft),
    reject: (reason) => void rejects.push(reason),
    fail: (err) => void failures.push(err),
  };
  const abort = new AbortController();
  await connector.start(ctx, abort.signal);
  return {
    emulator, connector, journal, rejects, failures, logs, transitions,
    close: async () => {
      await connector.stop();
      abort.abort();
      await emulator.close();
    },
  };
}
