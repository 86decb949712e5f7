/** The loopback connector's factory — the one export the registry loads. */
import type { ConnectorModule } from '../../src/registry-types.js';
import { LoopbackConnector, type LoopbackConnectorConfig } from './connector.js';

export const create: ConnectorModule['create'] = (config, deps) =>
  new LoopbackConnector(config as unknown as LoopbackConnectorConfig, deps);
