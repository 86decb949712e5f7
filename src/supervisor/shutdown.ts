/**
 * Signal handling for a foreground runtime: the first SIGINT/SIGTERM starts a graceful stop (no new
 * events, drain, close, bounded by the stop's own timeout); a second one exits at once.
 */
import type { EventEmitter } from 'node:events';

export interface ShutdownOptions {
  /** Graceful stop; rejects when it could not finish in time. */
  stop: () => Promise<void>;
  /** Process exit (injected for tests). */
  exit: (code: number) => void;
  onSignal?: (signal: string, count: number) => void;
  onStopFailed?: (err: unknown) => void;
  signals?: readonly NodeJS.Signals[];
}

/** Exit codes: 0 after a clean stop, 1 when the stop timed out or failed, 130 on a second signal. */
export function installShutdown(target: Pick<EventEmitter, 'on' | 'off'>, options: ShutdownOptions): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    options.onSignal?.(signal, count);
    if (count > 1) return options.exit(130);
    options.stop().then(
      () => options.exit(0),
      (err: unknown) => {
        options.onStopFailed?.(err);
        options.exit(1);
      },
    );
  };
  for (const s of signals) target.on(s, handler);
  return () => {
    for (const s of signals) target.off(s, handler);
  };
}
