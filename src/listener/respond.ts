/**
 * Every answer the listener gives: a tiny generic JSON body, no `Server`, `X-Powered-By` or `Date`,
 * never a reason or a stack. When the request body is not read and its length is unknown or over the
 * cap, the socket is closed after the answer, so unread bytes are never drained without a cap.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { declaredTooLarge } from './body-limit.js';

const GENERIC: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  408: 'request timeout',
  413: 'payload too large',
  415: 'unsupported media type',
  417: 'expectation failed',
  429: 'too many requests',
  431: 'request header fields too large',
  500: 'internal error',
  503: 'service unavailable',
};

/** `{"error":"…"}` for an error status; `{}` otherwise. */
export function genericBody(status: number): string {
  const text = GENERIC[status] ?? (status >= 400 ? 'error' : undefined);
  return text === undefined ? '{}' : JSON.stringify({ error: text });
}

/** How long a socket closed after an answer may linger for the answer to reach the client. */
export const CLOSE_GRACE_MS = 1_000;

export interface SendOptions {
  headers?: Record<string, string>;
  /** Close the connection after the answer (body not read, or read only up to the cap). */
  close?: boolean;
}

/** Answer with `status` and `body` (already JSON), or the generic body for `status`. */
export function send(res: ServerResponse, status: number, body: string = genericBody(status), options: SendOptions = {}): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...options.headers,
  };
  if (options.close) headers.connection = 'close';
  res.sendDate = false;
  res.writeHead(status, headers);
  res.end(body);
  if (options.close) closeAfterFlush(res.socket);
}

/**
 * True when an answer given before the body is read must close the connection: the body's length is
 * unknown (chunked) or over `limit`. A declared body within the cap is cheaper to let Node discard,
 * keeping the connection (it is bounded by the cap and the request timeout).
 */
export function mustClose(req: IncomingMessage, limit: number): boolean {
  if (req.complete) return false;
  return req.headers['transfer-encoding'] !== undefined || declaredTooLarge(req, limit);
}

/**
 * Half-close now (Node does on `Connection: close`), discard whatever still arrives without
 * buffering it, and destroy after a short grace even if the client keeps sending.
 */
function closeAfterFlush(socket: Socket | null): void {
  if (!socket) return;
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** A complete raw HTTP/1.1 answer for a socket the HTTP parser gave up on (clientError). */
export function rawResponse(status: number, reason: string): string {
  const body = genericBody(status);
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
