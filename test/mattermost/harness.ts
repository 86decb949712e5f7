/** A Mattermost connector wired to its emulator and an in-memory, deduplicating ingest, for connector tests. */
import { MattermostConnector, type MattermostConnectorConfig, type MattermostTiming } from '../../connectors/mattermost/connector.js';
import { fakeMattermostToken, startMattermostEmulator, type EmulatorOptions, type MattermostEmulator } from '../../connectors/mattermost/emulator.js';
import type { EventDraft } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext, type ConnectorState } from '../../src/connector.js';
import { MemoryJournal, captureLogs, recordTransitions, type HarnessBase, type Transition } from '../helpers/connector-harness.js';
import { makeTempDir } from '../helpers/tmp.js';

export interface Harness extends HarnessBase<MattermostEmulator, MattermostConnector> {
  token: string;
  stateDir: string;
  transitions: Transition[];
  /** Every ingest call, duplicates included. */
  ingested: EventDraft[];
  /** The connector's state when each draft of `drafts` was journaled. */
  stateAtIngest: ConnectorState[];
  rejected: string[];
  failures: unknown[];
  /** A new connector on the same state dir and emulator (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: Partial<EmulatorOptions>;
  timing?: Partial<MattermostTiming>;
  config?: Partial<MattermostConnectorConfig>;
  /** Token the connector uses (default: the emulator's). */
  connectorToken?: string;
}

const FAST: Partial<MattermostTiming> = { retryInitialMs: 50, retryMaxMs: 400, sendRetryInitialMs: 20 };

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const token = fakeMattermostToken();
  const emulator = await startMattermostEmulator({ token, ...options.emulator });
  const tmp = makeTempDir('sb-mm-');
  const { log, logs } = captureLogs();
  const state = new StateTracker(systemClock);
  const transitions = recordTransitions(state);
  const journal = new MemoryJournal();
  const { drafts, ingested } = journal;
  const stateAtIngest: ConnectorState[] = [];
  const rejected: string[] = [];
  const failures: unknown[] = [];
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => {
      ingested.push(draft);
      const result = journal.append(draft);
      if (result.status === 'appended') stateAtIngest.push(state.state);
      return result;
    },
    reject: (reason) => void rejected.push(reason),
    fail: (err) => void failures.push(err),
  };
  const make = () =>
    new MattermostConnector(
      { url: emulator.url, token: new Secret(options.connectorToken ?? token, 'test'), ...options.config },
      { name: 'mm', log, clock: systemClock, stateDir: tmp.dir, state },
      { ...FAST, ...options.timing },
    );
  const h: Harness = {
    emulator, token, stateDir: tmp.dir, connector: make(), state, transitions, drafts, ingested, stateAtIngest, rejected, failures, logs, ctx,
    abort: new AbortController(),
    restart: async () => {
      await h.connector.stop();
      h.connector = make();
      h.abort = new AbortController();
      await h.connector.start(ctx, h.abort.signal);
    },
    close: async () => {
      h.abort.abort();
      await h.connector.stop();
      await emulator.close();
      tmp.cleanup();
    },
  };
  return h;
}

/** The texts of the journaled messages, in order. */
export function texts(h: Harness): string[] {
  return h.drafts.filter((d) => d.kind === 'message' || d.kind === 'command').map((d) => d.text ?? '');
}
