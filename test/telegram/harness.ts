/** A Telegram connector wired to an emulator and an in-memory ingest, for connector tests. */
import { pino, type Logger } from 'pino';
import { TelegramConnector, type PollTiming } from '../../connectors/telegram/connector.js';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext, type ConnectorState } from '../../src/connector.js';

export interface Harness {
  emulator: TelegramEmulator;
  token: string;
  connector: TelegramConnector;
  state: StateTracker;
  transitions: { state: ConnectorState; reason?: string }[];
  drafts: EventDraft[];
  /** ingest calls made (including ones still held by the gate). */
  ingestCalls(): number;
  failures: unknown[];
  logs: { level: string; msg: string; [k: string]: unknown }[];
  ctx: ConnectorContext;
  abort: AbortController;
  /** Hold every ingest until the returned function is called. */
  gate(): () => void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  timing?: Partial<PollTiming>;
  /** Token the connector uses (default: the emulator's). */
  connectorToken?: string;
  pollTimeout?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const token = fakeBotToken();
  const emulator = await startTelegramEmulator({ token });
  const logs: Harness['logs'] = [];
  const log: Logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const state = new StateTracker(systemClock);
  const transitions: Harness['transitions'] = [];
  state.on('change', (c) => transitions.push({ state: c.state, ...(c.reason ? { reason: c.reason } : {}) }));
  const drafts: EventDraft[] = [];
  const failures: unknown[] = [];
  let gate: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let seq = 0;
  let calls = 0;
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => {
      calls++;
      if (gate) await gate;
      drafts.push(draft);
      const event = { ...draft, id: String(++seq).padStart(10, '0'), receivedAt: new Date().toISOString(), correlationId: `c${seq}` } as InboundEvent;
      return { status: 'appended', event };
    },
    reject: () => undefined,
    fail: (err) => void failures.push(err),
  };
  const connector = new TelegramConnector(
    { token: new Secret(options.connectorToken ?? token, 'test'), api_root: emulator.apiRoot, polling: { timeout: options.pollTimeout ?? 5, limit: 100 } },
    { name: 'tg', log, clock: systemClock, stateDir: '/nonexistent', state },
    { retryInitialMs: 50, retryMaxMs: 500, sendRetryInitialMs: 50, ...options.timing },
  );
  const abort = new AbortController();
  return {
    emulator, token, connector, state, transitions, drafts, failures, logs, ctx, abort,
    ingestCalls: () => calls,
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

/** Methods the connector may call; anything else (setWebhook above all) is a bug. */
export const ALLOWED_METHODS = new Set(['getMe', 'deleteWebhook', 'getUpdates', 'sendMessage', 'editMessageText', 'setMessageReaction', 'sendChatAction', 'answerCallbackQuery']);
