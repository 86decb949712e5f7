/**
 * The one list of platforms. Adding a platform = one folder under connectors/ and one line here.
 * Everything loads lazily: `schema` is light (zod only) and is read to validate config; `load` pulls in
 * the connector and its SDK, and runs only for platforms the config names; `emulator` serves tests and
 * `switchboard sandbox`.
 */
import type { ConnectorModule, ConnectorSchemaModule, EmulatorModule } from '../src/registry-types.js';

export interface RegistryEntry {
  schema: () => Promise<ConnectorSchemaModule>;
  load: () => Promise<ConnectorModule>;
  emulator: () => Promise<EmulatorModule>;
}

export const registry: Record<string, RegistryEntry> = {
  loopback: { schema: () => import('./loopback/schema.js'), load: () => import('./loopback/index.js'), emulator: () => import('./loopback/emulator.js') },
  telegram: { schema: () => import('./telegram/schema.js'), load: () => import('./telegram/index.js'), emulator: () => import('./telegram/emulator.js') },
  discord: { schema: () => import('./discord/schema.js'), load: () => import('./discord/index.js'), emulator: () => import('./discord/emulator.js') },
  slack: { schema: () => import('./slack/schema.js'), load: () => import('./slack/index.js'), emulator: () => import('./slack/emulator.js') },
  feishu: { schema: () => import('./feishu/schema.js'), load: () => import('./feishu/index.js'), emulator: () => import('./feishu/emulator.js') },
  mattermost: { schema: () => import('./mattermost/schema.js'), load: () => import('./mattermost/index.js'), emulator: () => import('./mattermost/emulator.js') },
  line: { schema: () => import('./line/schema.js'), load: () => import('./line/index.js'), emulator: () => import('./line/emulator.js') },
};
