/**
 * `switchboard status` — what is connected, and which connectors expose a listener, where, and how
 * it is verified. Asks the running runtime; with none running, shows the plan from the config.
 * Exit codes: 0 all enabled connectors online, 1 degraded, 2 not running or invalid config.
 */
import { Command } from 'commander';
import type { AgentRunnerStats } from '../agent/runner.js';
import type { ConnectorPlan, ListenerInfo } from '../connector.js';
import type { LoadedConfig } from '../config/schema.js';
import { ControlClient } from '../control/client.js';
import type { RuntimeStatus } from '../control/protocol.js';
import { planConnectors } from '../plan.js';
import type { ConnectorReport } from '../supervisor/supervisor.js';
import { EXIT, configOption, loadConfigOrReport, reportError } from './common.js';
import { ago, table } from './format.js';

export interface StatusView {
  running: boolean;
  pid?: number;
  startedAt?: string;
  configFile: string;
  stateDir: string;
  healthy: boolean;
  connectors: ConnectorReport[];
  /** The agent runner (live status, when the config has an `agent:` block). */
  agent?: AgentRunnerStats;
}

export function statusCommand(): Command {
  return new Command('status')
    .description('connectors, state, listeners, exposure and counters (exit 0 healthy, 1 degraded, 2 not running or invalid config)')
    .addOption(configOption())
    .option('--json', 'print the same as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return;
      let view: StatusView;
      try {
        view = await readStatus(config);
      } catch (err) {
        reportError(err, config.secretValues);
        return;
      }
      process.stdout.write(opts.json ? JSON.stringify(view, null, 2) + '\n' : renderStatus(view));
      process.exitCode = !view.running ? EXIT.invalid : view.healthy ? EXIT.ok : EXIT.degraded;
    });
}

/** The live status from the control socket, or the plan from config when no runtime answers. */
export async function readStatus(config: LoadedConfig): Promise<StatusView> {
  let client: ControlClient | undefined;
  try {
    client = await ControlClient.connect(config.stateDir);
  } catch {
    return planView(config, await planConnectors(config));
  }
  try {
    const s = await client.request<RuntimeStatus>('status');
    const enabled = s.connectors.filter((c) => c.state !== 'disabled');
    return {
      running: true,
      pid: s.pid,
      startedAt: s.startedAt,
      configFile: s.configFile,
      stateDir: s.stateDir,
      healthy: enabled.every((c) => c.state === 'online'),
      connectors: s.connectors,
      ...(s.agent ? { agent: s.agent } : {}),
    };
  } finally {
    client.close();
  }
}

function planView(config: LoadedConfig, plans: Record<string, ConnectorPlan>): StatusView {
  return {
    running: false,
    configFile: config.file,
    stateDir: config.stateDir,
    healthy: false,
    connectors: Object.entries(config.connectors).map(([name, block]) => ({
      name,
      platform: block.platform,
      transport: plans[name]!.transport,
      verification: plans[name]!.verification,
      state: block.enabled ? 'not running' : 'disabled',
      listeners: plans[name]!.listeners,
      eventsIn: 0,
      duplicates: 0,
      rejected: 0,
      rejectedBy: {},
      restarts: 0,
    })),
  };
}

const TRANSPORT = { 'outbound-socket': 'outbound socket', webhook: 'webhook' } as const;
const VERIFIED = { 'socket-auth': 'socket auth', signature: 'signature', token: 'token' } as const;

function exposure(listeners: ListenerInfo[]): string {
  if (listeners.length === 0) return 'none';
  return listeners
    .map((l) => (l.exposure === 'public' ? `public via tunnel ${l.publicUrl ?? '(no URL)'}` : l.exposure === 'lan' ? 'LAN' : l.exposure))
    .join(', ');
}

/** One line per listener with its counters (live status only): what reached it and what it turned away. */
function listenerLines(view: StatusView): string {
  return view.connectors
    .flatMap((c) =>
      c.listeners.flatMap((l) => {
        if (!l.counters) return [];
        const by = Object.entries(l.counters.rejectedBy).map(([why, n]) => `${why} ${n}`).join(', ');
        return [`  ${c.name} listener ${l.bind}: ${l.counters.accepted} accepted, ${l.counters.rejected} rejected${by ? ` (${by})` : ''}\n`];
      }),
    )
    .join('');
}

/** The status table as a person reads it. */
export function renderStatus(view: StatusView, now: number = Date.now()): string {
  const head = view.running
    ? `switchboard is running (pid ${view.pid}, up since ${view.startedAt}) — ${view.healthy ? 'healthy' : 'DEGRADED'}\n`
    : `switchboard is not running — plan from ${view.configFile}\n`;
  const rows = view.connectors.map((c) => [
    c.name,
    c.platform,
    TRANSPORT[c.transport],
    c.since ? `${c.state} (${ago(c.since, now)})` : c.state,
    c.listeners.length ? c.listeners.map((l) => l.bind).join(', ') : 'none',
    exposure(c.listeners),
    VERIFIED[c.verification],
    view.running ? String(c.eventsIn) : '-',
    view.running ? String(c.rejected) : '-',
    view.running ? ago(c.lastEventAt, now) : '-',
  ]);
  const reasons = view.connectors.filter((c) => c.reason).map((c) => `  ${c.name}: ${c.reason}\n`).join('');
  const listening = listenerLines(view);
  // What REJECTED is made of: access-policy refusals (dm-not-paired, rate-limited, ...) and the rest.
  const rejected = view.connectors
    .filter((c) => c.rejected > 0)
    .map((c) => `  ${c.name} rejected: ${Object.entries(c.rejectedBy).map(([why, n]) => `${why} ${n}`).join(', ')}\n`)
    .join('');
  return (
    head +
    table(['CONNECTOR', 'PLATFORM', 'TRANSPORT', 'STATE', 'LISTENER', 'EXPOSURE', 'VERIFIED BY', 'EVENTS IN', 'REJECTED', 'LAST EVENT'], rows) +
    (reasons ? `\n${reasons}` : '') +
    (listening ? `\n${listening}` : '') +
    (rejected ? `\n${rejected}` : '') +
    (view.agent ? `\n${agentLine(view.agent)}` : '')
  );
}

/** The agent runner in one line: what runs, what waits, how runs ended. */
function agentLine(a: AgentRunnerStats): string {
  const failure = a.lastFailure ? `; last failure ${a.lastFailure.at}: ${a.lastFailure.outcome}` : '';
  return `  agent ${a.agent}: ${a.running} running, ${a.queued} queued; ${a.finished} finished, ${a.failed} failed${failure}\n`;
}
