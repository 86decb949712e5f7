/**
 * The agent runner: subscribes to the bus in-process (as `agent-runner`) and, for each message, runs
 * the configured CLI for its conversation — one run per conversation at a time, follow-ups queued (or
 * interrupting), `/stop` to end a run, a timeout, and the output streamed back as a message and its
 * edits. See docs/agent-runner.md.
 *
 * Acks: an event is acked once its run has finished (or it needed no run). A crash or a stop of the
 * runtime therefore runs again, after the restart, only what had not finished: the run in flight
 * (from the start) and what was queued behind it (for the first time). The end of an answer is
 * retried (deliver.ts); one the chat still does not take is saved to a file (undelivered.ts), with a
 * notice, before the ack — never acked silently, never run twice for it.
 */
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { AgentBus, Subscription } from '../bus/bus.js';
import type { InboundEvent, OutboundCommand, SendResult } from '../bus/types.js';
import type { Clock } from '../clock.js';
import type { AgentConfig } from '../config/agent-schema.js';
import { DEFAULT_TEXT_LIMIT, type ConnectorPlan } from '../connector.js';
import { agentEnv, spawnAgent, type StopReason } from './agent-process.js';
import { substituteArgs, withoutNul } from './argv.js';
import { linkedController, sendNotice, type DeliveryRetry } from './deliver.js';
import { presetArgv, presetReader, type LineReader } from './presets.js';
import { ReplyStream } from './reply-stream.js';
import { describeOutcome, runNotice } from './run-notice.js';
import { SessionStore } from './sessions.js';
import { keepUndelivered, UNDELIVERED_NOTICE } from './undelivered.js';

/** The chat notice for a run that broke inside the runner (details in the log). */
const RUNNER_FAILED_NOTICE = 'The agent run failed; details are in the switchboard log.';

/** The answer to a `/stop` that came after the agent had ended, while the end of its answer was still retried. */
const STOPPED_UNDELIVERED_NOTICE = "Stopped: delivering the agent's answer was abandoned; it is saved on the switchboard host (see its log).";

/** The notice of a run ended by /stop. */
const STOPPED = 'Stopped.';

/** The subscriber name the runner's cursor is kept under. */
export const RUNNER_SUBSCRIBER = 'agent-runner';

export interface AgentRunnerOptions {
  config: AgentConfig;
  bus: AgentBus;
  send(cmd: OutboundCommand): Promise<SendResult>;
  /** Per connector: its text limit, whether it can edit, and how often and how many times it may. */
  plans: Record<string, Pick<ConnectorPlan, 'textLimit' | 'canEdit' | 'minEditIntervalMs' | 'maxEditsPerMessage'>>;
  stateDir: string;
  /** The agent API socket, told to the agent as SWITCHBOARD_SOCKET. */
  socketPath: string;
  log: Logger;
  clock: Clock;
  /** Where allowlisted variables are read from (the runtime's environment). */
  env: NodeJS.ProcessEnv;
  /** How often "typing…" is renewed while a run goes on (platforms show it for ~5 s). Default 4 s. */
  typingIntervalMs?: number;
  /** How long the end of an answer and its notice are retried. Default 2 min; `stop`, `/stop` and an interrupt cut it short. */
  deliveryRetry?: Omit<DeliveryRetry, 'signal'>;
}

/** What `switchboard status` shows of the runner. */
export interface AgentRunnerStats {
  /** The preset name, or the command's program. */
  agent: string;
  running: number;
  queued: number;
  /** Runs that exited 0, and runs that did not (crash, timeout, /stop, missing program), since start. */
  finished: number;
  failed: number;
  /** The last run that did not finish normally: when, and how (secret-free: exit code, signal, reason). */
  lastFailure?: { at: string; outcome: string };
}

interface Conversation {
  running?: { event: InboundEvent; stop(reason: StopReason): void };
  queue: InboundEvent[];
}

/** True for `/stop`, also as `/stop@botname` (Telegram groups). */
function isStop(event: InboundEvent): boolean {
  return /^\/stop(?:@\S+)?$/i.test((event.text ?? '').trim());
}

/** Runs the agent CLI per conversation; `start` subscribes, `stop` ends every run (they rerun after a restart). */
export class AgentRunner {
  readonly #o: AgentRunnerOptions;
  readonly #sessions: SessionStore;
  readonly #conversations = new Map<string, Conversation>();
  readonly #runs = new Set<Promise<void>>();
  #subscription: Subscription | undefined;
  #stopping = false;
  /** Aborted by `stop`: every run's delivery retries end (what is undelivered is saved). */
  readonly #stopped = new AbortController();
  #finished = 0;
  #failed = 0;
  #lastFailure: AgentRunnerStats['lastFailure'];

  constructor(options: AgentRunnerOptions) {
    this.#o = options;
    this.#sessions = new SessionStore(options.stateDir);
  }

  /** Subscribe to the bus; every event not yet acked by the runner comes first. */
  start(): void {
    this.#subscription = this.#o.bus.subscribe(RUNNER_SUBSCRIBER, (event) => this.#onEvent(event));
  }

  /** Stop taking events, end every run (SIGTERM, then SIGKILL after the grace) and wait for them. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.abort();
    await this.#subscription?.close();
    for (const c of this.#conversations.values()) {
      c.queue.length = 0;
      c.running?.stop('shutdown');
    }
    await Promise.allSettled([...this.#runs]);
  }

  /** Runs going on and queued, and how the finished ones ended. */
  stats(): AgentRunnerStats {
    let running = 0;
    let queued = 0;
    for (const c of this.#conversations.values()) {
      if (c.running) running++;
      queued += c.queue.length;
    }
    const { preset, command } = this.#o.config;
    return {
      agent: preset ?? basename(command![0]!),
      running,
      queued,
      finished: this.#finished,
      failed: this.#failed,
      ...(this.#lastFailure ? { lastFailure: this.#lastFailure } : {}),
    };
  }

  #onEvent(event: InboundEvent): void {
    if ((event.kind !== 'message' && event.kind !== 'command') || !event.text?.trim()) {
      this.#ack(event);
      return;
    }
    const key = `${event.connector}\u0000${event.conversation.id}`;
    const c = this.#conversations.get(key) ?? { queue: [] };
    this.#conversations.set(key, c);
    if (isStop(event)) {
      const dropped = c.queue.splice(0);
      for (const e of dropped) this.#ack(e);
      if (c.running) c.running.stop('stop');
      else void this.#notify(event, 'Nothing is running.');
      this.#ack(event);
      return;
    }
    if (c.running) {
      c.queue.push(event);
      if (this.#o.config.queue === 'interrupt') c.running.stop('interrupt');
      return;
    }
    this.#startRun(key, c, event);
  }

  #startRun(key: string, c: Conversation, event: InboundEvent): void {
    // This run's delivery retries: ended by the runtime's stop, or by /stop or an interrupt once the
    // agent has ended (while it runs, those stop the process and its output is delivered as usual).
    const delivery = linkedController(this.#stopped.signal);
    const run = this.#run(key, c, event, delivery.controller).catch((err: unknown) => this.#runBroke(event, err)).finally(() => {
      delivery.unlink();
      this.#runs.delete(run);
      c.running = undefined;
      const next = c.queue.shift();
      if (next && !this.#stopping) this.#startRun(key, c, next);
      else if (!next) this.#conversations.delete(key);
    });
    this.#runs.add(run);
  }

  async #run(key: string, c: Conversation, event: InboundEvent, delivery: AbortController): Promise<void> {
    const { config, log: baseLog, clock } = this.#o;
    const log = baseLog.child({ agentRun: event.id, connector: event.connector, conversation: event.conversation.id, correlationId: event.correlationId });
    const plan = this.#o.plans[event.connector] ?? {};
    const reply = new ReplyStream({
      send: this.#o.send,
      connector: event.connector,
      conversation: event.conversation.id,
      correlationId: event.correlationId,
      ...(event.messageId ? { replyTo: event.messageId } : {}),
      textLimit: plan.textLimit ?? DEFAULT_TEXT_LIMIT,
      canEdit: plan.canEdit ?? false,
      // The configured interval, but never faster than the platform tolerates.
      editIntervalMs: Math.max(config.editIntervalMs, plan.minEditIntervalMs ?? 0),
      ...(plan.maxEditsPerMessage !== undefined ? { maxEditsPerMessage: plan.maxEditsPerMessage } : {}),
      now: () => clock.now(),
      onError: (err) => log.warn({ err }, 'could not show the agent output in the chat'),
      retry: this.#retry(delivery.signal),
    });
    const session = config.preset ? this.#sessions.get(config.preset, key) : undefined;
    const template = config.preset ? presetArgv(config.preset, config.args, session) : config.command!;
    const argv = substituteArgs(template, { text: event.text!, conversation: event.conversation.id, sender: event.sender.id });
    const read: LineReader | undefined = config.preset ? presetReader(config.preset) : undefined;
    let partial = '';
    const onLine = (line: string) => {
      const out = read!(line);
      if (out.session) this.#rememberSession(key, out.session, log);
      if (out.text) reply.append((reply.hasText ? '\n\n' : '') + out.text);
    };
    if (event.text!.includes('\u0000')) log.info('the message holds NUL bytes; they are removed from the agent\'s arguments');
    const env = agentEnv(this.#o.env, config.env, {
      SWITCHBOARD_SOCKET: this.#o.socketPath,
      SWITCHBOARD_CONNECTOR: withoutNul(event.connector),
      SWITCHBOARD_CONVERSATION: withoutNul(event.conversation.id),
      SWITCHBOARD_SENDER: withoutNul(event.sender.id),
      SWITCHBOARD_EVENT_ID: event.id,
    });
    const typing = () => void this.#o.send({ type: 'typing', connector: event.connector, conversation: event.conversation.id }).catch(() => undefined);
    typing();
    const typingTimer = setInterval(typing, this.#o.typingIntervalMs ?? 4_000);
    log.info({ argv0: argv[0], resumed: session !== undefined }, 'agent run started');
    const proc = spawnAgent({
      argv,
      cwd: config.cwd,
      env,
      timeoutMs: config.timeoutMs,
      stopGraceMs: config.stopGraceMs,
      onStdout: (text) => {
        if (!read) return reply.append(text);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      },
    });
    let exited = false;
    /** A /stop or interrupt that came after the agent exited (it ended the delivery retries). */
    let lateStop: StopReason | undefined;
    c.running = {
      event,
      stop: (reason) => {
        if (!exited) return proc.stop(reason);
        lateStop ??= reason;
        delivery.abort();
      },
    };
    const outcome = await proc.done.finally(() => {
      exited = true;
      clearInterval(typingTimer);
    });
    if (read && partial) onLine(partial);
    log.debug({ outcome: outcome.kind }, 'agent process ended; showing the rest of its output');
    const shown = await reply.finish();
    if (outcome.kind === 'stopped' && outcome.reason === 'shutdown') {
      log.info('agent run ended by shutdown; it runs again after the restart');
      return; // not acked: the event comes again to the next runner
    }
    if (outcome.kind === 'exit' && outcome.code === 0) {
      this.#finished++;
      log.info('agent run finished');
    } else {
      this.#failed++;
      this.#lastFailure = { at: new Date(clock.now()).toISOString(), outcome: describeOutcome(outcome) };
      log.warn({ outcome }, 'agent run did not finish normally');
    }
    const notice = runNotice(outcome, config.timeoutMs, reply.hasText);
    if (!shown.delivered) {
      // The platform refused the end of the answer past every retry (or a stop ended them): keep it,
      // say so (once), then ack.
      keepUndelivered(this.#o.stateDir, event.id, reply.text, shown.undelivered, log);
      const head = lateStop === 'stop' ? STOPPED_UNDELIVERED_NOTICE : UNDELIVERED_NOTICE;
      const tail = lateStop === 'stop' && notice === STOPPED ? undefined : notice; // said by the head already
      await this.#notify(event, tail ? `${head} ${tail}` : head);
    } else {
      const sent = notice !== undefined && (await this.#notify(event, notice, delivery.signal));
      // A /stop while the notice was retried ended those retries; it still gets its answer.
      if (lateStop === 'stop' && !(sent && notice === STOPPED)) await this.#notify(event, STOPPED);
    }
    if (lateStop) log.info({ reason: lateStop }, 'delivery retries of a finished agent run ended by a stop');
    this.#ack(event);
  }

  #retry(signal: AbortSignal): DeliveryRetry {
    return { ...this.#o.deliveryRetry, signal };
  }

  /**
   * A run that failed inside the runner itself (not the agent): the same as a failed run — a short
   * notice, a full log entry, and the event acked, so it cannot fail again after every restart.
   */
  async #runBroke(event: InboundEvent, err: unknown): Promise<void> {
    try {
      this.#failed++;
      this.#lastFailure = { at: new Date(this.#o.clock.now()).toISOString(), outcome: 'failed in the runner' };
      this.#o.log.error({ err, agentRun: event.id, connector: event.connector, conversation: event.conversation.id }, 'agent run failed in the runner');
      await this.#notify(event, RUNNER_FAILED_NOTICE);
      this.#ack(event);
    } catch (inner) {
      this.#o.log.error({ err: inner }, 'could not report a failed agent run');
    }
  }

  #rememberSession(key: string, session: string, log: Logger): void {
    try {
      this.#sessions.set(this.#o.config.preset!, key, session, new Date(this.#o.clock.now()));
    } catch (err) {
      log.warn({ err }, 'could not save the agent session; the next message starts a new one');
    }
  }

  /** Send a notice; with a `retry` signal, failures are retried like the end of an answer until it aborts. Never rejects; true once sent. */
  async #notify(event: InboundEvent, text: string, retry?: AbortSignal): Promise<boolean> {
    const { sent, err } = await sendNotice(this.#o.send, event, text, retry ? this.#retry(retry) : undefined);
    if (!sent) this.#o.log.warn({ err, connector: event.connector }, 'could not send an agent notice');
    return sent;
  }

  #ack(event: InboundEvent): void {
    this.#o.bus.ack(RUNNER_SUBSCRIBER, event.id).catch((err: unknown) => {
      if (!this.#stopping) this.#o.log.warn({ err, event: event.id }, 'could not ack an event; it runs again after a restart');
    });
  }
}
