/** The Slack connector's factory — the one export the registry loads (it pulls in @slack/bolt). */
import type { ConnectorModule } from '../../src/registry-types.js';
import { SlackConnector, type SlackConnectorConfig } from './connector.js';

/** Build a connector for a validated `platform: slack` block; throws a FatalConnectorError on mis-shaped tokens. */
export const create: ConnectorModule['create'] = (config, deps) =>
  new SlackConnector(config as unknown as SlackConnectorConfig, deps);
