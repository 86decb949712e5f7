/**
 * pino setup: JSON lines, every line passed through the redactor, one child logger per connector
 * (`connector`) and per event or request (`correlationId`).
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { createRedactor, type Redactor } from './redact.js';

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Secret values to scrub from every line. */
  secrets: readonly string[];
  /** Append to this file instead of stderr. */
  file?: string;
  /** Where lines go; for tests. Defaults to stderr (or `file`). */
  sink?: LogSink;
}

export interface RuntimeLogger {
  log: Logger;
  redact: Redactor;
  /** Flush and close the log file, if any. */
  close(): void;
}

/** Create the runtime's root logger. Lines are written synchronously so a crash loses none. */
export function createLogger(options: LoggerOptions): RuntimeLogger {
  const redact = createRedactor(options.secrets);
  let fd: number | undefined;
  let sink: LogSink;
  if (options.sink) {
    sink = options.sink;
  } else if (options.file) {
    const file = openSync(options.file, 'a', 0o600);
    fd = file;
    sink = { write: (line) => void writeSync(file, line) };
  } else {
    sink = { write: (line) => void process.stderr.write(line) };
  }
  const log = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    { write: (line: string) => sink.write(redact(line)) },
  );
  return {
    log,
    redact,
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** A logger that drops everything; for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
