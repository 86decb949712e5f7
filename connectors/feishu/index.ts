/** The Feishu / Lark connector's factory — the one export the registry loads (it pulls in the Lark SDK). */
import type { ConnectorModule } from '../../src/registry-types.js';
import { FeishuConnector, type FeishuConnectorConfig } from './connector.js';

/** Build a connector for a validated `platform: feishu` block; throws `FatalConnectorError` on an app id the SDK would ignore. */
export const create: ConnectorModule['create'] = (config, deps) =>
  new FeishuConnector(config as unknown as FeishuConnectorConfig, deps);
