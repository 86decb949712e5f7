/**
 * The REST side: @mattermost/client's `Client4`, with one change — every call is made with
 * `ignoreStatus` and a non-2xx answer becomes a {@link MattermostHttpError} carrying the HTTP status and
 * the rate-limit wait. Client4's own `ClientError` reads the status from the JSON body only, so a 429
 * (plain text from the server's rate limiter) would arrive with no status and no `Retry-After`.
 */
import { Client4 } from './sdk.js';

/**
 * A non-2xx answer from the Mattermost API. Never carries the token (it is only in a header). Not an
 * SbError: the recovery table (recovery.ts) turns it into one, deciding whether it is worth a retry.
 */
export class MattermostHttpError extends Error {
  readonly status: number;
  readonly serverErrorId: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, what: string, serverErrorId: string | undefined, retryAfterMs: number | undefined) {
    super(`Mattermost answered HTTP ${status} to ${what}${serverErrorId ? ` (${serverErrorId})` : ''}`);
    this.name = 'MattermostHttpError';
    this.status = status;
    this.serverErrorId = serverErrorId;
    this.retryAfterMs = retryAfterMs;
  }
}

type FetchWithResponse = (url: string, options: { method?: string; ignoreStatus?: boolean }) => Promise<{ response: Response; data: unknown }>;

/** A Client4 for `baseUrl` authenticated with the bot token, whose failures are typed by HTTP status. */
export function createRestClient(baseUrl: string, token: string): Client4 {
  const client = new Client4();
  client.setUrl(baseUrl);
  client.setToken(token);
  client.setIncludeCookies(false);
  // `doFetchWithResponse` is a per-instance arrow function that every typed method goes through.
  const inner = client as unknown as { doFetchWithResponse: FetchWithResponse };
  const original = inner.doFetchWithResponse;
  inner.doFetchWithResponse = async (url, options) => {
    const result = await original(url, { ...options, ignoreStatus: true });
    if (result.response.ok) return result;
    const data = result.data as { id?: unknown } | undefined;
    throw new MattermostHttpError(
      result.response.status,
      `${(options.method ?? 'get').toUpperCase()} ${routeOf(baseUrl, url)}`,
      typeof data === 'object' && data && typeof data.id === 'string' ? data.id : undefined,
      retryAfterMs(result.response.headers),
    );
  };
  return client;
}

/** `Retry-After` (seconds or an HTTP date), else `X-Ratelimit-Reset` (seconds), in ms. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const after = headers.get('retry-after');
  if (after !== null) {
    if (/^\d+$/.test(after.trim())) return Number(after.trim()) * 1000;
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset');
  return reset !== null && /^\d+$/.test(reset.trim()) ? Number(reset.trim()) * 1000 : undefined;
}

/** The API route of a URL with ids blanked, for messages and logs. */
function routeOf(baseUrl: string, url: string): string {
  return url.slice(baseUrl.length).split('?')[0]!.replace(/[a-z0-9]{26}/g, ':id');
}
