/**
 * `switchboard` — the CLI. One file per command under src/cli/; each exports a function returning a
 * commander Command. Exit codes: 0 ok/healthy, 1 degraded, 2 not running / invalid input.
 */
import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit.js';
import { configCommand } from './config-check.js';
import { pairCommand } from './pair.js';
import { runCommand } from './run.js';
import { sandboxCommand } from './sandbox.js';
import { sendCommand } from './send.js';
import { statusCommand } from './status.js';
import { tailCommand } from './tail.js';

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Reach a coding agent through chat. Dials out; listens only where a platform leaves no choice.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [runCommand(), statusCommand(), configCommand(), auditCommand(), tailCommand(), sendCommand(), pairCommand(), sandboxCommand()]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2 (commander already printed the message).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}

await main(process.argv);
