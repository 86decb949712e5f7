/**
 * One run of the agent CLI: spawned without a shell in its own process group, stdout handed over as
 * it comes, the tail of stderr kept for the log, a timeout, and a stop that sends SIGTERM to the
 * group and SIGKILL after a grace period.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Why a run was ended by us rather than by itself. */
export type StopReason = 'stop' | 'timeout' | 'interrupt' | 'shutdown';

/** How a run ended. */
export type RunOutcome =
  | { kind: 'exit'; code: number; stderrTail: string }
  | { kind: 'signal'; signal: string; stderrTail: string }
  | { kind: 'stopped'; reason: StopReason; stderrTail: string }
  | { kind: 'spawn-error'; message: string };

export interface SpawnOptions {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  stopGraceMs: number;
  /** Each piece of stdout, decoded as UTF-8 (pieces may split lines, never characters). */
  onStdout(text: string): void;
}

/** A running agent process. */
export interface AgentProcess {
  readonly done: Promise<RunOutcome>;
  /** End the run: SIGTERM to its process group, SIGKILL after the grace. The first reason wins. */
  stop(reason: StopReason): void;
}

/** Bytes of stderr kept for the log entry of a failed run. */
const STDERR_TAIL = 4096;

/** Start the agent. Never throws: a program that cannot start resolves `done` with `spawn-error`. */
export function spawnAgent(options: SpawnOptions): AgentProcess {
  const [program, ...args] = options.argv;
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(program!, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      // Its own process group, so a stop reaches whatever the agent started too.
      detached: true,
    });
  } catch (err) {
    // spawn() throws at once for arguments it refuses (a NUL byte, a non-string): never escape. The
    // message names the program and the error code, never the arguments (they hold the chat text).
    return { done: Promise.resolve({ kind: 'spawn-error', message: spawnFailure(program, err) }), stop: () => undefined };
  }
  let stderr = '';
  let stopped: StopReason | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => options.onStdout(text));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });

  // Until 'close', not just until the agent's own exit: a process it started may still hold stdout
  // (and keep the run going) after the agent exited; the group signal reaches it.
  let closed = false;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || closed) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal); // the group is gone already; the child itself may not be
    }
  };
  const stop = (reason: StopReason) => {
    if (stopped) return;
    stopped = reason;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), options.stopGraceMs);
  };
  const timeout = setTimeout(() => stop('timeout'), options.timeoutMs);

  const done = new Promise<RunOutcome>((resolve) => {
    child.once('error', (err) => {
      clearTimeout(timeout);
      resolve({ kind: 'spawn-error', message: `${program}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found (is it installed and on PATH?)' : err.message}` });
    });
    // 'close' waits for stdout/stderr to end, so every byte of output was handed over first.
    child.once('close', (code, signal) => {
      closed = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      if (stopped) resolve({ kind: 'stopped', reason: stopped, stderrTail: stderr });
      else if (code !== null) resolve({ kind: 'exit', code, stderrTail: stderr });
      else resolve({ kind: 'signal', signal: signal ?? 'unknown', stderrTail: stderr });
    });
  });
  return { done, stop };
}

/** Why `program` could not be started, without echoing its arguments or environment. */
function spawnFailure(program: string | undefined, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') return `${program}: an argument or environment value was refused by spawn (${code})`;
  return `${program}: could not be spawned (${code ?? (err instanceof Error ? err.name : 'unknown error')})`;
}

/** Always passed to the agent (when the runtime has them): what a CLI needs to run at all. */
export const BASE_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'USER'] as const;

/** The agent's environment: the base names and the allowlisted ones from `source`, plus `extra`. */
export function agentEnv(source: NodeJS.ProcessEnv, allow: readonly string[], extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV, ...allow]) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
