/**
 * The button-callback listener: the hardened listener (src/listener) on the configured loopback/LAN
 * bind, with the Mattermost click handler, a 64 KiB body cap and JSON only. Its HMAC key lives in
 * `<stateDir>/mattermost/<connector>.key` (0600, made on first start) so buttons posted before a
 * restart still verify after it.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../src/clock.js';
import type { ListenerInfo } from '../../src/connector.js';
import { loadEndpointId, startListener, type Listener } from '../../src/listener/index.js';
import { loadOrCreateKey } from '../../src/security/key-file.js';
import { callbackHandler, type CallbackOptions } from './buttons.js';
import { bareHost, splitHostPort } from '../../src/net/host-port.js';
import { canonicalBind } from './address.js';
import { CALLBACK_BODY_LIMIT, plannedListener } from './schema.js';

export interface CallbackServerOptions extends Omit<CallbackOptions, 'key'> {
  stateDir: string;
  bind: string;
  publicUrl?: string;
  log: Logger;
  clock: Clock;
}

/** A running callback listener and its signing key. */
export class CallbackServer {
  readonly key: Buffer;
  /** Where Mattermost POSTs clicks: `public_url` + route, or the listener's own URL. */
  readonly url: string;
  readonly #listener: Listener;
  readonly #publicUrl: string | undefined;

  private constructor(key: Buffer, listener: Listener, publicUrl: string | undefined) {
    this.key = key;
    this.#listener = listener;
    this.#publicUrl = publicUrl;
    this.url = publicUrl ? `${publicUrl.replace(/\/+$/, '')}${listener.path}` : listener.url;
  }

  /** Load (or make) the key and the endpoint id, then listen. */
  static async start(o: CallbackServerOptions): Promise<CallbackServer> {
    const key = await loadOrCreateKey(join(o.stateDir, 'mattermost', `${o.connector}.key`));
    const endpointId = await loadEndpointId(o.stateDir, o.connector);
    // The exact address the plan declares (`localhost` → 127.0.0.1), never a name resolved at bind time.
    const { host, port } = splitHostPort(canonicalBind(o.bind));
    const listener = await startListener({
      connector: o.connector,
      host,
      port,
      endpointId,
      handler: callbackHandler({ ...o, key }),
      limits: { bodyLimit: CALLBACK_BODY_LIMIT },
      log: o.log,
      clock: o.clock,
    });
    o.log.info({ bind: `${listener.host}:${listener.port}` }, 'button callback listener open');
    return new CallbackServer(key, listener, o.publicUrl);
  }

  /** What `status` shows: the real bind, exposure, and the listener's counters. */
  info(): ListenerInfo {
    const host = bareHost(this.#listener.host);
    const bind = host.includes(':') ? `[${host}]:${this.#listener.port}` : `${host}:${this.#listener.port}`;
    return { ...plannedListener(bind, this.#publicUrl), counters: this.#listener.counters() };
  }

  close(): Promise<void> {
    return this.#listener.close();
  }
}
