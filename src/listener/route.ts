/**
 * Stage 3: `POST /hooks/<endpoint-id>` is the only route. Any other path — an unknown id, a probe
 * for `/admin` — is not refused here: it goes on to read its body and pay a dummy HMAC like a known
 * id would, and is answered the same generic 404 at the signature stage (no timing oracle).
 */
import type { Exchange, Rejection, SyncStage } from './exchange.js';

/** The request's path without its query string. */
export function pathOf(url: string | undefined): string {
  const raw = url ?? '';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

/**
 * The route stage for `path` (`/hooks/<endpointId>`): marks the exchange known or unknown. A request
 * without `Host` (HTTP/1.1 requires one; HTTP/1.0 is not a webhook client) is a generic 400.
 */
export function route(path: string): SyncStage {
  return function route(ex: Exchange): Rejection | undefined {
    if (ex.req.headers.host === undefined) return { status: 400, reason: 'no-host', close: true };
    ex.known = pathOf(ex.req.url) === path;
    return undefined;
  };
}
