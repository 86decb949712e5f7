/** A LINE connector wired to its emulator (webhook URL set once listening) and an in-memory, deduplicating ingest. */
import { LineConnector, type LineConnectorConfig, type LineConnectorOptions } from '../../connectors/line/connector.js';
import { startLineEmulator, type LineEmulator, type LineEmulatorOptions } from '../../connectors/line/emulator.js';
import type { EventDraft } from '../../src/bus/types.js';
import type { Clock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext, type ConnectorState } from '../../src/connector.js';
import { MemoryJournal, captureLogs, type HarnessBase } from '../helpers/connector-harness.js';
import { makeTempDir } from '../helpers/tmp.js';

export const PUBLIC_URL = 'https://line-hooks.example.test';

export interface Harness extends HarnessBase<LineEmulator, LineConnector> {
  transitions: ConnectorState[];
  /** Every ingest call, duplicates included. */
  ingested: EventDraft[];
  /** Every `ctx.reject(reason)` the connector made, in order. */
  rejected: string[];
  /** Make the next `n` ingest calls reject (a journal that cannot take them). */
  refuseNext(n: number): void;
  /** Start the connector and point the emulator's webhook at its listener. */
  start(): Promise<void>;
  /** The listener's real URL (http://127.0.0.1:PORT/hooks/whk_...). */
  url(): string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: LineEmulatorOptions;
  connector?: LineConnectorOptions;
  config?: Partial<LineConnectorConfig>;
  clock?: Clock;
  /** Access token the connector uses (default: the emulator's). */
  accessToken?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? { now: () => Date.now() };
  const emulator = await startLineEmulator({ redeliveryDelayMs: 20, now: () => clock.now(), ...options.emulator });
  const tmp = makeTempDir('sb-line-');
  const { log, logs } = captureLogs();
  const state = new StateTracker(clock);
  const transitions: ConnectorState[] = [];
  state.on('change', (c) => transitions.push(c.state));
  const journal = new MemoryJournal();
  const { drafts, ingested } = journal;
  let refuse = 0;
  const rejected: string[] = [];
  const ctx: ConnectorContext = {
    log,
    clock,
    ingest: async (draft) => {
      ingested.push(draft);
      if (refuse > 0) {
        refuse--;
        throw new Error('disk full');
      }
      return journal.append(draft, draft.correlationId);
    },
    reject: (reason) => void rejected.push(reason),
    fail: () => undefined,
  };
  const config: LineConnectorConfig = {
    channel_secret: new Secret(emulator.channelSecret, 'test'),
    access_token: new Secret(options.accessToken ?? emulator.accessToken, 'test'),
    api_base: emulator.apiBase,
    webhook: { bind: '127.0.0.1:0', public_url: PUBLIC_URL },
    ...options.config,
  };
  const connector = new LineConnector(config, { name: 'line-test', log, clock, stateDir: tmp.dir, state }, { sendRetryInitialMs: 20, ...options.connector });
  const abort = new AbortController();
  const url = () => {
    const info = connector.listeners()[0];
    if (!info) throw new Error('not listening');
    return `http://${info.bind}${new URL(info.publicUrl!).pathname}`;
  };
  return {
    emulator, connector, state, transitions, drafts, ingested, rejected, logs, ctx, abort, url,
    refuseNext: (n) => {
      refuse = n;
    },
    start: async () => {
      await connector.start(ctx, abort.signal);
      emulator.setWebhookUrl(url());
    },
    close: async () => {
      abort.abort();
      await connector.stop();
      await emulator.close();
      tmp.cleanup();
    },
  };
}
