/**
 * The runtime: journal + supervisor + control socket, assembled from a loaded config. `switchboard run`
 * and `switchboard sandbox` both start one; tests start one in-process.
 */
import type { Logger } from 'pino';
import { AgentRunner } from './agent/runner.js';
import { openJournal } from './bus/journal.js';
import type { AgentBus } from './bus/bus.js';
import type { OutboundCommand, SendResult } from './bus/types.js';
import { systemClock, type Clock } from './clock.js';
import type { LoadedConfig } from './config/schema.js';
import { ensureStateDir } from './config/state-dir.js';
import { SbError } from './errors.js';
import { controlSocketPath } from './control/client.js';
import type { RuntimeStatus } from './control/protocol.js';
import { startControlServer, type ControlServer } from './control/server.js';
import { loadConnectorModule, planConnectors } from './plan.js';
import { openAccessStore, type AccessStore } from './security/access-store.js';
import type { BackoffOptions } from './supervisor/backoff.js';
import { Supervisor } from './supervisor/supervisor.js';

export interface RuntimeOptions {
  log: Logger;
  clock?: Clock;
  backoff?: BackoffOptions;
  /** How often retention runs. Default 10 minutes. */
  pruneIntervalMs?: number;
  /** The environment the agent runner passes allowlisted variables from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface Runtime {
  readonly bus: AgentBus;
  readonly supervisor: Supervisor;
  readonly controlPath: string;
  status(): RuntimeStatus;
  send(cmd: OutboundCommand): Promise<SendResult>;
  /** Stop intake, drain, close — within `config.shutdown.timeoutMs`; rejects with SB_E_TIMEOUT past it. */
  stop(): Promise<void>;
}

/** Start everything the config describes. Nothing is left running if this rejects. */
export async function startRuntime(config: LoadedConfig, options: RuntimeOptions): Promise<Runtime> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  await ensureStateDir(config.stateDir);
  const plans = await planConnectors(config);
  const startedAt = new Date(clock.now()).toISOString();
  const bus = openJournal({ dir: config.stateDir, clock, retention: config.bus.retention });
  let access: AccessStore;
  try {
    access = openAccessStore(config.stateDir, clock);
  } catch (err) {
    await bus.close();
    throw err;
  }
  const supervisor = new Supervisor({
    connectors: config.connectors,
    loadModule: loadConnectorModule,
    plan: (name) => plans[name]!,
    bus,
    log,
    clock,
    stateDir: config.stateDir,
    access,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  let runner: AgentRunner | undefined;
  const status = (): RuntimeStatus => ({
    pid: process.pid,
    startedAt,
    configFile: config.file,
    stateDir: config.stateDir,
    connectors: supervisor.report(),
    bus: bus.stats(),
    ...(runner ? { agent: runner.stats() } : {}),
  });
  const send = (cmd: OutboundCommand) => {
    if (cmd.type === 'edit' && plans[cmd.connector]?.canEdit === false) {
      return Promise.reject(new SbError('SB_E_UNSUPPORTED', `connector ${cmd.connector} cannot edit a sent message (the platform has no edit); send a new message instead`));
    }
    return supervisor.send(cmd);
  };
  let control: ControlServer | undefined;
  try {
    // The control socket first: it also refuses a second runtime on the same state directory.
    control = await startControlServer(controlSocketPath(config.stateDir), { status, send, bus }, log);
    await supervisor.start();
    if (config.agent) {
      runner = new AgentRunner({ config: config.agent, bus, send, plans, stateDir: config.stateDir, socketPath: control.path, log: log.child({ component: 'agent-runner' }), clock, env: options.env ?? process.env });
      runner.start();
    }
  } catch (err) {
    await runner?.stop();
    await supervisor.stop();
    await control?.close();
    await bus.close();
    access.close();
    throw err;
  }
  const pruneTimer = setInterval(() => {
    try {
      const removed = bus.prune();
      if (removed) log.info({ removed }, 'retention removed old events');
    } catch (err) {
      log.warn({ err }, 'retention failed');
    }
  }, options.pruneIntervalMs ?? 600_000);
  pruneTimer.unref();
  log.info({ connectors: Object.keys(config.connectors), stateDir: config.stateDir }, 'switchboard running');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(pruneTimer);
      supervisor.stopIntake();
      // Runs in flight end first (not acked: they run again after a restart), then the connectors stop.
      await runner?.stop();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`graceful stop took longer than ${config.shutdown.timeoutMs} ms`)), config.shutdown.timeoutMs);
      });
      try {
        await Promise.race([supervisor.stop(), deadline]);
      } finally {
        clearTimeout(timer);
        await control?.close();
        await bus.close();
        access.close();
        log.info('switchboard stopped');
      }
    })());

  return { bus, supervisor, controlPath: control.path, status, send, stop };
}
