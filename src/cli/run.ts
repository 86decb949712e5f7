/** `switchboard run` — the runtime in the foreground until SIGINT/SIGTERM. */
import { Command } from 'commander';
import { createLogger } from '../log/logger.js';
import { startRuntime } from '../runtime.js';
import { installShutdown } from '../supervisor/shutdown.js';
import { configOption, loadConfigOrReport, reportError } from './common.js';

export function runCommand(): Command {
  return new Command('run')
    .description('run the runtime in the foreground (logs are JSON lines on stderr); Ctrl-C stops it gracefully, a second Ctrl-C at once')
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      const config = await loadConfigOrReport(opts.config, { resolveSecrets: true });
      if (!config) return;
      const { log, close } = createLogger({ level: config.log.level, secrets: config.secretValues, ...(config.log.file ? { file: config.log.file } : {}) });
      let runtime;
      try {
        runtime = await startRuntime(config, { log });
      } catch (err) {
        log.error({ err }, 'switchboard could not start');
        reportError(err, config.secretValues);
        close();
        return;
      }
      installShutdown(process, {
        stop: () => runtime.stop(),
        exit: (code) => {
          close();
          process.exit(code);
        },
        onSignal: (signal, count) =>
          count > 1 ? log.warn({ signal }, 'second signal: exiting now') : log.info({ signal }, 'stopping: no new events are taken; draining'),
        onStopFailed: (err) => log.error({ err }, 'graceful stop did not finish in time; exiting'),
      });
    });
}
