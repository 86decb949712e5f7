/**
 * @mattermost/client loaded with `require` (its CommonJS index defines the exports through getters,
 * which Node's ESM named-import detection cannot see), plus the two browser globals its
 * `WebSocketClient` reads on Node 20: `WebSocket` (for `WebSocket.OPEN`) and `CloseEvent` (which it
 * constructs on a ping timeout or a sequence gap). Each is installed only when absent, so a Node that
 * has them (22+) keeps its own; the sockets themselves come from `ws` through `newWebSocketFn`.
 */
import { createRequire } from 'node:module';
import type { Client4 as Client4Type, WebSocketClient as WebSocketClientType } from '@mattermost/client';
import { WebSocket as WsWebSocket } from 'ws';

const required = createRequire(import.meta.url)('@mattermost/client') as {
  Client4: typeof Client4Type;
  WebSocketClient: typeof WebSocketClientType;
};

export const Client4 = required.Client4;
export const WebSocketClient = required.WebSocketClient;
export type Client4 = Client4Type;
export type WebSocketClient = WebSocketClientType;

/** The `close` event the SDK builds itself: only `code` and `wasClean` are read. */
class CloseEventShim extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

/** Install `WebSocket` / `CloseEvent` on `globalThis` where missing. Idempotent. */
export function ensureSocketGlobals(): void {
  const g = globalThis as { WebSocket?: unknown; CloseEvent?: unknown };
  if (g.WebSocket === undefined) g.WebSocket = WsWebSocket;
  if (g.CloseEvent === undefined) g.CloseEvent = CloseEventShim;
}

export { WsWebSocket };
