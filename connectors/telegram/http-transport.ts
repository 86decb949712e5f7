/**
 * The HTTP transport handed to grammY (its `client.fetch` option): node:http(s) with keep-alive, the
 * only `fetch` surface grammY uses (`fetch(url, init).then((res) => res.json())`).
 *
 * Why not grammY's default or Node's fetch: node-fetch v2 (grammY's default on Node) never settles
 * `res.json()` when a connection drops in the middle of a response body (checked with node-fetch
 * 2.7.0 on Node 20), so a long poll cut mid-answer would stall until grammY's client timeout; Node's
 * own fetch (undici) rejects correctly but costs ~0.5 ms more CPU per call, a third of the connector's
 * budget in the benchmark. Here a body that ends early rejects at once with ECONNRESET.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

type GrammyFetch = NonNullable<NonNullable<ConstructorParameters<typeof import('grammy').Api>[1]>['fetch']>;

/** The part of a signal grammY passes (its own polyfill, or a native one). */
interface SignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

interface Init {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
  signal?: SignalLike | null;
}

/** What grammY reads of a response. */
export interface TransportResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** A transport with its own keep-alive pools (one per connector, released by `close`). */
export interface Transport {
  fetch: GrammyFetch;
  /** Close idle pooled connections. */
  close(): void;
}

/** Create a transport. Errors carry Node's `code` (ECONNRESET, ECONNREFUSED, ...) and never the URL. */
export function createTransport(): Transport {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true });
  const fetch = (input: string | URL, init: Init = {}): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const url = new URL(String(input));
      const secure = url.protocol === 'https:';
      const options: RequestOptions = { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: secure ? https : http };
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(abortError());
      const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
        const body = readBody(res);
        body.catch(() => undefined); // read by json()/text(); never an unhandled rejection
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, statusText: res.statusMessage ?? '', json: () => body.then((b) => JSON.parse(b) as unknown), text: () => body });
      });
      const onAbort = () => req.destroy(abortError());
      signal?.addEventListener('abort', onAbort);
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.on('error', reject);
      const payload = init.body;
      if (payload === undefined || typeof payload === 'string' || payload instanceof Uint8Array) req.end(payload);
      else Readable.from(payload).on('error', (err) => req.destroy(err)).pipe(req);
    });
  return {
    fetch: fetch as unknown as GrammyFetch,
    close: () => {
      http.destroy();
      https.destroy();
    },
  };
}

/** The whole body; rejects (ECONNRESET "aborted") when the connection ends before it is complete. */
function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => (res.complete ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }))));
  });
}

function abortError(): Error {
  return Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
}
