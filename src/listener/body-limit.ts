/**
 * The streamed body cap: a declared `Content-Length` over the cap is refused before a byte is read;
 * a chunked body is read chunk by chunk and refused the moment it passes the cap, so no more than
 * `limit` bytes are ever held.
 */
import type { IncomingMessage } from 'node:http';
import type { Exchange, Rejection, Stage } from './exchange.js';

/** The body, or why there is none: too large (413, socket closed) or the client went away. */
export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'body-too-large' | 'aborted' };

/** True when the declared length alone already breaks the cap. */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > limit;
}

/** Read `req`'s body up to `limit` bytes. On overflow it stops reading and resolves at once. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (declaredTooLarge(req, limit)) return Promise.resolve({ ok: false, reason: 'body-too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        finish({ ok: false, reason: 'body-too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onClose = (): void => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}

/**
 * Stage 5: read the body under the cap. Over it: 413, counted toward the fail-ban, and the socket
 * closed after the answer (the rest of the body is never read). A client that went away gets nothing.
 */
export function bodyLimit(limit: number): Stage {
  return async function bodyLimit(ex: Exchange): Promise<Rejection | undefined> {
    // The client waits for our go-ahead: give it only when the declared length fits.
    if (ex.req.headers.expect?.toLowerCase() === '100-continue' && !declaredTooLarge(ex.req, limit)) ex.res.writeContinue();
    const result = await readBody(ex.req, limit);
    if (result.ok) {
      ex.body = result.body;
      return undefined;
    }
    if (result.reason === 'aborted') return { status: 400, reason: 'aborted', close: true };
    return { status: 413, reason: 'body-too-large', close: true, failure: true };
  };
}
