/** The static plan of a config: per connector, transport, verification and listeners — no SDK loaded. */
import { registry } from '../connectors/registry.js';
import type { ConnectorPlan } from './connector.js';
import type { ConnectorModule } from './registry-types.js';
import type { LoadedConfig } from './config/schema.js';
import { SbError } from './errors.js';

/** Describe every connector of `config` from its schema module alone. */
export async function planConnectors(config: LoadedConfig): Promise<Record<string, ConnectorPlan>> {
  const plans: Record<string, ConnectorPlan> = {};
  for (const [name, block] of Object.entries(config.connectors)) {
    const entry = registry[block.platform];
    if (!entry) throw new SbError('SB_E_CONFIG', `connector ${name}: unknown platform "${block.platform}"`);
    plans[name] = (await entry.schema()).describe(block);
  }
  return plans;
}

/** Import a platform's connector module (and its SDK) — only called for platforms the config names. */
export async function loadConnectorModule(platform: string): Promise<ConnectorModule> {
  const entry = registry[platform];
  if (!entry) throw new SbError('SB_E_CONFIG', `unknown platform "${platform}" (known: ${Object.keys(registry).join(', ')})`);
  return entry.load();
}
