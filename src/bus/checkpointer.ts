/**
 * Background WAL checkpoints. A checkpoint copies the WAL back into the database file and fsyncs it;
 * on the appending thread that stalls every event in flight for 10–20 ms every few thousand events
 * (it was the whole of the journal's p99). A worker thread with its own connection runs PASSIVE
 * checkpoints instead, which never block the writer, so the event loop only ever appends.
 *
 * The main connection keeps a large `wal_autocheckpoint` as a safety net: should this worker die,
 * the WAL is still bounded, only with the old stalls.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Durability } from './journal-store.js';

/** The worker body, plain CommonJS so it runs the same from src/ under vitest and from dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// A checkpoint must fsync the database before the WAL is reused, like the writer's setting says.
db.pragma('synchronous = ' + (workerData.durability === 'full' ? 'FULL' : 'NORMAL'));
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (err) {
    // Busy now and then is normal; keep trying, but tell the owner if it never works.
    if (++failures === 10) parentPort.postMessage({ error: String((err && err.message) || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage('stopped');
});
`;

/** A running background checkpointer; `stop` closes its connection. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Start checkpointing `path` every `intervalMs` from a worker thread. `onError` hears of a
 * checkpointer that keeps failing (the journal stays correct; the WAL just grows to the safety net).
 */
export function startCheckpointer(
  path: string,
  durability: Durability,
  onError: (message: string) => void,
  intervalMs = 200,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, durability, intervalMs } });
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => ((exited = true), resolve())));
  worker.on('message', (msg: unknown) => {
    if (msg === 'stopped') void worker.terminate();
    else if (typeof msg === 'object' && msg !== null && 'error' in msg) onError(String(msg.error));
  });
  worker.on('error', (err) => onError(err.message));
  // Never what keeps the runtime alive. After the listeners: adding a 'message' listener refs it again.
  worker.unref();
  return {
    async stop() {
      if (exited) return;
      // Held open until it has stopped, or a process with nothing else to do would exit first.
      worker.ref();
      worker.postMessage('stop');
      // Its connection must be closed before ours, so that ours — the last — removes the WAL.
      await exit;
    },
  };
}
