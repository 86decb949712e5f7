/** A runner on a real journal with a recording `send`, and the fake agent CLIs of test/fixtures/agents. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { AgentRunner, RUNNER_SUBSCRIBER, type AgentRunnerOptions } from '../../src/agent/runner.js';
import { openJournal } from '../../src/bus/journal.js';
import type { InboundEvent, OutboundCommand } from '../../src/bus/types.js';
import { systemClock } from '../../src/clock.js';
import type { AgentConfig } from '../../src/config/agent-schema.js';
import type { ConnectorPlan } from '../../src/connector.js';
import { makeTempDir, until } from '../helpers/tmp.js';

/** Absolute path of a fake agent script. */
export function fakeAgent(name: string): string {
  return fileURLToPath(new URL(`../fixtures/agents/${name}.mjs`, import.meta.url));
}

/** `[node, script, ...args]`: a command template running a fake agent. */
export function fake(name: string, ...args: string[]): string[] {
  return [process.execPath, fakeAgent(name), ...args];
}

export interface RunnerHarness {
  dir: string;
  /** Every command the runner sent, in order (typing included). */
  sent: OutboundCommand[];
  /** Sends and edits only. */
  shown(): OutboundCommand[];
  /** Log lines (parsed JSON). */
  logs: Record<string, unknown>[];
  say(text: string, options?: { conversation?: string; messageId?: string }): Promise<InboundEvent>;
  waitFor(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** Events the runner has not acked (subscribes afresh under its name; call after `stop`). */
  unacked(): Promise<string[]>;
  runner: AgentRunner;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** The platform facts a test gives the runner for its one connector, `tg`. */
export type RunnerPlan = Pick<ConnectorPlan, 'textLimit' | 'canEdit' | 'minEditIntervalMs' | 'maxEditsPerMessage'>;

let seq = 0;

/** Delivery retries for tests: short delays, a 1 s budget. */
const TEST_RETRY: AgentRunnerOptions['deliveryRetry'] = { totalMs: 1_000, backoff: { initialMs: 10, maxMs: 100 } };

/** Start a runner with `agent` settings over defaults (short timeouts, no edit interval, short delivery retries). */
export function startRunner(
  agent: Partial<AgentConfig>,
  options: { plan?: RunnerPlan; env?: NodeJS.ProcessEnv; fault?: (cmd: OutboundCommand) => 'throw' | 'reject' | undefined; retry?: AgentRunnerOptions['deliveryRetry'] } = {},
): RunnerHarness {
  const tmp = makeTempDir('sb-run-');
  const bus = openJournal({ dir: join(tmp.dir, 'state') });
  const sent: OutboundCommand[] = [];
  let nextId = 100;
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const sendAsync = async (cmd: OutboundCommand) => {
    sent.push(cmd);
    return { messageIds: cmd.type === 'send' || cmd.type === 'reply' ? [String(nextId++)] : [] };
  };
  const config: AgentConfig = { args: [], cwd: tmp.dir, env: [], timeoutMs: 20_000, stopGraceMs: 500, queue: 'queue', editIntervalMs: 0, ...agent };
  const runner = new AgentRunner({
    config,
    bus,
    send: (cmd) => {
      // `throw`: a send that throws synchronously, which the runner's safety net must catch; `reject`:
      // a platform refusal (the command is not recorded in `sent`).
      const fault = options.fault?.(cmd);
      if (fault === 'throw') throw new Error('send blew up synchronously');
      if (fault === 'reject') return Promise.reject(new Error(`the platform refused the ${cmd.type}`));
      return sendAsync(cmd);
    },
    plans: { tg: options.plan ?? { textLimit: 4096, canEdit: true } },
    stateDir: join(tmp.dir, 'state'),
    socketPath: join(tmp.dir, 'state', 'control.sock'),
    log: pino({ level: 'debug' }, sink),
    clock: systemClock,
    env: options.env ?? { PATH: process.env.PATH, HOME: tmp.dir },
    typingIntervalMs: 100,
    deliveryRetry: options.retry ?? TEST_RETRY,
  });
  runner.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await runner.stop();
  };
  return {
    dir: tmp.dir,
    sent,
    shown: () => sent.filter((c) => c.type !== 'typing'),
    logs,
    async say(text, o = {}) {
      const n = ++seq;
      const r = await bus.append({
        dedupKey: `tg:${n}`, connector: 'tg', platform: 'telegram', kind: text.startsWith('/') ? 'command' : 'message',
        conversation: { id: o.conversation ?? 'chat-1', kind: 'dm' }, sender: { id: 'u1', isBot: false }, text,
        messageId: o.messageId ?? `m${n}`, provenance: { transport: 'outbound-socket', verified: 'token', sender: 'owner' },
      });
      if (r.status !== 'appended') throw new Error('not appended');
      return r.event;
    },
    waitFor: (what, condition, timeoutMs = 10_000) => until(condition, what, timeoutMs),
    async unacked() {
      await stop();
      const ids: string[] = [];
      const sub = bus.subscribe(RUNNER_SUBSCRIBER, (e) => ids.push(e.id));
      await new Promise((r) => setTimeout(r, 50));
      await sub.close();
      return ids;
    },
    runner,
    stop,
    async close() {
      await stop();
      await bus.close();
      tmp.cleanup();
    },
  };
}

/** The text of a shown command (send, reply or edit). */
export function textOf(cmd: OutboundCommand): string {
  return 'text' in cmd ? cmd.text : '';
}
