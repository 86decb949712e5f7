/** Helpers shared by the CLI commands: the --config option, loading with clean errors, exit codes. */
import { Option } from 'commander';
import { loadConfig } from '../config/load.js';
import { defaultConfigPath } from '../config/locate.js';
import type { LoadedConfig } from '../config/schema.js';
import { ConfigError, SbError, describeError } from '../errors.js';
import { createRedactor } from '../log/redact.js';

/** Exit codes every command uses. */
export const EXIT = { ok: 0, degraded: 1, invalid: 2 } as const;

export function configOption(): Option {
  return new Option('-c, --config <file>', 'config file (default: $SWITCHBOARD_CONFIG, else ./switchboard.yaml)');
}

/**
 * Load the config; on problems print each (file:line:col: ...) to stderr, set exit code 2, return
 * undefined. Secrets are read only with `resolveSecrets` (what `run` needs): the commands that talk to
 * a running runtime or read its state work from a shell that has none of the bot tokens exported.
 */
export async function loadConfigOrReport(file: string | undefined, options: { resolveSecrets?: boolean } = {}): Promise<LoadedConfig | undefined> {
  const path = file ?? defaultConfigPath(process.env);
  try {
    return await loadConfig(path, { resolveSecrets: options.resolveSecrets === true });
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`${p}\n`);
    } else {
      process.stderr.write(`switchboard: ${describeError(err)}\n`);
    }
    process.exitCode = EXIT.invalid;
    return undefined;
  }
}

/** Print a one-line error (secrets scrubbed) and set the exit code. */
export function reportError(err: unknown, secrets: readonly string[] = [], exitCode: number = EXIT.invalid): void {
  const redact = createRedactor(secrets);
  const code = err instanceof SbError ? ` [${err.code}]` : '';
  process.stderr.write(redact(`switchboard: ${describeError(err)}${code}\n`));
  process.exitCode = exitCode;
}
