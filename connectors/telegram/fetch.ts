/**
 * The HTTP transport handed to grammY: Node's own `fetch` (undici) instead of grammY's default
 * node-fetch v2. node-fetch v2 never settles `res.json()` when a connection drops in the middle of a
 * response body (checked on Node 20 with node-fetch 2.7.0), so a long poll cut mid-answer would stall
 * until grammY's client timeout; undici rejects at once ("terminated") and the poll loop resumes.
 */

type GrammyFetch = NonNullable<NonNullable<ConstructorParameters<typeof import('grammy').Api>[1]>['fetch']>;

/**
 * `fetch` for grammY's `client.fetch` option. grammY passes the signal of its `abort-controller`
 * polyfill, which undici refuses (it wants a native AbortSignal), so the abort is forwarded to a
 * native one; node-fetch-only options (`agent`, `compress`) are dropped (undici pools connections itself).
 */
export const grammyFetch: GrammyFetch = ((url: string | URL, init: RequestInit & { agent?: unknown; compress?: unknown } = {}) => {
  const { agent: _agent, compress: _compress, signal: given, ...rest } = init;
  const native = new AbortController();
  const forward = () => native.abort();
  if (given) {
    if (given.aborted) native.abort();
    else given.addEventListener('abort', forward, { once: true });
  }
  // The listener stays: an abort while the body is read must reach undici too. grammY makes a fresh
  // controller per call, so nothing accumulates.
  return fetch(url, { ...rest, signal: native.signal });
}) as unknown as GrammyFetch;
