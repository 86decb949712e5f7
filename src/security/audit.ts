/**
 * The `switchboard audit` report, from the config alone (no runtime needed): per connector, what it
 * exposes (transport, listeners, verification) and who may reach the agent through it (DM mode,
 * groups, owners, pairings), with warnings for the settings that let strangers in or expose a port.
 */
import type { Transport, Verification } from '../bus/types.js';
import { systemClock } from '../clock.js';
import type { ListenerInfo } from '../connector.js';
import { ACCESS_DEFAULTS, type AccessConfig } from '../config/fields.js';
import type { LoadedConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { ConnectorConfig, ConnectorSchemaModule } from '../registry-types.js';
import { openExistingAccessStore } from './access-store.js';

/** One connector's part of the audit. */
export interface ConnectorAudit {
  name: string;
  platform: string;
  enabled: boolean;
  transport: Transport;
  verification: Verification;
  listeners: Pick<ListenerInfo, 'bind' | 'exposure' | 'publicUrl' | 'verification'>[];
  access: {
    dm: AccessConfig['dm'];
    groups: string[];
    owners: number;
    allowed: number;
    rateLimit: number;
    pendingPairings: number;
    approvedPairings: number;
  };
  warnings: string[];
}

/** The whole audit. */
export interface AuditReport {
  configFile: string;
  stateDir: string;
  connectors: ConnectorAudit[];
  /** Every warning, prefixed with its connector's name. */
  warnings: string[];
}

const LOOPBACK_BIND = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1):\d+$/;

/** The access warnings of one block: the settings that let anyone in, or leave no one in charge. */
export function accessWarnings(access: AccessConfig): string[] {
  const warnings: string[] = [];
  if (access.dm === 'open') warnings.push('access.dm is open: anyone who can message the bot reaches the agent (use pairing or allowlist)');
  if (access.groups.includes('*')) warnings.push('access.groups is "*": every group the bot is added to reaches the agent (list the group ids instead)');
  if (access.owners.length === 0) warnings.push('access.owners is empty: no one is recognized as owner (add your platform user id)');
  if (access.rate_limit === 0) warnings.push('access.rate_limit is 0: a sender can flood the agent');
  return warnings;
}

/** A listener bound beyond loopback can be reached by other machines. */
export function listenerWarnings(listeners: readonly ListenerInfo[]): string[] {
  return listeners
    .filter((l) => !LOOPBACK_BIND.test(l.bind))
    .map((l) => `listener on ${l.bind} is bound to a non-loopback address (exposure: ${l.exposure}): other machines can connect to it`);
}

/** Counts of pending and approved pairings per connector, read only if access.db exists. */
function pairingCounts(stateDir: string): Map<string, { pending: number; approved: number }> {
  const counts = new Map<string, { pending: number; approved: number }>();
  const store = openExistingAccessStore(stateDir, systemClock);
  if (!store) return counts;
  try {
    const at = (c: string) => counts.get(c) ?? counts.set(c, { pending: 0, approved: 0 }).get(c)!;
    for (const p of store.pairing.pending()) at(p.connector).pending++;
    for (const a of store.pairing.approved()) at(a.connector).approved++;
  } finally {
    store.close();
  }
  return counts;
}

/** Build the audit of `config` with each platform's schema module (for `describe` and `audit`). */
export function buildAudit(config: LoadedConfig, modules: ReadonlyMap<string, ConnectorSchemaModule>): AuditReport {
  const pairings = pairingCounts(config.stateDir);
  const connectors = Object.entries(config.connectors).map(([name, block]): ConnectorAudit => {
    const mod = modules.get(block.platform)!;
    const plan = mod.describe(block);
    const access = { ...ACCESS_DEFAULTS, ...(block.access as Partial<AccessConfig> | undefined) };
    const warnings = block.enabled ? [...accessWarnings(access), ...listenerWarnings(plan.listeners), ...moduleWarnings(mod, block)] : [];
    return {
      name,
      platform: block.platform,
      enabled: block.enabled,
      transport: plan.transport,
      verification: plan.verification,
      listeners: plan.listeners.map((l) => ({ bind: l.bind, exposure: l.exposure, ...(l.publicUrl ? { publicUrl: l.publicUrl } : {}), verification: l.verification })),
      access: {
        dm: access.dm,
        groups: [...access.groups],
        owners: access.owners.length,
        allowed: access.allowed.length,
        rateLimit: access.rate_limit,
        pendingPairings: pairings.get(name)?.pending ?? 0,
        approvedPairings: pairings.get(name)?.approved ?? 0,
      },
      warnings,
    };
  });
  return {
    configFile: config.file,
    stateDir: config.stateDir,
    connectors,
    warnings: connectors.flatMap((c) => c.warnings.map((w) => `${c.name}: ${w}`)),
  };
}

function moduleWarnings(mod: ConnectorSchemaModule, block: ConnectorConfig): string[] {
  if (!mod.audit) return [];
  try {
    return mod.audit(block);
  } catch (err) {
    return [`the ${block.platform} connector's audit failed: ${describeError(err)}`];
  }
}
