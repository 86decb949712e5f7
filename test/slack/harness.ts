/** A Slack connector wired to its emulator and an in-memory, deduplicating ingest, for connector tests. */
import { SlackConnector, type SlackTiming } from '../../connectors/slack/connector.js';
import { fakeSlackTokens, startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from '../../connectors/slack/emulator.js';
import type { EventDraft } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext } from '../../src/connector.js';
import { IngestGate, MemoryJournal, captureLogs, recordTransitions, type HarnessBase, type Transition } from '../helpers/connector-harness.js';

export interface Harness extends HarnessBase<SlackEmulator, SlackConnector> {
  tokens: { appToken: string; botToken: string };
  transitions: Transition[];
  /** Every ingest call, duplicates included. */
  ingested: EventDraft[];
  failures: unknown[];
  gate(): () => void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: Partial<SlackEmulatorOptions>;
  timing?: Partial<SlackTiming>;
  /** Tokens the connector uses (default: the emulator's). */
  connectorTokens?: { appToken: string; botToken: string };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const tokens = fakeSlackTokens();
  const emulator = await startSlackEmulator({ ...tokens, redeliverAfterMs: 1_000, ...options.emulator });
  const { log, logs } = captureLogs();
  const state = new StateTracker(systemClock);
  const transitions = recordTransitions(state);
  const journal = new MemoryJournal();
  const { drafts, ingested } = journal;
  const failures: unknown[] = [];
  const gate = new IngestGate();
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => {
      ingested.push(draft);
      await gate.pass();
      return journal.append(draft);
    },
    reject: () => undefined,
    fail: (err) => void failures.push(err),
  };
  const t = options.connectorTokens ?? tokens;
  const connector = new SlackConnector(
    { app_token: new Secret(t.appToken, 'test'), bot_token: new Secret(t.botToken, 'test'), api_url: emulator.apiUrl },
    { name: 'sl', log, clock: systemClock, stateDir: '/nonexistent', state },
    { retryInitialMs: 50, retryMaxMs: 500, sendRetryInitialMs: 50, ...options.timing },
  );
  const abort = new AbortController();
  return {
    emulator, tokens, connector, state, transitions, drafts, ingested, failures, logs, ctx, abort,
    gate: () => gate.close(),
    close: async () => {
      gate.open();
      abort.abort();
      await connector.stop();
      await emulator.close();
    },
  };
}
