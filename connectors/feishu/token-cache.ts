/**
 * A per-connector cache for the SDK's tenant access token. The SDK's default cache is one
 * module-level map keyed by app id, shared by every Client in the process; a cache of our own keeps
 * two connectors (or a test's successive emulators) from handing each other tokens.
 */

interface Entry {
  value: unknown;
  /** Epoch ms after which the entry is gone (the SDK stores the token's expiry minus 3 minutes). */
  expiresAt: number | undefined;
}

/** The SDK's `Cache` interface, in memory, with an injectable clock. */
export class TokenCache {
  readonly #entries = new Map<unknown, Map<string, Entry>>();
  readonly #now: () => number;
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  async set(key: unknown, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    let ns = this.#entries.get(key);
    if (!ns) this.#entries.set(key, (ns = new Map()));
    ns.set(options?.namespace ?? '', { value, expiresAt: expire });
    return true;
  }
  async get(key: unknown, options?: { namespace?: string }): Promise<unknown> {
    const entry = this.#entries.get(key)?.get(options?.namespace ?? '');
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#now()) return undefined;
    return entry.value;
  }
}
