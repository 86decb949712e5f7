/** How a run ended, in words: the short chat notice (details go to the log, never to the chat), and the few words `status` shows. */
import type { RunOutcome } from './agent-process.js';

/** Human duration for notices: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const parts = [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']] as const;
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('');
}

/** The notice for `outcome`, or undefined when the run ended normally (or at shutdown: it runs again). */
export function runNotice(outcome: RunOutcome, timeoutMs: number, hadOutput: boolean): string | undefined {
  switch (outcome.kind) {
    case 'exit':
      if (outcome.code === 0) return hadOutput ? undefined : 'The agent finished without output.';
      return `The agent exited with code ${outcome.code}; details are in the switchboard log.`;
    case 'signal':
      return `The agent was killed by ${outcome.signal}; details are in the switchboard log.`;
    case 'spawn-error':
      return 'The agent could not be started; details are in the switchboard log.';
    case 'stopped':
      switch (outcome.reason) {
        case 'stop':
          return 'Stopped.';
        case 'timeout':
          return `The agent ran longer than ${formatDuration(timeoutMs)} and was stopped.`;
        case 'interrupt':
          return 'Stopped for your new message.';
        case 'shutdown':
          return undefined;
      }
  }
}

/** A run's end in a few words, for `status` (stderr stays in the log). */
export function describeOutcome(outcome: RunOutcome): string {
  switch (outcome.kind) {
    case 'exit':
      return `exited with code ${outcome.code}`;
    case 'signal':
      return `killed by ${outcome.signal}`;
    case 'stopped':
      return `stopped (${outcome.reason})`;
    case 'spawn-error':
      return 'could not start';
  }
}
