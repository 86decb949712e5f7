/**
 * `switchboard config check [FILE]`: validate a config file without starting anything. Prints a summary
 * and exits 0, or prints every problem as `FILE:LINE:COL: key.path: ...` on stderr and exits 2.
 */
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { defaultConfigPath } from '../config/locate.js';
import type { LoadedConfig } from '../config/schema.js';
import { ConfigError, describeError } from '../errors.js';

/** One line summarizing a valid config: `FILE: OK — 2 connectors: a (loopback), b (loopback, disabled)`. */
export function summarize(file: string, config: LoadedConfig): string {
  const names = Object.entries(config.connectors).map(
    ([name, block]) => `${name} (${block.platform}${block.enabled ? '' : ', disabled'})`,
  );
  const count = `${names.length} connector${names.length === 1 ? '' : 's'}`;
  return `${file}: OK — ${count}${names.length > 0 ? `: ${names.join(', ')}` : ''}`;
}

/** Validate `file`; returns the exit code (0 valid, 2 invalid) after printing the outcome. */
export async function checkConfigFile(file: string): Promise<number> {
  try {
    const config = await loadConfig(file);
    process.stdout.write(`${summarize(file, config)}\n`);
    return 0;
  } catch (err) {
    const lines = err instanceof ConfigError ? err.problems : [`${file}: ${describeError(err)}`];
    for (const line of lines) process.stderr.write(`${line}\n`);
    return 2;
  }
}

/** The `config` command and its `check` subcommand. */
export function configCommand(): Command {
  const config = new Command('config')
    .description('Work with the configuration file.')
    .summary('work with the configuration file (config check [FILE])')
    .exitOverride()
    .showHelpAfterError();
  config
    .command('check')
    .summary('validate a config file; problems are printed as FILE:LINE:COL: key.path: ...')
    .description(
      'Validate a config file without starting anything: YAML syntax, every key and value against the ' +
        'schema, secret references ({env: NAME} set and non-empty, {file: PATH} readable by you only), ' +
        'no bot token used by two connectors, and a usable state_dir. Each problem is printed on stderr ' +
        'as FILE:LINE:COL: key.path: what is wrong (allowed: ...). Exit code 0 when valid, 2 when not.',
    )
    .argument('[file]', 'config file (default: $SWITCHBOARD_CONFIG, else ./switchboard.yaml)')
    .exitOverride()
    .action(async (file: string | undefined) => {
      process.exitCode = await checkConfigFile(file ?? defaultConfigPath(process.env));
    });
  return config;
}
