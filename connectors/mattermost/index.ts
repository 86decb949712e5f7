/** The Mattermost connector's factory — the one export the registry loads (it pulls in @mattermost/client). */
import type { ConnectorModule } from '../../src/registry-types.js';
import { MattermostConnector, type MattermostConnectorConfig } from './connector.js';

/** Build a connector for a validated `platform: mattermost` block. */
export const create: ConnectorModule['create'] = (config, deps) =>
  new MattermostConnector(config as unknown as MattermostConnectorConfig, deps);
