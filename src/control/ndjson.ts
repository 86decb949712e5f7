/** Newline-delimited JSON over a stream socket, with a cap on line length. */
import type { Socket } from 'node:net';

export interface LineReaderOptions {
  /** A line longer than this is an error; the reader drops it and calls `onOverflow`. Default 1 MiB. */
  maxBytes?: number;
  onOverflow?: () => void;
}

/** Call `onLine` for each complete line arriving on `socket` (UTF-8, without the newline). */
export function readLines(socket: Socket, onLine: (line: string) => void, options: LineReaderOptions = {}): void {
  const max = options.maxBytes ?? 1024 * 1024;
  let buffered: Buffer[] = [];
  let size = 0;
  let skipping = false;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (skipping) {
        skipping = false;
        continue;
      }
      const line = size === 0 ? piece.toString('utf8') : Buffer.concat([...buffered, piece]).toString('utf8');
      buffered = [];
      size = 0;
      if (line.length > 0) onLine(line);
    }
    if (start < chunk.length && !skipping) {
      const rest = chunk.subarray(start);
      size += rest.length;
      if (size > max) {
        buffered = [];
        size = 0;
        skipping = true;
        options.onOverflow?.();
      } else {
        buffered.push(Buffer.from(rest));
      }
    }
  });
}

/** Write one JSON value as a line. Returns false when the socket's buffer is full (back-pressure). */
export function writeLine(socket: Socket, value: unknown): boolean {
  if (socket.destroyed || !socket.writable) return false;
  return socket.write(JSON.stringify(value) + '\n');
}
