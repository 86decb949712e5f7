/**
 * Reading a Bot API request's parameters the ways Telegram accepts them: the query string, a JSON
 * body (what grammY sends), `application/x-www-form-urlencoded`, and `multipart/form-data` text fields
 * (what grammY sends when a file is attached; the files themselves are ignored).
 */
import type { IncomingMessage } from 'node:http';

const MAX_BODY = 1 << 20;

/** All parameters of `req`; rejects on an oversized or unparseable body. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = fieldValue(v);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  if (size === 0) return params;
  const body = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('JSON body is not an object');
    Object.assign(params, parsed);
  } else if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) params[k] = fieldValue(v);
  } else if (type.includes('multipart/form-data')) {
    const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
    if (!boundary) throw new Error('multipart body without a boundary');
    Object.assign(params, multipartFields(body, boundary));
  }
  return params;
}

/** Form values are strings; Telegram reads objects and arrays in them as JSON, and true/false as booleans. */
function fieldValue(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

function multipartFields(body: string, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of body.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name || /filename="/.test(head)) continue;
    out[name] = fieldValue(part.slice(split + 4).replace(/\r\n$/, ''));
  }
  return out;
}
