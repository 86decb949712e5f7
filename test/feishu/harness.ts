/** A Feishu connector wired to an emulator and an in-memory, deduplicating ingest, for connector tests. */
import { pino, type Logger } from 'pino';
import { FeishuConnector, type FeishuConnectorOptions } from '../../connectors/feishu/connector.js';
import { fakeAppCredentials, startFeishuEmulator, type FeishuEmulator, type FeishuEmulatorOptions } from '../../connectors/feishu/emulator.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext, type ConnectorState } from '../../src/connector.js';

export interface Harness {
  emulator: FeishuEmulator;
  appId: string;
  appSecret: string;
  connector: FeishuConnector;
  state: StateTracker;
  transitions: ConnectorState[];
  /** Drafts the journal appended (duplicates refused, as the real journal does). */
  drafts: EventDraft[];
  ingestCalls(): number;
  duplicates(): number;
  failures: unknown[];
  logLines: string[];
  ctx: ConnectorContext;
  abort: AbortController;
  close(): Promise<void>;
}

export async function startHarness(options: { emulator?: Partial<FeishuEmulatorOptions>; connector?: FeishuConnectorOptions; appSecret?: string } = {}): Promise<Harness> {
  const creds = fakeAppCredentials();
  const emulator = await startFeishuEmulator({ ...creds, ...options.emulator });
  const logLines: string[] = [];
  const log: Logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const state = new StateTracker(systemClock);
  const transitions: ConnectorState[] = [];
  state.on('change', (c) => transitions.push(c.state));
  const drafts: EventDraft[] = [];
  const seen = new Set<string>();
  const failures: unknown[] = [];
  let calls = 0;
  let dups = 0;
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => {
      calls++;
      if (seen.has(draft.dedupKey)) {
        dups++;
        return { status: 'duplicate' };
      }
      seen.add(draft.dedupKey);
      drafts.push(draft);
      return { status: 'appended', event: { ...draft, id: String(drafts.length).padStart(10, '0'), receivedAt: new Date().toISOString(), correlationId: `c${drafts.length}` } as InboundEvent };
    },
    reject: () => undefined,
    fail: (err) => void failures.push(err),
  };
  const connector = new FeishuConnector(
    { app_id: creds.appId, app_secret: new Secret(options.appSecret ?? creds.appSecret, 'test'), domain: emulator.domain },
    { name: 'fs', log, clock: systemClock, stateDir: '/nonexistent', state },
    { sendRetryInitialMs: 50, connectTimeoutMs: 5_000, ...options.connector },
  );
  const abort = new AbortController();
  return {
    emulator, ...creds, connector, state, transitions, drafts, failures, logLines, ctx, abort,
    ingestCalls: () => calls,
    duplicates: () => dups,
    close: async () => {
      abort.abort();
      await connector.stop();
      await emulator.close();
    },
  };
}
