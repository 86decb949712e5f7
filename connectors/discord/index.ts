/** The Discord connector's factory — the one export the registry loads (it loads discord.js). */
import type { ConnectorModule } from '../../src/registry-types.js';
import { DiscordConnector, type DiscordConnectorConfig } from './connector.js';

/** Create a Discord connector from its validated config block (see schema.ts). */
export const create: ConnectorModule['create'] = (config, deps) =>
  new DiscordConnector(config as unknown as DiscordConnectorConfig, deps);
