/**
 * @mattermost/client loaded with `require` (its CommonJS index defines the exports through getters,
 * which Node's ESM named-import detection cannot see), plus the two browser globals its
 * `WebSocketClient` reads on Node 20: `WebSocket` (for `WebSocket.OPEN`) and `CloseEvent` (which it
 * constructs on a ping timeout or a sequence gap). Each is installed only when absent, so a Node that
 * has them (22+) keeps its own; the sockets themselves come from `ws` through `newWebSocketFn`.
 *
 * `WebSocketClient` writes to `console.log` (connecting, closed, connection ids, error events): on
 * stdout, where it would break `sandbox --json` and mix with a CLI's output. So its module is
 * evaluated once more per connector with a `console` of its own that forwards to the connector's
 * logger at debug level — the same source, nothing patched globally.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import type { Logger } from 'pino';
import type { Client4 as Client4Type, WebSocketClient as WebSocketClientType } from '@mattermost/client';
import { WebSocket as WsWebSocket } from 'ws';

const required = createRequire(import.meta.url)('@mattermost/client') as {
  Client4: typeof Client4Type;
  WebSocketClient: typeof WebSocketClientType;
};

export const Client4 = required.Client4;
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

const WEBSOCKET_FILE = createRequire(import.meta.url).resolve('@mattermost/client/lib/websocket.js');
type ModuleFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string, console: Pick<Console, 'log' | 'warn'>) => void;
let compiled: ModuleFunction | undefined;

/** The SDK's `WebSocketClient` class, with its console output sent to `log` (debug) instead of stdout. */
export function webSocketClientClass(log: Logger): typeof WebSocketClientType {
  compiled ??= compileFunction(readFileSync(WEBSOCKET_FILE, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname', 'console'], {
    filename: WEBSOCKET_FILE,
  }) as unknown as ModuleFunction;
  const module = { exports: {} as { default?: typeof WebSocketClientType } };
  const say = (...args: unknown[]) => log.debug({ sdk: args.map((a) => (typeof a === 'string' ? a : a instanceof Event ? `${a.type} event` : typeof a)).join(' ') }, 'mattermost websocket client');
  compiled(module.exports, createRequire(WEBSOCKET_FILE), module, WEBSOCKET_FILE, dirname(WEBSOCKET_FILE), { log: say, warn: say });
  return module.exports.default!;
}
