/**
 * The two parts of Bolt the connector uses — its Web API client and its Socket Mode client — loaded
 * from Bolt's own dependency tree without Bolt's index, which also loads the App, the HTTP/Express/AWS
 * receivers and the OAuth installer (about 5 MB more resident for nothing). Resolved from Bolt's
 * directory, so they are exactly the copies Bolt itself would use; typed through Bolt.
 */
import { createRequire } from 'node:module';
import type { SocketModeReceiver, webApi } from '@slack/bolt';

const fromBolt = createRequire(createRequire(import.meta.url).resolve('@slack/bolt'));

/** @slack/web-api as Bolt re-exports it (`webApi`). */
export const web = fromBolt('@slack/web-api') as typeof webApi;

/** The Socket Mode client (Bolt's receiver owns one; Bolt does not re-export @slack/socket-mode). */
export type SocketClient = SocketModeReceiver['client'];
/** What the Socket Mode client's constructor takes (the options Bolt's receiver passes it). */
export interface SocketClientOptions {
  appToken: string;
  logger?: unknown;
  clientPingTimeout?: number;
  serverPingTimeout?: number;
  autoReconnectEnabled?: boolean;
  clientOptions?: Record<string, unknown>;
}
export const SocketModeClient = (fromBolt('@slack/socket-mode') as { SocketModeClient: new (options: SocketClientOptions) => SocketClient }).SocketModeClient;
