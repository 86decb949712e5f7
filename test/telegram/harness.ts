/** A Telegram connector wired to an emulator and an in-memory ingest, for connector tests. */
import { TelegramConnector, type PollTiming } from '../../connectors/telegram/connector.js';
import { fakeBotToken, startTelegramEmulator, type TelegramEmulator } from '../../connectors/telegram/emulator.js';
import type { EventDraft } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import { Secret } from '../../src/config/secret.js';
import { StateTracker, type ConnectorContext } from '../../src/connector.js';
import { IngestGate, captureLogs, recordTransitions, journaled, type HarnessBase, type Transition } from '../helpers/connector-harness.js';

export interface Harness extends HarnessBase<TelegramEmulator, TelegramConnector> {
  token: string;
  transitions: Transition[];
  /** ingest calls made (including ones still held by the gate). */
  ingestCalls(): number;
  failures: unknown[];
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
  const { log, logs } = captureLogs('debug');
  const state = new StateTracker(systemClock);
  const transitions = recordTransitions(state);
  const drafts: EventDraft[] = [];
  const failures: unknown[] = [];
  const gate = new IngestGate();
  let seq = 0;
  let calls = 0;
  const ctx: ConnectorContext = {
    log,
    clock: systemClock,
    ingest: async (draft) => {
      calls++;
      await gate.pass();
      drafts.push(draft);
      return { status: 'appended', event: journaled(draft, ++seq) };
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
    gate: () => gate.close(),
    close: async () => {
      gate.open();
      abort.abort();
      await connector.stop();
      await emulator.close();
    },
  };
}

/** Methods the connector may call; anything else (setWebhook above all) is a bug. */
export const ALLOWED_METHODS = new Set(['getMe', 'deleteWebhook', 'getUpdates', 'sendMessage', 'editMessageText', 'setMessageReaction', 'sendChatAction', 'answerCallbackQuery']);
