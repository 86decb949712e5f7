/** A Slack connector wired to its emulator and an in-memory, deduplicating ingest, for connector tests. */
import { pino, type Logger } from 'pino';
import { SlackConnector, type SlackTiming } from '../../connectors/slack/connector.js';
import { fakeSlackTokens, startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from '../../connectors/slack/emulator.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext, type ConnectorState } from '../../src/connector.js';

export interface Harness {
  emulator: SlackEmulator;
  tokens: { appToken: string; botToken: string };
  connector: SlackConnector;
  state: StateTracker;
  transitions: { state: ConnectorState; reason?: string }[];
  /** Drafts journaled (first copies only). */
  drafts: EventDraft[];
  /** Every ingest call, duplicates included. */
  ingested: EventDraft[];
  failures: unknown[];
  logs: { level: string; msg: string; [k: string]: unknown }[];
  ctx: ConnectorContext;
  abort: AbortController;
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
  const logs: Harness['logs'] = [];
  const log: Logger = pino({ level: 'trace', formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const state = new StateTracker(systemClock);
  const transitions: Harness['transitions'] = [];
  state.on('change', (c) => transitions.push({ state: c.state, ...(c.reason ? { reason: c.reason } : {}) }));
  const drafts: EventDraft[] = [];
  const ingested: EventDraft[] = [];
  const keys = new Set<string>();
  const failures: unknown[] = [];
  let gate: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let seq = 0;
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => {
      ingested.push(draft);
      if (gate) await gate;
      if (keys.has(draft.dedupKey)) return { status: 'duplicate' };
      keys.add(draft.dedupKey);
      drafts.push(draft);
      const event = { ...draft, id: String(++seq).padStart(10, '0'), receivedAt: new Date().toISOString(), correlationId: `c${seq}` } as InboundEvent;
      return { status: 'appended', event };
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
    gate: () => {
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release?.();
      };
    },
    close: async () => {
      gate = undefined;
      release?.();
      abort.abort();
      await connector.stop();
      await emulator.close();
    },
  };
}
