/** The LINE connector's factory — the one export the registry loads (it pulls in @line/bot-sdk). */
import type { ConnectorModule } from '../../src/registry-types.js';
import { LineConnector, type LineConnectorConfig } from './connector.js';

/** Build a connector for a validated `platform: line` block. */
export const create: ConnectorModule['create'] = (config, deps) => new LineConnector(config as unknown as LineConnectorConfig, deps);
