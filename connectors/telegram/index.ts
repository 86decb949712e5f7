/** The Telegram connector's factory — the one export the registry loads (it pulls in grammY). */
import type { ConnectorModule } from '../../src/registry-types.js';
import { TelegramConnector, type TelegramConnectorConfig } from './connector.js';

/** Build a connector for a validated `platform: telegram` block; throws only on a malformed api_root. */
export const create: ConnectorModule['create'] = (config, deps) =>
  new TelegramConnector(config as unknown as TelegramConnectorConfig, deps);
