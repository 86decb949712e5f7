/**
 * Requests Node's HTTP parser refuses (malformed, smuggling-shaped, headers too large, too slow):
 * a minimal generic answer instead of Node's own, then the socket destroyed.
 */
import type { Socket } from 'node:net';
import { rawResponse } from './respond.js';

/** The status and counter reason for a parser/timeout error code. */
export function classifyClientError(code: string | undefined): { status: number; text: string; reason: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, text: 'Request Header Fields Too Large', reason: 'headers-too-large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, text: 'Request Timeout', reason: 'timeout' };
  return { status: 400, text: 'Bad Request', reason: 'malformed' };
}

/** The `clientError` listener; `onError` hears the reason (none for a peer that reset). */
export function clientErrorHandler(onError: (reason: string, socket: Socket) => void) {
  return function clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const { status, text, reason } = classifyClientError(err.code);
    onError(reason, socket);
    // Only on a socket that has not answered anything yet: a keep-alive socket mid-response gets no
    // second status line glued to its first.
    if (socket.writable && socket.bytesWritten === 0) socket.end(rawResponse(status, text));
    socket.destroy();
  };
}
